"""The coach's workspace: where each project stands, what needs attention, and the coaching totals.

The read helpers run a fixed number of queries whatever the number of projects, meetings or steps: the
figures come from correlated subqueries on the project query, or from one flat query added up in Python.
`update_meeting` is the edit counterpart of `coaching.log_meeting`.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import ngettext

from cohorts.models import Cohort

from ..models import CoachAssignment, CoachingSession, Milestone, NextStep, Project, Topic
from . import hooks
from .coaching import meeting_participants

# A project with no meeting for this many days is flagged (from its last meeting, or from the start of
# its current assignment when it never had one).
NO_MEETING_ALERT_DAYS = 30


# --- Where each project stands ------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    kind: str  # "no_meeting" or "overdue_steps"
    message: str


@dataclass(frozen=True)
class ProjectProgress:
    project: Project
    last_meeting_on: datetime.date | None
    coached_since: datetime.date | None  # start of the current assignment; None when nobody coaches it
    open_steps: int
    overdue_steps: int
    milestones_done: int
    milestones_total: int
    alerts: tuple[Alert, ...]
    # The share of the season's held collective days the project's members attended, from 0 to 1 (computed
    # by the trainings app, see `hooks`); None while no day has been held.
    attendance_rate: float | None = None

    @property
    def milestones_percent(self) -> int:
        return round(100 * self.milestones_done / self.milestones_total) if self.milestones_total else 0


def _count_per_project(queryset: QuerySet):
    """How many rows of `queryset` belong to the outer project, 0 when none: one subquery, no row multiplication."""
    rows = queryset.filter(project=OuterRef("pk")).order_by().values("project").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_progress(projects: QuerySet, *, today: datetime.date | None = None) -> QuerySet:
    """The projects annotated with what `progress` reads; still one query when evaluated."""
    today = today or timezone.localdate()
    last_meeting = CoachingSession.objects.filter(project=OuterRef("pk")).order_by("-date").values("date")[:1]
    # The lead coach's assignment ("lead" sorts before "second").
    coached_since = (
        CoachAssignment.objects.active().filter(project=OuterRef("pk")).order_by("role").values("started_on")[:1]
    )
    return projects.select_related("cohort").annotate(
        last_meeting_on=Subquery(last_meeting),
        coached_since=Subquery(coached_since),
        open_steps=_count_per_project(NextStep.objects.open()),
        overdue_steps=_count_per_project(NextStep.objects.overdue(today)),
        milestones_done=_count_per_project(Milestone.objects.filter(done_on__isnull=False)),
        milestones_total=_count_per_project(Milestone.objects.all()),
    )


def progress(project: Project, *, today: datetime.date | None = None, attendance=None) -> ProjectProgress:
    """Where a project from `with_progress` stands, and its alerts (in the active language)."""
    if attendance is None:
        attendance = attendance_rates(Project.objects.filter(pk=project.pk))
    return _progress(
        project,
        today=today or timezone.localdate(),
        attendance_rate=attendance[project.pk].value,
        last_meeting_on=project.last_meeting_on,
        coached_since=project.coached_since,
        open_steps=project.open_steps,
        overdue_steps=project.overdue_steps,
        milestones_done=project.milestones_done,
        milestones_total=project.milestones_total,
    )


def loaded_progress(project: Project, *, today: datetime.date | None = None) -> ProjectProgress:
    """Where a project stands, counted from its meetings, next steps, milestones and assignments: the figures of
    `with_progress` for a page that fetches those rows anyway (`prefetch_related`), so that they cost no query
    of their own; its attendance rate is one query."""
    today = today or timezone.localdate()
    open_steps = [step for step in project.next_steps.all() if step.done_at is None]
    milestones = list(project.milestones.all())
    # The lead coach's assignment ("lead" sorts before "second"), as in `with_progress`.
    active = sorted(
        (assignment for assignment in project.assignments.all() if assignment.ended_on is None),
        key=lambda assignment: assignment.role,
    )
    return _progress(
        project,
        today=today,
        attendance_rate=attendance_rates([project.pk])[project.pk].value,
        last_meeting_on=max((meeting.date for meeting in project.meetings.all()), default=None),
        coached_since=active[0].started_on if active else None,
        open_steps=len(open_steps),
        overdue_steps=sum(1 for step in open_steps if step.due_on is not None and step.due_on < today),
        milestones_done=sum(1 for milestone in milestones if milestone.done_on is not None),
        milestones_total=len(milestones),
    )


def _progress(project: Project, *, today: datetime.date, **figures) -> ProjectProgress:
    return ProjectProgress(project=project, alerts=tuple(_alerts(project.cohort, today, **figures)), **figures)


def project_progress(projects: QuerySet, *, today: datetime.date | None = None) -> list[ProjectProgress]:
    """Progress of each project, in the queryset's order: two queries (the projects, then their attendance)."""
    today = today or timezone.localdate()
    attendance = attendance_rates(projects)
    return [progress(project, today=today, attendance=attendance) for project in with_progress(projects, today=today)]


def attendance_rates(projects):
    """{project pk: Rate} at the collective days of their season, in one query (trainings computes it)."""
    return hooks.attendance_rates(projects)


def _alerts(cohort, today, *, last_meeting_on, coached_since, overdue_steps, **_figures):
    # Only a project someone coaches during its season can be late for a meeting.
    since = last_meeting_on or coached_since
    if coached_since is not None and today <= cohort.end_date and since is not None:
        days = (today - since).days
        if days >= NO_MEETING_ALERT_DAYS:
            if last_meeting_on is None:
                message = ngettext(
                    "Aucun rendez-vous depuis le début de l'accompagnement, il y a %(days)s jour.",
                    "Aucun rendez-vous depuis le début de l'accompagnement, il y a %(days)s jours.",
                    days,
                )
            else:
                message = ngettext(
                    "Pas de rendez-vous depuis %(days)s jour.", "Pas de rendez-vous depuis %(days)s jours.", days
                )
            yield Alert("no_meeting", message % {"days": days})
    if overdue_steps:
        yield Alert(
            "overdue_steps",
            ngettext(
                "%(count)s prochaine étape est en retard.",
                "%(count)s prochaines étapes sont en retard.",
                overdue_steps,
            )
            % {"count": overdue_steps},
        )


# --- A coach's seasons and projects ------------------------------------------------------------------


def coach_seasons(*, coach, today: datetime.date | None = None) -> list[Cohort]:
    """Seasons a coach can look at: the current ones of their programmes, and any where they had a project.

    Most recent first; one query.
    """
    today = today or timezone.localdate()
    current = Cohort.objects.for_user(coach).current(today)
    return list(
        Cohort.objects.filter(Q(pk__in=current.values("pk")) | Q(pk__in=coach.assignments.values("cohort")))
        .select_related("programme")
        .order_by("-start_date", "programme__name", "name")
    )


def coach_projects(*, coach, cohorts: Iterable[Cohort], today: datetime.date | None = None) -> QuerySet:
    """The coach's projects in these seasons: those they coach now, and in seasons that are over, those they
    coached then, as lead or as second. Annotated with `my_assignment_ended_on` (None while they still coach it),
    `my_role` and progress.
    """
    today = today or timezone.localdate()
    assignments = CoachAssignment.objects.filter(coach=coach, cohort__in=[cohort.pk for cohort in cohorts]).filter(
        Q(ended_on__isnull=True) | Q(cohort__end_date__lt=today)
    )
    mine = CoachAssignment.objects.filter(project=OuterRef("pk"), coach=coach).order_by(
        F("ended_on").desc(nulls_first=True), "role"
    )
    projects = (
        Project.objects.filter(pk__in=assignments.values("project"))
        .select_related("territory")
        .annotate(
            my_assignment_ended_on=Subquery(mine.values("ended_on")[:1]), my_role=Subquery(mine.values("role")[:1])
        )
        .order_by("-cohort__start_date", "name")
    )
    return with_progress(projects, today=today)


def meeting_coach(*, project: Project, user):
    """Whose meeting it is when `user` logs it: a coach's own; staff log on behalf of the project's lead coach."""
    if user.is_coach:
        return user
    current = project.assignments.active().leads().select_related("coach").first()
    return current.coach if current else user


@transaction.atomic
def update_meeting(
    *,
    meeting: CoachingSession,
    participants=None,
    next_steps: list[dict] = (),
    removed_steps: Iterable[NextStep] = (),
    **fields,
) -> CoachingSession:
    """Change a meeting, who took part and its next steps: a step dict with an `id` edits that step, one without
    adds it. `participants` None leaves them as they are."""
    for name, value in fields.items():
        setattr(meeting, name, value)
    if participants is not None:
        meeting.coach, participants = meeting_participants(coach=meeting.coach, participants=participants)
    meeting.save()
    if participants is not None:
        meeting.participants.set(participants)
    NextStep.objects.filter(meeting=meeting, pk__in=[step.pk for step in removed_steps]).delete()
    for step in next_steps:
        step = dict(step)
        pk = step.pop("id", None)
        if pk is None:
            NextStep.objects.create(project_id=meeting.project_id, meeting=meeting, **step)
        else:
            NextStep.objects.filter(meeting=meeting, pk=pk).update(**step)
    return meeting


# --- Coaching totals (the season report) -------------------------------------------------------------


@dataclass
class CoachingTotals:
    """Time spent coaching, and on which kind of topic, in parts that add up to the total.

    Nobody records how a meeting's time was split between its topics, so it is shared equally among them:
    a 90-minute meeting on the economic model and on self-confidence gives 45 technical and 45 human minutes.
    A meeting with no topic noted counts in its own part, "unspecified". So technical + human + unspecified
    minutes always equal the total.
    """

    meetings: int = 0
    minutes: int = 0
    technical_minutes: float = 0
    human_minutes: float = 0
    unspecified_minutes: float = 0

    def add(self, minutes: int, topics: Iterable[str], meetings: int = 1):
        """Count `meetings` meetings on these topics, of `minutes` minutes in all."""
        topics = set(topics or ()) & set(Topic.values)
        technical = len(topics & Topic.technical())
        self.add_split(minutes, topics=len(topics), technical=minutes * technical, meetings=meetings)

    def add_split(self, minutes: float, *, topics: int, technical: float, meetings: int = 1, shared_by: int = 1):
        """Count `meetings` meetings of `topics` offered topics each and `minutes` minutes in all, `technical` being
        the sum of each meeting's minutes times its number of technical topics; each participant of meetings
        `shared_by` people is credited that share of the time. What `coaching_totals` reads from the database."""
        self.meetings += meetings
        self.minutes += minutes / shared_by if shared_by != 1 else minutes
        if not topics:
            self.unspecified_minutes += minutes / shared_by
            return
        self.technical_minutes += technical / (topics * shared_by)
        self.human_minutes += (minutes * topics - technical) / (topics * shared_by)

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def technical_hours(self) -> float:
        return self.technical_minutes / 60

    @property
    def human_hours(self) -> float:
        return self.human_minutes / 60

    @property
    def unspecified_hours(self) -> float:
        return self.unspecified_minutes / 60


@dataclass
class SeasonCoachingTotals:
    total: CoachingTotals = field(default_factory=CoachingTotals)
    by_project: dict[int, CoachingTotals] = field(default_factory=lambda: defaultdict(CoachingTotals))
    by_coach: dict[int, CoachingTotals] = field(default_factory=lambda: defaultdict(CoachingTotals))


def _credited(meetings: QuerySet) -> QuerySet:
    """The meetings, one row per participant, with `credited` (the participant, or the meeting's coach for a
    meeting nobody was ticked on), `shared_by` (how many took part, at least 1) and `counted` (true on exactly one
    row per meeting: the coach's, who always takes part, so that meeting-level sums count each meeting once)."""
    attending = CoachingSession.participants.through.objects.filter(coachingsession=OuterRef("pk"))
    shared_by = attending.order_by().values("coachingsession").annotate(n=Count("pk")).values("n")
    return meetings.order_by().annotate(
        credited=Coalesce(F("participants"), F("coach")),
        shared_by=Coalesce(Subquery(shared_by, output_field=IntegerField()), Value(1)),
        counted=ExpressionWrapper(Q(participants__isnull=True) | Q(participants=F("coach")), BooleanField()),
    )


class _TopicsAmong(Func):
    """How many of `topics` a meeting's list holds. Its JSON text names each topic once, in quotes (the list comes
    from the form's choices), so a text search counts them alike on PostgreSQL and on SQLite; written as one
    expression, the query compiles as fast as one reading a plain column."""

    output_field = IntegerField()

    def __init__(self, topics):
        super().__init__(Cast("topics", TextField()))
        # The topics are the code's own choices, written into the SQL as they are: the expression then reads the
        # same in the SELECT and in the GROUP BY, whether parameters are bound by the client or by the server.
        if not all(topic.isidentifier() for topic in topics):
            raise ValueError(f"Topics are plain words, not {topics!r}")
        self.topics = sorted(topics)

    def as_sql(self, compiler, connection, **extra_context):
        text, params = compiler.compile(self.source_expressions[0])
        find = "STRPOS" if connection.vendor == "postgresql" else "INSTR"
        found = " + ".join(f"""CASE WHEN {find}({text}, '"{topic}"') > 0 THEN 1 ELSE 0 END""" for topic in self.topics)
        return f"({found or '0'})", list(params) * len(self.topics)


def coaching_totals(meetings: QuerySet) -> SeasonCoachingTotals:
    """Totals of these meetings, overall, per project id and per coach id; one query.

    A meeting counts once in the total and in its project's. Each coach who took part (the pair may come
    together) is credited the meeting and an equal share of its time: two coaches at a 90-minute meeting get 45
    minutes each. So the coaches' minutes add up to the season's, and each coach's share of a project reads
    plainly; the meetings they took part in are counted in full for each of them.

    The database adds up the meetings, their minutes and their technical share for each project, participant,
    number of participants and number of topics (at most the seven offered), so what comes back grows with the
    projects and their coaches, not with the meetings; Python only divides each group's sums by its number of
    topics, as `CoachingTotals.add` does for one meeting.
    """
    totals = SeasonCoachingTotals()
    rows = (
        _credited(meetings)
        .annotate(topic_count=_TopicsAmong(Topic.values), technical_topics=_TopicsAmong(Topic.technical()))
        .values("project_id", "credited", "shared_by", "counted", "topic_count")
        .annotate(
            count=Count("pk"),
            minutes=Sum("duration_minutes"),
            technical=Sum(F("duration_minutes") * F("technical_topics")),
        )
        .values_list("project_id", "credited", "minutes", "technical", "topic_count", "count", "shared_by", "counted")
    )
    for project_id, coach_id, minutes, technical, topics, count, shared_by, counted in rows:
        totals.by_coach[coach_id].add_split(
            minutes, topics=topics, technical=technical, meetings=count, shared_by=shared_by
        )
        if counted:
            for bucket in (totals.total, totals.by_project[project_id]):
                bucket.add_split(minutes, topics=topics, technical=technical, meetings=count)
    totals.by_project, totals.by_coach = dict(totals.by_project), dict(totals.by_coach)
    return totals


def loaded_coaching_totals(meetings: Iterable[CoachingSession]) -> CoachingTotals:
    """What `coaching_totals(meetings).total` says, from meetings fetched with their participants (a page that
    lists them anyway), in no query: like the database's sum, it counts a meeting on its coach's row, so a meeting
    counts when nobody was ticked on it or when its coach was."""
    total = CoachingTotals()
    for meeting in meetings:
        participants = {person.pk for person in meeting.participants.all()}
        if not participants or meeting.coach_id in participants:
            total.add(meeting.duration_minutes, meeting.topics)
    return total


def season_coaching_totals(*, cohort: Cohort) -> SeasonCoachingTotals:
    """Coaching of a season's projects, whatever the meetings' dates; one query."""
    return coaching_totals(CoachingSession.objects.filter(project__cohort=cohort))


# --- Who coached each project during its season (the season report) ---------------------------------


@dataclass(frozen=True, slots=True)
class CoachShare:
    """One coach's part in a project's season: days they held it, their share of its meetings' minutes."""

    coach_id: int
    name: str
    structure: str
    days: int
    minutes: float
    share: float  # of the project's coaching, from 0 to 1


@dataclass(frozen=True, slots=True)
class ProjectCoaches:
    coaches: tuple[CoachShare, ...] = ()  # the main coach first

    @property
    def main(self) -> CoachShare | None:
        return self.coaches[0] if self.coaches else None

    def describe(self) -> str:
        """« Anne Martin 75 %, Paul Roux 25 % » — everyone who coached the project, main coach first."""
        return ", ".join(f"{coach.name} {round(100 * coach.share)} %" for coach in self.coaches)


def season_project_coaches(
    *, cohort: Cohort, projects: Iterable[int] | None = None, today: datetime.date | None = None
) -> dict[int, ProjectCoaches]:
    """{project pk: who coached it during the season}, from the assignment history and the meetings; two queries.
    `projects` (pks) limits it to some of the season's projects, for a caller reading them in chunks.

    Read whether the season is running or over, whether its assignments are still open or were ended with it,
    and whatever the reassignments. Each coach's share is their part of the project's meeting minutes (of the
    days they held it when nobody logged a meeting); a meeting the pair held together is shared between them. The
    main coach is whoever led the project the most days within the season (then whoever held it the most days, in
    any role), the latest one on a tie; a coach who only took part in meetings comes after the holders.
    """
    today = today or timezone.localdate()
    season_last_day = min(cohort.end_date, today)
    people: dict[int, tuple[str, str]] = {}
    days: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    lead_days: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    latest: dict[int, dict[int, datetime.date]] = defaultdict(dict)
    assignments = CoachAssignment.objects.filter(cohort=cohort).order_by().select_related("coach__partner_structure")
    meetings = CoachingSession.objects.filter(project__cohort=cohort)
    if projects is not None:
        projects = list(projects)
        assignments, meetings = assignments.filter(project__in=projects), meetings.filter(project__in=projects)
    for assignment in assignments:
        coach = assignment.coach
        people[coach.pk] = (str(coach), str(coach.partner_structure or ""))
        start = max(assignment.started_on, cohort.start_date)
        end = min(assignment.ended_on or season_last_day, cohort.end_date)
        held_days = max((end - start).days + 1, 0)
        days[assignment.project_id][coach.pk] += held_days
        if assignment.role == CoachAssignment.Role.LEAD:
            lead_days[assignment.project_id][coach.pk] += held_days
        previous = latest[assignment.project_id].get(coach.pk)
        latest[assignment.project_id][coach.pk] = max(previous or assignment.started_on, assignment.started_on)
    minutes: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    # Each participant is credited their share of the meeting's time, as in `coaching_totals`.
    rows = (
        _credited(meetings)
        .values("project", "credited", "shared_by")
        .annotate(
            total=Sum("duration_minutes"),
            first_name=Max(Coalesce("participants__first_name", "coach__first_name")),
            last_name=Max(Coalesce("participants__last_name", "coach__last_name")),
            email=Max(Coalesce("participants__email", "coach__email")),
            structure=Max(Coalesce("participants__partner_structure__name", "coach__partner_structure__name")),
        )
    )
    for row in rows:
        minutes[row["project"]][row["credited"]] += row["total"] / row["shared_by"]
        name = f"{row['first_name']} {row['last_name']}".strip() or row["email"]
        people.setdefault(row["credited"], (name, row["structure"] or ""))

    result = {}
    for project_id in set(days) | set(minutes):
        held, led = days.get(project_id, {}), minutes.get(project_id, {})
        led_days = lead_days.get(project_id, {})
        holders = sorted(held, key=lambda pk: (led_days.get(pk, 0), held[pk], latest[project_id][pk]), reverse=True)
        others = sorted(set(led) - set(held), key=lambda pk: (-led[pk], people[pk][0]))
        total_minutes, total_days = sum(led.values()), sum(held.values())
        coaches = []
        for pk in [*holders, *others]:
            if total_minutes:
                share = led.get(pk, 0) / total_minutes
            elif total_days:
                share = held.get(pk, 0) / total_days
            else:
                share = 1 / len(held)
            coaches.append(CoachShare(pk, *people[pk], held.get(pk, 0), led.get(pk, 0), share))
        result[project_id] = ProjectCoaches(tuple(coaches))
    return result

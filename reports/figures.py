"""The season report's figures: what the page, the summary sheet and the PDF show.

`season_report` runs a fixed number of queries (counted in `tests/cohorts/test_season_report.py`) whatever
the number of seasons, projects, meetings, days or participants: each figure comes from one grouped query,
or from a bounded list (the season's projects, days, coaches, trainers) added up in Python.
"""

import dataclasses
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from incubator.models import User
from projects.models import Actor, ActorMet, CoachingSession, Outcome, Project, Sector
from projects.services import (
    FollowUpLine,
    ProjectCoaches,
    candidacy_figures,
    season_coaching_totals,
    season_follow_up,
    season_project_coaches,
    seasons_follow_up,
)
from trainings.models import Attendance, TrainingSession, Venue
from trainings.services import (
    Rate,
    Satisfaction,
    participant_days,
    project_attendance_rates,
    season_satisfaction,
    session_attendance_rates,
)

from .datasets import DECIMAL, EUROS, HOURS, INTEGER, PERCENT, projects_queryset, trainer_days
from .resources import ResourceLine, season_resources

HELD, CANCELLED = TrainingSession.Status.HELD, TrainingSession.Status.CANCELLED
PRESENT = Attendance.Presence.PRESENT


@dataclass(frozen=True)
class Figure:
    label: str
    value: object  # None when there is nothing to measure yet
    kind: str = INTEGER


@dataclass(frozen=True)
class Row:
    label: str
    value: object
    kind: str = INTEGER
    extra: object = None  # a second value where a table needs one (a share, a structure, a rate)


@dataclass(frozen=True)
class TrendRow:
    label: str
    values: list  # one per season, in the order of `SeasonReport.seasons`
    kind: str = INTEGER


@dataclass(frozen=True)
class CoachingLine:
    label: str
    meetings: int
    hours: float
    technical_hours: float
    human_hours: float
    unspecified_hours: float
    extra: str = ""


@dataclass(frozen=True)
class SessionLine:
    session: TrainingSession
    rate: int | None  # percent, for held days only
    participant_days: Decimal
    outside: bool | None


@dataclass(frozen=True)
class SharedActor:
    """An actor several of the season's projects met: where the projects' networks cross."""

    name: str
    kind: str
    projects: list[str]


@dataclass(frozen=True)
class ProjectLink:
    """Two projects of the season that met the same actors."""

    first: str
    second: str
    actors: list[str]


# The report shows the closest links between projects; the spreadsheet's shared-actors sheet holds them all.
MAX_PROJECT_LINKS = 20


@dataclass
class SeasonReport:
    cohort: Cohort
    partners: list
    territories: list
    seasons: list[Cohort]
    candidacies: object  # projects.services.statistics.SeasonFigures
    trend: list[TrendRow]
    projects: list[Project]
    projects_by_coach: list[Row]
    projects_by_structure: list[Row]
    projects_by_sector: list[Row]
    projects_by_territory: list[Row]
    outcomes_by_status: list[Row]
    outcomes_by_legal_form: list[Row]
    skills: list[Row]
    coaching_by_project: list[CoachingLine]
    coaching_by_coach: list[CoachingLine]
    coaching_total: CoachingLine
    sessions: list[SessionLine]
    venues_used: int
    attendance_by_project: list[Row]
    trainers: list
    actors_by_kind: list[Row]
    shared_actors: list[SharedActor] = field(default_factory=list)
    project_links: list[ProjectLink] = field(default_factory=list)
    project_links_total: int = 0
    satisfaction: Satisfaction | None = None
    follow_up: list[FollowUpLine] = field(default_factory=list)
    key_figures: list[Figure] = field(default_factory=list)
    resources: list[ResourceLine] = field(default_factory=list)  # committed against delivered, per structure

    @property
    def breakdowns(self):
        """(title, rows) of the projects' breakdowns, for templates."""
        return [
            (_("Par structure d'accompagnement"), self.projects_by_structure),
            (_("Par secteur"), self.projects_by_sector),
            (_("Par territoire"), self.projects_by_territory),
        ]

    @property
    def outcome_breakdowns(self):
        return [
            (_("Bilan de fin de saison"), self.outcomes_by_status),
            (_("Forme juridique"), self.outcomes_by_legal_form),
        ]

    @property
    def coaching_tables(self):
        return [
            (_("Par projet"), self.coaching_by_project),
            (_("Par chargé·e d'accompagnement"), self.coaching_by_coach),
        ]


class Bounded(list):
    """The first rows of a table, with how many there are in all (`total`) and how many were left out (`left_out`),
    read by the report's template."""

    def __init__(self, rows, limit: int):
        rows = list(rows)
        super().__init__(rows[:limit])
        self.total = len(rows)
        self.left_out = max(len(rows) - limit, 0)


def first_projects(report: SeasonReport, limit: int) -> SeasonReport:
    """The report with its tables of one row per project cut at `limit` rows; totals and figures are those of every
    row. The PDF and the pages show a big season's first projects so; the XLSX and the CSV hold every row."""
    return dataclasses.replace(
        report,
        projects=Bounded(report.projects, limit),
        coaching_by_project=Bounded(report.coaching_by_project, limit),
        attendance_by_project=Bounded(report.attendance_by_project, limit),
    )


def _share(part, whole) -> float | None:
    return 100 * part / whole if whole else None


def _grouped(queryset, by: str, **aggregates) -> dict:
    return {row[by]: row for row in queryset.order_by().values(by).annotate(**aggregates)}


def _season_trend(seasons, candidacies) -> list[TrendRow]:
    """A few figures per season side by side, each from one grouped query over all the seasons."""
    pks = [season.pk for season in seasons]
    projects = _grouped(Project.objects.filter(cohort__in=pks), "cohort", n=Count("pk"))
    coaching = _grouped(
        CoachingSession.objects.filter(project__cohort__in=pks), "project__cohort", minutes=Sum("duration_minutes")
    )
    days = _grouped(
        TrainingSession.objects.filter(cohort__in=pks),
        "cohort",
        held=Count("pk", filter=Q(status=HELD)),
    )
    presence = _grouped(
        Attendance.objects.filter(session__cohort__in=pks).exclude(session__status=CANCELLED),
        "session__cohort",
        mornings=Count("pk", filter=Q(morning=PRESENT)),
        afternoons=Count("pk", filter=Q(afternoon=PRESENT)),
    )
    outcomes = _grouped(
        Outcome.objects.filter(project__cohort__in=pks),
        "project__cohort",
        jobs=Sum("jobs_fte"),
        funds=Sum("funds_raised"),
    )

    def column(groups, key, default=0):
        return [(groups.get(pk) or {}).get(key) or default for pk in pks]

    # Months after each season: nothing ("—") for a season whose projects were not asked yet.
    followed = seasons_follow_up(seasons)
    later = []
    for months in followed.jobs:
        later += [
            TrendRow(
                _("Emplois %(months)s mois après la saison (ETP)") % {"months": months}, followed.jobs[months], DECIMAL
            ),
            TrendRow(
                _("Réponses au suivi à %(months)s mois (%%)") % {"months": months},
                followed.answer_rates[months],
                PERCENT,
            ),
        ]

    participant_days = [
        Decimal(row_m + row_a) / 2
        for row_m, row_a in zip(column(presence, "mornings"), column(presence, "afternoons"), strict=True)
    ]
    return [
        TrendRow(_("Candidatures reçues"), candidacies.received),
        TrendRow(_("Taux d'acceptation (%)"), candidacies.acceptance_rates, PERCENT),
        TrendRow(_("Projets accompagnés"), column(projects, "n")),
        TrendRow(_("Heures d'accompagnement"), [minutes / 60 for minutes in column(coaching, "minutes")], HOURS),
        TrendRow(_("Journées collectives tenues"), column(days, "held")),
        TrendRow(_("Journées-participants"), participant_days, DECIMAL),
        TrendRow(_("Emplois créés (ETP)"), column(outcomes, "jobs", Decimal(0)), DECIMAL),
        *later,
        TrendRow(_("Fonds obtenus (€)"), column(outcomes, "funds", Decimal(0)), EUROS),
    ]


def season_comparison(seasons) -> tuple:
    """The season comparison: (candidacy figures, trend rows) for `seasons`, in their order, whatever their
    programmes. A fixed number of grouped queries however many seasons."""
    seasons = list(seasons)
    candidacies = candidacy_figures(seasons)
    return candidacies, _season_trend(seasons, candidacies)


def _counted(counter: Counter, labels: dict, total: int) -> list[Row]:
    rows = [
        Row(str(labels.get(key) or key or _("Non précisé")), n, INTEGER, _share(n, total)) for key, n in counter.items()
    ]
    return sorted(rows, key=lambda row: (-row.value, row.label))


def _coaching_line(label, extra="", *, totals) -> CoachingLine:
    return CoachingLine(
        label,
        totals.meetings,
        totals.hours,
        totals.technical_hours,
        totals.human_hours,
        totals.unspecified_hours,
        extra,
    )


def _shared_actors(met, project_names) -> tuple[list[SharedActor], list[ProjectLink], int]:
    """From (actor, name, kind, project, meetings) rows: the actors met by two projects or more, and each pair of
    projects that met the same actors, those sharing the most first (the first `MAX_PROJECT_LINKS`)."""
    kinds = dict(Actor.Kind.choices)
    names, kind_of, projects_of = {}, {}, defaultdict(set)
    for actor, name, kind, project, _n in met:
        names[actor], kind_of[actor] = name, kind
        projects_of[actor].add(project)
    shared = sorted(
        (actor for actor, projects in projects_of.items() if len(projects) > 1),
        key=lambda actor: (-len(projects_of[actor]), names[actor]),
    )
    shared_actors = [
        SharedActor(
            names[actor],
            str(kinds.get(kind_of[actor], kind_of[actor])),
            sorted(project_names.get(project, "") for project in projects_of[actor]),
        )
        for actor in shared
    ]
    pairs = defaultdict(list)
    for actor in shared:
        ordered = sorted(projects_of[actor], key=lambda project: (project_names.get(project, ""), project))
        for first, second in combinations(ordered, 2):
            pairs[(first, second)].append(names[actor])
    closest = sorted(
        pairs.items(),
        key=lambda item: (-len(item[1]), project_names.get(item[0][0], ""), project_names.get(item[0][1], "")),
    )[:MAX_PROJECT_LINKS]
    links = [
        ProjectLink(project_names.get(first, ""), project_names.get(second, ""), sorted(actors))
        for (first, second), actors in closest
    ]
    return shared_actors, links, len(pairs)


def compared_seasons(cohort: Cohort):
    """This season and the programme's earlier ones, most recent first: the partners watch the trend."""
    return Cohort.objects.filter(
        Q(pk=cohort.pk) | Q(programme=cohort.programme_id, start_date__lt=cohort.start_date)
    ).order_by("-start_date", "name")


def season_report(cohort: Cohort, *, with_comments: bool = False) -> SeasonReport:
    """Everything the season report shows; `cohort` comes with its programme, partners and territories.

    What participants wrote after each day comes only `with_comments`, for the staff's own page: the files
    handed to funders, and any view made for them, leave it out.
    """
    partners = list(cohort.programme.partners.all())
    territories = list(cohort.territories.all())
    seasons = list(compared_seasons(cohort))
    candidacies = candidacy_figures(seasons)
    trend = _season_trend(seasons, candidacies)

    # --- Projects
    projects = list(projects_queryset(cohort).select_related("territory", "outcome"))
    project_names = {project.pk: project.name for project in projects}
    sectors = dict(Sector.choices)
    # Each project counts once, for its main coach during the season and that coach's structure.
    coached = season_project_coaches(cohort=cohort)
    per_coach, per_structure = Counter(), Counter()
    for project in projects:
        project.coaches = coached.get(project.pk, ProjectCoaches())
        main = project.coaches.main
        per_coach[(main.name, main.structure) if main else None] += 1
        per_structure[(main.structure or _("Structure non renseignée")) if main else None] += 1
    projects_by_coach = [
        Row(name, count, INTEGER, structure)
        for (name, structure), count in sorted(
            ((key, count) for key, count in per_coach.items() if key), key=lambda item: item[0]
        )
    ]
    total_projects = len(projects)
    projects_by_structure = _counted(per_structure, {None: _("Sans chargé·e d'accompagnement")}, total_projects)
    projects_by_sector = _counted(Counter(project.sector for project in projects), sectors, total_projects)
    territory_names = {project.territory_id: str(project.territory) for project in projects if project.territory}
    projects_by_territory = _counted(
        Counter(project.territory_id for project in projects), territory_names, total_projects
    )

    # --- Outcomes (a project without a filled-in outcome is counted as such)
    for project in projects:
        # A reverse one-to-one without a row raises on access; templates read this instead.
        project.outcome_or_none = getattr(project, "outcome", None)
    outcomes = [project.outcome_or_none for project in projects]
    known = [outcome for outcome in outcomes if outcome is not None]
    per_status = Counter(outcome.status if outcome else None for outcome in outcomes)
    status_labels = [*Outcome.Status.choices, (None, _("Bilan pas encore fait"))]
    outcomes_by_status = [
        Row(str(label), per_status[status], INTEGER, _share(per_status[status], total_projects))
        for status, label in status_labels
        if per_status[status]
    ]
    outcomes_by_legal_form = _counted(
        Counter(outcome.legal_form for outcome in known), dict(Outcome.LegalForm.choices), len(known)
    )
    skills = [
        Row(project.name, project.outcome.skills_gained, INTEGER, project.outcome.get_status_display())
        for project in projects
        if getattr(project, "outcome", None) and project.outcome.skills_gained
    ]
    milestones_done = sum(project.milestones_done for project in projects)
    milestones_total = sum(project.milestones_total for project in projects)

    # --- Coaching
    coaching = season_coaching_totals(cohort=cohort)
    coach_names = {
        user.pk: (str(user), str(user.partner_structure or ""))
        for user in User.objects.filter(pk__in=list(coaching.by_coach)).select_related("partner_structure")
    }
    coaching_by_project = sorted(
        (_coaching_line(project_names.get(pk, "?"), totals=totals) for pk, totals in coaching.by_project.items()),
        key=lambda line: line.label,
    )
    coaching_by_coach = sorted(
        (_coaching_line(*coach_names.get(pk, ("?", "")), totals=totals) for pk, totals in coaching.by_coach.items()),
        key=lambda line: line.label,
    )
    coaching_total = _coaching_line(_("Total"), totals=coaching.total)

    # --- Collective days
    days = TrainingSession.objects.filter(cohort=cohort)
    sessions = list(days.select_related("venue").order_by("date", "pk"))
    rates = session_attendance_rates(days)
    session_lines = [
        SessionLine(
            session,
            rates[session.pk].percent if session.status == HELD else None,
            rates[session.pk].participant_days if session.status != CANCELLED else Decimal(0),
            None if session.venue is None else session.venue.kind != Venue.Kind.PARTNER_OFFICE,
        )
        for session in sessions
    ]
    held = [line for line in session_lines if line.session.status == HELD]
    planned = [line for line in session_lines if line.session.status != CANCELLED]
    held_with_venue = [line for line in held if line.outside is not None]
    venues_used = len({line.session.venue_id for line in held_with_venue})
    project_rates = project_attendance_rates(cohort)
    attendance_by_project = [
        Row(project.name, project_rates[project.pk].percent, PERCENT, project_rates[project.pk].participant_days)
        for project in projects
    ]
    season_rate = sum((project_rates[project.pk] for project in projects), start=Rate())
    days_of_participants = participant_days(days)

    # --- Local activity
    trainers = list(trainer_days(cohort).select_related("home_territory"))
    for trainer in trainers:
        trainer.is_local = trainer.is_local_to(territories)
        trainer.fees = None if trainer.daily_rate is None else trainer.daily_rate * trainer.held_days
    mobilised = [trainer for trainer in trainers if trainer.held_days]
    local = [trainer for trainer in mobilised if trainer.is_local]
    local_days = sum(trainer.held_days for trainer in local)
    local_fees = sum((trainer.fees or Decimal(0) for trainer in local), start=Decimal(0))
    # One grouped query: meetings per actor and project, read for the kinds and for the actors projects share.
    met = list(
        ActorMet.objects.filter(project__cohort=cohort)
        .order_by()
        .values_list("actor_id", "actor__organisation", "actor__kind", "project_id")
        .annotate(n=Count("pk"))
    )
    actors_total = sum(n for *_rest, n in met)
    by_kind = Counter()
    for _actor, _name, kind, _project, n in met:
        by_kind[kind] += n
    actors_by_kind = _counted(by_kind, dict(Actor.Kind.choices), actors_total)
    shared_actors, project_links, project_links_total = _shared_actors(met, project_names)

    # --- Months after the season
    follow_up = season_follow_up(cohort, projects=total_projects)
    later_figures = []
    for line in follow_up[1:]:
        later_figures += [
            Figure(
                _("Emplois %(months)s mois après la saison (ETP)") % {"months": line.months},
                line.jobs if line.asked else None,
                DECIMAL,
            ),
            Figure(_("Réponses au suivi à %(months)s mois (%%)") % {"months": line.months}, line.answer_rate, PERCENT),
        ]

    current = 0  # this season is the first column of the candidacy figures
    key_figures = [
        Figure(_("Candidatures reçues"), candidacies.received[current]),
        Figure(_("Candidatures retenues"), candidacies.accepted[current]),
        Figure(_("Taux d'acceptation (%)"), candidacies.acceptance_rates[current], PERCENT),
        Figure(_("Projets accompagnés"), total_projects),
        Figure(_("Étapes clés atteintes"), milestones_done),
        Figure(_("Étapes clés prévues"), milestones_total),
        Figure(_("Rendez-vous d'accompagnement"), coaching.total.meetings),
        Figure(_("Heures d'accompagnement"), coaching.total.hours, HOURS),
        Figure(_("dont sujets techniques (heures)"), coaching.total.technical_hours, HOURS),
        Figure(_("dont sujets humains (heures)"), coaching.total.human_hours, HOURS),
        Figure(_("dont rendez-vous sans sujet noté (heures)"), coaching.total.unspecified_hours, HOURS),
        Figure(_("Journées collectives prévues"), len(planned)),
        Figure(_("Journées collectives tenues"), len(held)),
        Figure(_("Journées annulées"), len(session_lines) - len(planned)),
        Figure(_("Lieux utilisés"), venues_used),
        Figure(
            _("Part des journées hors des locaux des partenaires (%)"),
            _share(len([line for line in held_with_venue if line.outside]), len(held_with_venue)),
            PERCENT,
        ),
        Figure(_("Taux de présence aux journées (%)"), season_rate.percent, PERCENT),
        Figure(_("Journées-participants"), days_of_participants, DECIMAL),
        Figure(_("Formateur·rices mobilisé·es"), len(mobilised)),
        Figure(_("Part de formateur·rices locaux (%)"), _share(len(local), len(mobilised)), PERCENT),
        Figure(_("Journées animées par des formateur·rices locaux"), local_days),
        Figure(_("Honoraires versés aux formateur·rices locaux (€)"), local_fees, EUROS),
        Figure(_("Acteurs du territoire rencontrés"), actors_total),
        Figure(_("Projets lancés"), sum(1 for outcome in known if outcome.status == Outcome.Status.LAUNCHED)),
        Figure(_("Emplois créés (ETP)"), sum((outcome.jobs_fte for outcome in known), start=Decimal(0)), DECIMAL),
        Figure(_("Bénévoles mobilisé·es"), sum(outcome.volunteers for outcome in known)),
        Figure(_("Fonds obtenus (€)"), sum((outcome.funds_raised for outcome in known), start=Decimal(0)), EUROS),
        *later_figures,
    ]
    return SeasonReport(
        cohort=cohort,
        partners=partners,
        territories=territories,
        seasons=seasons,
        candidacies=candidacies,
        trend=trend,
        projects=projects,
        projects_by_coach=projects_by_coach,
        projects_by_structure=projects_by_structure,
        projects_by_sector=projects_by_sector,
        projects_by_territory=projects_by_territory,
        outcomes_by_status=outcomes_by_status,
        outcomes_by_legal_form=outcomes_by_legal_form,
        skills=skills,
        coaching_by_project=coaching_by_project,
        coaching_by_coach=coaching_by_coach,
        coaching_total=coaching_total,
        sessions=session_lines,
        venues_used=venues_used,
        attendance_by_project=attendance_by_project,
        trainers=trainers,
        actors_by_kind=actors_by_kind,
        shared_actors=shared_actors,
        project_links=project_links,
        project_links_total=project_links_total,
        satisfaction=season_satisfaction(cohort, with_comments=with_comments),
        follow_up=follow_up,
        key_figures=key_figures,
        resources=season_resources(cohort),
    )


__all__ = [
    "Bounded",
    "Figure",
    "ProjectLink",
    "Row",
    "SeasonReport",
    "SharedActor",
    "TrendRow",
    "compared_seasons",
    "first_projects",
    "season_comparison",
    "season_report",
]

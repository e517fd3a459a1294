"""Projects followed over time: 6, 12 and 24 months after their season, the project's contact says where it stands.

Beat runs `send_due_follow_ups` once an hour (`manage.py send_due_follow_ups` runs it by hand). The database
decides what is due, and the `FollowUp` row decides what was sent: a season's rows are written with their outbox
rows in one transaction, under a lock on the season, so a second sweep waits, then finds them written; the unique
constraint on project × milestone keeps each mail single whatever happens. An unanswered follow-up is reminded once,
two weeks after its mail.

The contact answers through a signed link, with no account; the answer stays changeable for 30 days after it
was first given, then it is kept as it is.
"""

import calendar
import datetime
import logging
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from outbox.emails import Mail, render_email, send_many_after_commit

from .. import tokens
from ..models import FollowUp, Outcome, Project, ProjectMember

logger = logging.getLogger(__name__)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MILESTONES = (6, 12, 24)
# The mail leaves on the milestone's day, from this hour...
SEND_HOUR = 9
# ...and not at all once the day is this long past (a season imported late asks nothing years after).
LATE_DAYS = 60
# An unanswered follow-up is reminded this many days after its mail, once.
REMIND_DAYS = 14
# An answer may be changed this many days after it was first given.
CHANGE_DAYS = 30
# Follow-ups reminded per transaction: the queries of a batch do not grow with the number of rows.
BATCH_SIZE = 200
SALT = "projects.follow_up"


class FollowUpClosed(Exception):
    """The answer was given more than 30 days ago: it is kept as it is."""


# --- Dates ---------------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months later; the month's last day when that day does not exist (31 August + 6)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(cohort: Cohort, months: int) -> datetime.date:
    """The milestone's day: `months` months after the season's last day."""
    return add_months(cohort.end_date, months)


def ask_moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(SEND_HOUR), tzinfo=PARIS)


def is_due(day: datetime.date, now: datetime.datetime) -> bool:
    moment = ask_moment(day)
    return moment <= now < moment + datetime.timedelta(days=LATE_DAYS)


# --- Links ---------------------------------------------------------------------------------------------


def follow_up_token(follow_up: FollowUp) -> str:
    return signing.dumps(follow_up.pk, salt=SALT)


def follow_up_from_token(token: str) -> FollowUp | None:
    """The follow-up a link is for, or None when it is forged, damaged, too old, or made for something else."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=settings.FOLLOW_UP_LINK_DAYS))
    except signing.BadSignature:
        return None
    return FollowUp.objects.select_related("project__cohort__programme").filter(pk=pk).first()


def follow_up_url(follow_up: FollowUp) -> str:
    return reverse("projects:follow_up", kwargs={"token": follow_up_token(follow_up)})


# --- Whom to ask ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    name: str
    email: str


def contact_of(project: Project) -> Contact | None:
    """The candidacy's contact, or else the first team member with an address (prefetched `mailable_members`)."""
    candidacy = project.candidacy
    if candidacy is not None and candidacy.contact_email:
        return Contact(candidacy.contact_name, candidacy.contact_email)
    for member in project.mailable_members:
        return Contact(member.name, member.email)
    return None


def _projects_to_ask(cohort: Cohort, months: int):
    return (
        Project.objects.filter(cohort=cohort)
        .exclude(follow_ups__months=months)
        .select_related("candidacy", "cohort__programme")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=ProjectMember.objects.exclude(email="").order_by("pk"),
                to_attr="mailable_members",
            )
        )
        .order_by("name", "pk")
    )


# --- The sweep -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sweep:
    asked: int
    reminded: int

    @property
    def total(self) -> int:
        return self.asked + self.reminded


def due_seasons(now: datetime.datetime) -> list[tuple[Cohort, int, datetime.date]]:
    """(season, months, day) of every milestone due now, in one query."""
    today = now.astimezone(PARIS).date()
    # A few days' margin each side: a month's last day moves with the month (31 March + 6 = 30 September).
    margin = datetime.timedelta(days=3)
    earliest = add_months(today - datetime.timedelta(days=LATE_DAYS + 1), -max(MILESTONES)) - margin
    latest = add_months(today, -min(MILESTONES)) + margin
    cohorts = (
        Cohort.objects.filter(end_date__gte=earliest, end_date__lte=latest)
        .select_related("programme")
        .order_by("end_date", "pk")
    )
    return [
        (cohort, months, due_on(cohort, months))
        for cohort in cohorts
        for months in MILESTONES
        if is_due(due_on(cohort, months), now)
    ]


def send_due_follow_ups(*, now: datetime.datetime | None = None) -> Sweep:
    """Ask every season's projects whose milestone has come and who were not asked yet, and remind once those
    who have not answered two weeks after their mail. Safe to run twice, even at the same moment."""
    now = now or timezone.now()
    asked = 0
    for cohort, months, day in due_seasons(now):
        try:
            asked += _ask_season(cohort, months, day, now)
        except IntegrityError:  # written meanwhile by a path that took no lock: the next sweep finds what is left
            logger.warning(
                "Follow-ups of season %s at %s months: written meanwhile, left to the next sweep", cohort.pk, months
            )
    reminded = 0
    while True:
        batch = _remind_batch(now)
        reminded += batch
        if batch < BATCH_SIZE:
            break
    if asked or reminded:
        logger.info("Queued %s follow-ups and %s follow-up reminders", asked, reminded)
    return Sweep(asked=asked, reminded=reminded)


def _mail_context(follow_up: FollowUp, contact_name: str) -> dict:
    project = follow_up.project
    return {
        "project": project,
        "cohort": project.cohort,
        "name": contact_name,
        "months": follow_up.months,
        "follow_up_url": tokens.absolute(follow_up_url(follow_up)),
        "change_days": CHANGE_DAYS,
    }


@transaction.atomic
def _ask_season(cohort: Cohort, months: int, day: datetime.date, now: datetime.datetime) -> int:
    """One season's milestone: six queries whatever the number of projects (the lock, the projects and their
    members, the follow-ups, the outbox rows, their links)."""
    # A second sweep waits here, then reads the follow-ups this one wrote.
    Cohort.objects.select_for_update().filter(pk=cohort.pk).order_by().values_list("pk", flat=True).first()
    rows, names = [], []
    for project in _projects_to_ask(cohort, months):
        contact = contact_of(project)
        if contact is None:
            continue
        rows.append(FollowUp(project=project, months=months, due_on=day, email=contact.email, sent_at=now))
        names.append(contact.name)
    if not rows:
        return 0
    FollowUp.objects.bulk_create(rows)
    with translation.override(settings.LANGUAGE_CODE):
        mails = []
        for row, name in zip(rows, names, strict=True):
            subject, body = render_email("projects/emails/follow_up", _mail_context(row, name))
            mails.append(Mail(to=[row.email], subject=subject, body=body, programme=cohort.programme_id))
    for row, mail in zip(rows, send_many_after_commit(mails), strict=True):
        row.mail = mail
    FollowUp.objects.bulk_update(rows, ["mail"])
    return len(rows)


def _to_remind(now: datetime.datetime):
    return FollowUp.objects.filter(
        answered_at__isnull=True,
        reminded_at__isnull=True,
        sent_at__lte=now - datetime.timedelta(days=REMIND_DAYS),
        # A reminder weeks late would only puzzle: past this, the follow-up stays as it is.
        sent_at__gt=now - datetime.timedelta(days=REMIND_DAYS + LATE_DAYS),
    )


@transaction.atomic
def _remind_batch(now: datetime.datetime) -> int:
    """Up to `BATCH_SIZE` reminders in three queries. Rows another sweep holds are skipped: that sweep reminds them."""
    rows = list(
        _to_remind(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("project__cohort__programme")
        .order_by("sent_at", "pk")[:BATCH_SIZE]
    )
    if not rows:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        mails = []
        for row in rows:
            subject, body = render_email("projects/emails/follow_up_reminder", _mail_context(row, ""))
            mails.append(Mail(to=[row.email], subject=subject, body=body, programme=row.project.cohort.programme_id))
    for row, mail in zip(rows, send_many_after_commit(mails), strict=True):
        row.reminder_mail, row.reminded_at = mail, now
    FollowUp.objects.bulk_update(rows, ["reminder_mail", "reminded_at"])
    return len(rows)


# --- Answering -----------------------------------------------------------------------------------------


def can_change(follow_up: FollowUp, now: datetime.datetime | None = None) -> bool:
    """Not answered yet, or answered less than 30 days ago."""
    now = now or timezone.now()
    return follow_up.answered_at is None or now < follow_up.answered_at + datetime.timedelta(days=CHANGE_DAYS)


def change_deadline(follow_up: FollowUp) -> datetime.datetime | None:
    if follow_up.answered_at is None:
        return None
    return follow_up.answered_at + datetime.timedelta(days=CHANGE_DAYS)


@dataclass(frozen=True)
class Answered:
    follow_up: FollowUp
    first_time: bool  # False: an earlier answer was changed


ANSWER_FIELDS = ["status", "legal_form", "jobs_fte", "volunteers", "funds_raised", "sentence"]


@transaction.atomic
def answer_follow_up(
    *,
    follow_up: FollowUp,
    status: str,
    legal_form: str,
    jobs_fte: Decimal,
    volunteers: int,
    funds_raised: Decimal,
    sentence: str,
) -> Answered:
    """Record where the project stands, or the contact's change within 30 days; raises `FollowUpClosed` after."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    now = timezone.now()
    if not can_change(follow_up, now):
        raise FollowUpClosed
    first_time = follow_up.answered_at is None
    follow_up.status, follow_up.legal_form = status, legal_form
    follow_up.jobs_fte, follow_up.volunteers, follow_up.funds_raised = jobs_fte, volunteers, funds_raised
    follow_up.sentence = sentence.strip()
    if first_time:
        follow_up.answered_at = now
    else:
        follow_up.changed_at = now
    follow_up.save(update_fields=[*ANSWER_FIELDS, "answered_at", "changed_at"])
    return Answered(follow_up, first_time)


# --- What staff and the season report read ---------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpLine:
    """One moment of a season's projects: the end of the season (the outcomes), or a milestone after it."""

    label: str
    months: int  # 0: the end of the season
    projects: int
    asked: int  # the end of the season: projects whose outcome is written count as asked and answered
    answered: int
    jobs: Decimal
    volunteers: int
    funds: Decimal
    running: int
    due_on: datetime.date | None = None

    @property
    def answer_rate(self) -> float | None:
        return 100 * self.answered / self.asked if self.asked else None


def _milestone_labels() -> dict:
    return {0: _("Fin de la saison"), **{value: str(label) for value, label in FollowUp.Months.choices}}


def season_follow_up(cohort: Cohort, *, projects: int) -> list[FollowUpLine]:
    """The season's jobs and answers at its end and 6, 12 and 24 months later, in two queries."""
    labels = _milestone_labels()
    end = Outcome.objects.filter(project__cohort=cohort).aggregate(
        n=Count("pk"),
        jobs=Sum("jobs_fte"),
        volunteers=Sum("volunteers"),
        funds=Sum("funds_raised"),
        running=Count("pk", filter=Q(status=Outcome.Status.LAUNCHED)),
    )
    answered = Q(answered_at__isnull=False)
    rows = {
        row["months"]: row
        for row in FollowUp.objects.filter(project__cohort=cohort)
        .order_by()
        .values("months")
        .annotate(
            asked=Count("pk"),
            answered=Count("pk", filter=answered),
            jobs=Sum("jobs_fte", filter=answered),
            volunteers=Sum("volunteers", filter=answered),
            funds=Sum("funds_raised", filter=answered),
            running=Count("pk", filter=answered & Q(status=FollowUp.Status.RUNNING)),
        )
    }
    lines = [
        FollowUpLine(
            labels[0],
            0,
            projects,
            projects,
            end["n"],
            end["jobs"] or Decimal(0),
            end["volunteers"] or 0,
            end["funds"] or Decimal(0),
            end["running"],
            cohort.end_date,
        )
    ]
    for months in MILESTONES:
        row = rows.get(months, {})
        lines.append(
            FollowUpLine(
                labels[months],
                months,
                projects,
                row.get("asked", 0),
                row.get("answered", 0),
                row.get("jobs") or Decimal(0),
                row.get("volunteers") or 0,
                row.get("funds") or Decimal(0),
                row.get("running", 0),
                due_on(cohort, months),
            )
        )
    return lines


@dataclass(frozen=True)
class FollowUpTrend:
    """Per season (in the order given), each milestone's jobs and answer rate: None before anyone was asked."""

    jobs: dict  # months → list of Decimal | None
    answer_rates: dict  # months → list of float | None


def seasons_follow_up(seasons: list[Cohort]) -> FollowUpTrend:
    """The milestones of several seasons side by side, in one grouped query."""
    pks = [season.pk for season in seasons]
    answered = Q(answered_at__isnull=False)
    groups = defaultdict(dict)
    for row in (
        FollowUp.objects.filter(project__cohort__in=pks)
        .order_by()
        .values("project__cohort", "months")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=answered), jobs=Sum("jobs_fte", filter=answered))
    ):
        groups[row["months"]][row["project__cohort"]] = row
    jobs, rates = {}, {}
    for months in MILESTONES:
        by_season = [groups[months].get(pk) for pk in pks]
        jobs[months] = [None if row is None else row["jobs"] or Decimal(0) for row in by_season]
        rates[months] = [None if row is None else 100 * row["answered"] / row["asked"] for row in by_season]
    return FollowUpTrend(jobs=jobs, answer_rates=rates)


def project_follow_ups(project: Project) -> list[dict]:
    """The project's three milestones for its page: each one's day and, once asked, its row. One query."""
    asked = {row.months: row for row in FollowUp.objects.filter(project=project)}
    labels = _milestone_labels()
    return [
        {"months": months, "label": labels[months], "due_on": due_on(project.cohort, months), "row": asked.get(months)}
        for months in MILESTONES
    ]

"""A word after each day: three questions, mailed the morning after a held day to everyone marked present.

Beat runs `send_due_surveys` twice an hour (`manage.py send_due_surveys` runs it by hand). The database decides
what is due, and the `Survey` row decides what was sent: each row is written with its outbox row in one
savepoint, and the unique constraint on session × member turns a second sweep into a no-op for that person.

The person answers through a signed link, with no account; the answer stays changeable for a week after it was
first given, then it is kept as it is.
"""

import datetime
import logging
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outbox.emails import render_email, send_after_commit

from .. import tokens
from ..models import Attendance, Survey, TrainingSession

logger = logging.getLogger(__name__)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# The mail leaves the morning after the day, from this hour...
SEND_HOUR = 9
# ...and not at all once the day is this long past (attendance taken late still gets its survey).
LATE_DAYS = 3
# An answer may be changed this many days after it was first given.
CHANGE_DAYS = 7
SALT = "trainings.survey"
PRESENT = Attendance.Presence.PRESENT


class SurveyClosed(Exception):
    """The answer was given more than a week ago: it is kept as it is."""


# --- Links -------------------------------------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    return signing.dumps(survey.pk, salt=SALT)


def survey_from_token(token: str) -> Survey | None:
    """The survey a link is for, or None when it is forged, damaged or too old."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=settings.SURVEY_LINK_DAYS))
    except signing.BadSignature:
        return None
    return (
        Survey.objects.select_related("member__project", "session__venue", "session__cohort__programme")
        .filter(pk=pk)
        .first()
    )


def survey_url(survey: Survey) -> str:
    return reverse("trainings:survey", kwargs={"token": survey_token(survey)})


# --- The sweep ---------------------------------------------------------------------------------------


def survey_moment(day: datetime.date) -> datetime.datetime:
    """The morning after the day, in Paris, summer or winter time."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(SEND_HOUR), tzinfo=PARIS)


def is_due(day: datetime.date, now: datetime.datetime) -> bool:
    moment = survey_moment(day)
    return moment <= now < moment + datetime.timedelta(days=LATE_DAYS)


def send_due_surveys(*, now: datetime.datetime | None = None) -> int:
    """Queue the survey of every held day whose morning after has come, to each participant marked present and
    not asked yet; returns how many were queued. Safe to run twice, even at the same moment."""
    now = now or timezone.now()
    today = now.astimezone(PARIS).date()
    sessions = (
        TrainingSession.objects.filter(
            status=TrainingSession.Status.HELD,
            date__gte=today - datetime.timedelta(days=LATE_DAYS + 1),
            date__lt=today,
        )
        .select_related("cohort__programme", "venue")
        .order_by("date", "pk")
    )
    queued = 0
    for session in sessions:
        if is_due(session.date, now):
            queued += _send_session_surveys(session)
    if queued:
        logger.info("Queued %s surveys", queued)
    return queued


@transaction.atomic
def _send_session_surveys(session: TrainingSession) -> int:
    asked = set(Survey.objects.filter(session=session).values_list("member_id", flat=True))
    present = (
        Attendance.objects.filter(session=session)
        .filter(Q(morning=PRESENT) | Q(afternoon=PRESENT))
        .exclude(member__email="")
        .exclude(member_id__in=asked)
        .select_related("member")
        .order_by("member__email", "pk")
    )
    queued = 0
    with translation.override(settings.LANGUAGE_CODE):
        for attendance in present:
            try:
                with transaction.atomic():  # a savepoint: losing the race for this person skips only them
                    survey = Survey.objects.create(session=session, member=attendance.member)
                    subject, body = render_email(
                        "trainings/emails/survey",
                        {
                            "session": session,
                            "member": attendance.member,
                            "survey_url": tokens.absolute(survey_url(survey)),
                            "change_days": CHANGE_DAYS,
                        },
                    )
                    survey.mail = send_after_commit(
                        to=[attendance.member.email],
                        subject=subject,
                        body=body,
                        programme=session.cohort.programme_id,
                    )
                    survey.save(update_fields=["mail"])
            except IntegrityError:
                continue  # another sweep asked them first
            queued += 1
    return queued


# --- Answering ---------------------------------------------------------------------------------------


def can_change(survey: Survey, now: datetime.datetime | None = None) -> bool:
    """Not answered yet, or answered less than a week ago."""
    now = now or timezone.now()
    return survey.answered_at is None or now < survey.answered_at + datetime.timedelta(days=CHANGE_DAYS)


def change_deadline(survey: Survey) -> datetime.datetime | None:
    return None if survey.answered_at is None else survey.answered_at + datetime.timedelta(days=CHANGE_DAYS)


@dataclass(frozen=True)
class Answered:
    survey: Survey
    first_time: bool  # False: an earlier answer was changed


@transaction.atomic
def answer_survey(*, survey: Survey, usefulness: int, organisation: int, comment: str) -> Answered:
    """Record the person's answer, or their change to it within the week; raises `SurveyClosed` after that."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    if not can_change(survey, now):
        raise SurveyClosed
    first_time = survey.answered_at is None
    survey.usefulness, survey.organisation, survey.comment = usefulness, organisation, comment.strip()
    if first_time:
        survey.answered_at = now
    else:
        survey.changed_at = now
    survey.save(update_fields=["usefulness", "organisation", "comment", "answered_at", "changed_at"])
    return Answered(survey, first_time)


# --- What staff and the season report read ------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionLine:
    label: str
    asked: int
    answered: int
    usefulness: float | None
    organisation: float | None
    extra: str = ""
    session_pk: int | None = None  # the lines per day: the day's page and date
    date: datetime.date | None = None

    @property
    def answer_rate(self) -> int | None:
        return round(100 * self.answered / self.asked) if self.asked else None


@dataclass(frozen=True)
class Comment:
    session: TrainingSession
    text: str


@dataclass
class Satisfaction:
    total: SatisfactionLine
    by_day: list[SatisfactionLine] = field(default_factory=list)
    by_trainer: list[SatisfactionLine] = field(default_factory=list)
    by_venue: list[SatisfactionLine] = field(default_factory=list)
    comments: list[Comment] | None = None  # None: left out (what funders see never holds them)

    @property
    def tables(self):
        return [
            (_("Par journée"), self.by_day),
            (_("Par formateur·rice"), self.by_trainer),
            (_("Par lieu"), self.by_venue),
        ]


def _figures() -> dict:
    answered = Q(answered_at__isnull=False)
    return {
        "asked": Count("pk", distinct=True),
        "answered": Count("pk", filter=answered, distinct=True),
        "usefulness_avg": Avg("usefulness", filter=answered),
        "organisation_avg": Avg("organisation", filter=answered),
    }


def _line(row, label="", extra="", **day) -> SatisfactionLine:
    return SatisfactionLine(
        label=label,
        asked=row["asked"],
        answered=row["answered"],
        usefulness=None if row["usefulness_avg"] is None else float(row["usefulness_avg"]),
        organisation=None if row["organisation_avg"] is None else float(row["organisation_avg"]),
        extra=extra or "",
        **day,
    )


def _grouped(surveys, *by: str) -> list[dict]:
    """One row per group, with what names it: the names add no rows, they only come along."""
    return list(surveys.order_by().values(*by).annotate(**_figures()).order_by(*by[1:], by[0]))


def season_satisfaction(cohort, *, with_comments: bool) -> Satisfaction:
    """The answers of a season's days: overall, per day, per trainer and per venue, in four queries (five with
    the comments) whatever the number of days and answers. A day with two trainers counts for each of them.

    The comments come only `with_comments`, for staff: a funder's view never holds what people wrote.
    """
    surveys = Survey.objects.filter(session__cohort=cohort)
    satisfaction = Satisfaction(
        total=_line(surveys.order_by().aggregate(**_figures()), _("Toute la saison")),
        by_day=[
            _line(
                row, row["session__title"], row["session__topic"], session_pk=row["session"], date=row["session__date"]
            )
            for row in _grouped(surveys, "session", "session__date", "session__title", "session__topic")
        ],
        by_trainer=[
            _line(row, row["session__trainers__name"], row["session__trainers__organisation"])
            for row in _grouped(
                surveys.filter(session__trainers__isnull=False),
                "session__trainers",
                "session__trainers__name",
                "session__trainers__organisation",
            )
        ],
        by_venue=[
            _line(row, row["session__venue__name"], row["session__venue__commune"])
            for row in _grouped(
                surveys.filter(session__venue__isnull=False),
                "session__venue",
                "session__venue__name",
                "session__venue__commune",
            )
        ],
    )
    if with_comments:
        satisfaction.comments = [
            Comment(survey.session, survey.comment)
            for survey in surveys.exclude(comment="")
            .filter(answered_at__isnull=False)
            .select_related("session")
            .order_by("session__date", "session_id", "answered_at", "pk")
        ]
    return satisfaction

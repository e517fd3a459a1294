"""Attendance (émargement): who came to each half-day of a collective day, and the rates funders ask for.

Rates count half-days. What is expected of a session is, for each of its half-days, every invitee who did
not decline — and anyone who declined but came after all, so that a rate never goes above 100 %.
"""

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import audit

from ..models import Attendance, TrainingSession

logger = logging.getLogger(__name__)

PRESENT = Attendance.Presence.PRESENT
DECLINED = Attendance.Response.DECLINED
MARKS = frozenset(Attendance.Presence.values)


class AttendanceNotAllowed(Exception):
    """The marks cannot be recorded as given; the message says why, in the person's language."""


@dataclasses.dataclass(frozen=True)
class Rate:
    """Present half-days out of expected half-days."""

    present: int = 0
    expected: int = 0

    def __add__(self, other):
        return Rate(self.present + other.present, self.expected + other.expected)

    @property
    def value(self) -> float | None:
        return self.present / self.expected if self.expected else None

    @property
    def percent(self) -> int | None:
        return None if self.value is None else round(self.value * 100)

    @property
    def participant_days(self) -> Decimal:
        """Funders count days per participant: two half-days make one."""
        return Decimal(self.present) / 2


def half_days(session: TrainingSession) -> tuple[bool, bool]:
    """(morning, afternoon): the half-days a session has. A day with no times set yet has both."""
    morning = session.morning_start is not None or session.morning_end is not None
    afternoon = session.afternoon_start is not None or session.afternoon_end is not None
    if not (morning or afternoon):
        return True, True
    return morning, afternoon


def _half_day_in_session(half_day: str, prefix: str = "session__") -> Q:
    """The database side of `half_days`, for a query on attendances."""
    other = "afternoon" if half_day == "morning" else "morning"
    return (
        Q(**{f"{prefix}{half_day}_start__isnull": False})
        | Q(**{f"{prefix}{half_day}_end__isnull": False})
        | Q(**{f"{prefix}{other}_start__isnull": True, f"{prefix}{other}_end__isnull": True})
    )


def _rate_counts() -> dict:
    counts = {}
    for half_day in ("morning", "afternoon"):
        in_session = _half_day_in_session(half_day)
        came = Q(**{half_day: PRESENT})
        counts[f"present_{half_day}"] = Count("pk", filter=in_session & came)
        counts[f"expected_{half_day}"] = Count("pk", filter=in_session & (~Q(response=DECLINED) | came))
    return counts


def _rate(row: Mapping) -> Rate:
    return Rate(
        present=row["present_morning"] + row["present_afternoon"],
        expected=row["expected_morning"] + row["expected_afternoon"],
    )


def _grouped_rates(attendances, by: str) -> defaultdict:
    rows = attendances.order_by().values(by).annotate(**_rate_counts())
    rates = defaultdict(Rate)
    rates.update({row[by]: _rate(row) for row in rows})
    return rates


def attendance_rates_by_project(projects) -> defaultdict:
    """{project pk: Rate} of each project's members at their own season's held days, in one query."""
    attendances = Attendance.objects.filter(
        member__project__in=projects,
        session__status=TrainingSession.Status.HELD,
        session__cohort=F("member__project__cohort"),
    )
    return _grouped_rates(attendances, "member__project")


def attendance_rate(session: TrainingSession) -> Rate:
    """One session's rate, in one query."""
    return _rate(Attendance.objects.filter(session=session).aggregate(**_rate_counts()))


def attendance_rate_of(session: TrainingSession, attendances) -> Rate:
    """`attendance_rate` counted over the session's attendances already read (each with its `response`,
    `morning` and `afternoon`), without a query: the same rule as `_rate_counts`."""
    held = [half_day for half_day, kept in zip(("morning", "afternoon"), half_days(session), strict=True) if kept]
    present = expected = 0
    for attendance in attendances:
        for half_day in held:
            came = getattr(attendance, half_day) == PRESENT
            present += came
            expected += came or attendance.response != DECLINED
    return Rate(present=present, expected=expected)


def with_attendance_rate_counts(sessions):
    """Each session with the counts behind its rate, in the sessions' own query: `session_rate` reads them.

    Which half-days a session has is read on the session itself, as `attendance_rate_of` does, so the counts
    need not repeat it for every attendance."""
    counts = {}
    for half_day in ("morning", "afternoon"):
        came = Q(**{f"attendances__{half_day}": PRESENT})
        counts[f"present_{half_day}"] = Count("attendances", filter=came)
        counts[f"expected_{half_day}"] = Count("attendances", filter=~Q(attendances__response=DECLINED) | came)
    return sessions.annotate(**counts)


def session_rate(session: TrainingSession) -> Rate:
    """The rate of a session read through `with_attendance_rate_counts`: what `session_attendance_rates` gives it."""
    kept = [half_day for half_day, has in zip(("morning", "afternoon"), half_days(session), strict=True) if has]
    return Rate(
        present=sum(getattr(session, f"present_{half_day}") for half_day in kept),
        expected=sum(getattr(session, f"expected_{half_day}") for half_day in kept),
    )


def session_attendance_rates(sessions) -> defaultdict:
    """{session pk: Rate} for a queryset of sessions, in one query; a session nobody is invited to rates Rate()."""
    return _grouped_rates(Attendance.objects.filter(session__in=sessions), "session")


def project_attendance_rates(cohort) -> defaultdict:
    """{project pk: Rate} over the season's sessions that were held, in one query.

    Only held sessions count: a day still to come, or one whose attendance was never taken, expects nobody yet.
    What `attendance_rates_by_project` counts for the season's projects, with the season named on both sides so that
    the database starts from its held days rather than from every attendance of its projects' members.
    """
    attendances = Attendance.objects.filter(
        member__project__cohort=cohort, session__cohort=cohort, session__status=TrainingSession.Status.HELD
    )
    return _grouped_rates(attendances, "member__project")


def participant_days(sessions) -> Decimal:
    """Participant-days (present half-days / 2) over a queryset of sessions, cancelled ones aside, in one query."""
    attendances = Attendance.objects.filter(session__in=sessions).exclude(
        session__status=TrainingSession.Status.CANCELLED
    )
    present = attendances.aggregate(
        morning=Count("pk", filter=_half_day_in_session("morning") & Q(morning=PRESENT)),
        afternoon=Count("pk", filter=_half_day_in_session("afternoon") & Q(afternoon=PRESENT)),
    )
    return Rate(present=present["morning"] + present["afternoon"]).participant_days


@transaction.atomic
def record_attendance(*, session: TrainingSession, marks: Mapping[int, tuple[str, str]], by) -> int:
    """Record who was there, per half-day: `marks` maps a member's pk to (morning, afternoon).

    Each mark is one of `Attendance.Presence` ("" leaves it unknown). Only invitees can be marked, and only
    for the half-days the session has. Once somebody is present on or after the session's date, the session
    is held. Returns how many attendances changed.
    """
    # Two people marking the same day at once are served one after the other.
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.status == TrainingSession.Status.CANCELLED:
        raise AttendanceNotAllowed(_("Cette journée est annulée : il n'y a pas d'émargement à faire."))
    has_morning, has_afternoon = half_days(session)
    for morning, afternoon in marks.values():
        if morning not in MARKS or afternoon not in MARKS:
            raise AttendanceNotAllowed(_("Choisissez présent·e, absent·e ou excusé·e."))
        if (morning and not has_morning) or (afternoon and not has_afternoon):
            raise AttendanceNotAllowed(_("Cette journée n'a pas de demi-journée à cet horaire."))

    # The member is read for the trail's name of each row; only the attendances are locked.
    attendances = list(
        Attendance.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(session=session, member_id__in=marks)
    )
    for attendance in attendances:
        attendance.session = session
    if len(attendances) != len(marks):
        raise AttendanceNotAllowed(_("Seules les personnes invitées à cette journée peuvent être émargées."))
    changed, trail = [], []
    for attendance in attendances:
        morning, afternoon = marks[attendance.member_id]
        if (attendance.morning, attendance.afternoon) != (morning, afternoon):
            differences = {
                name: [old, new]
                for name, old, new in [
                    ("morning", attendance.morning, morning),
                    ("afternoon", attendance.afternoon, afternoon),
                ]
                if old != new
            }
            attendance.morning, attendance.afternoon = morning, afternoon
            changed.append(attendance)
            trail.append((attendance, differences))
    Attendance.objects.bulk_update(changed, ["morning", "afternoon"])
    # bulk_update goes around the audit trail's hooks: the marks are recorded here, in one insert.
    audit.record_changes(trail)

    if (
        session.status != TrainingSession.Status.HELD
        and timezone.localdate() >= session.date
        and session.attendances.filter(Q(morning=PRESENT) | Q(afternoon=PRESENT)).exists()
    ):
        # Not a change members need in their calendars: the SEQUENCE stays as it is.
        session.status = TrainingSession.Status.HELD
        session.save(update_fields=["status"])
    logger.info(
        "Attendance of session %s: %s marks changed by user %s", session.pk, len(changed), getattr(by, "pk", None)
    )
    return len(changed)

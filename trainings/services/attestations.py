"""Attestations de participation: for each person of a project, what they took part in during their season.

An attestation lists the collective days the person was marked present at (date, place, topic, half-days),
their hours, and the coaching their project received; the programme's structures sign it. Each one carries a
short code that anyone can type on a public page to check it is genuine: the code is the member's number and
an HMAC of the member and season, written in an alphabet without look-alike characters (no 0/O, no 1/I).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Q
from django.utils.crypto import constant_time_compare, salted_hmac

from incubator.security import over_rate_limit, record_rate_limit
from projects.models import CoachingSession, ProjectMember
from projects.services import coaching_totals

from ..models import Attendance, TrainingSession
from .attendance import half_days

PRESENT = Attendance.Presence.PRESENT
# A half-day whose times are not set counts this long.
HALF_DAY_HOURS = Decimal("3.5")
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 characters, none mistaken for another
SIGNATURE_LENGTH = 10  # 50 bits: with the rate limit on the public page, nobody guesses one
SALT = "trainings.attestation"


# --- The verification code ---------------------------------------------------------------------------


def _encode(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, len(ALPHABET))
        digits = ALPHABET[digit] + digits
        if not number:
            return digits


def _signature(member_pk: int, cohort_pk: int) -> str:
    digest = int.from_bytes(salted_hmac(SALT, f"{member_pk}:{cohort_pk}", algorithm="sha256").digest()[:8], "big")
    return "".join(ALPHABET[(digest >> (5 * i)) & 31] for i in range(SIGNATURE_LENGTH))


def attestation_code(member: ProjectMember) -> str:
    """The same code every time for the same person and season, in groups of four: "K7PM-X2QD-9B3F"."""
    raw = _signature(member.pk, member.project.cohort_id) + _encode(member.pk)
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(code: str) -> str:
    """What a person types, the way the code is written: capitals, without spaces or dashes; O read as 0 is
    not in the alphabet, so a typed O stays wrong rather than matching somebody else."""
    return "".join(character for character in code.upper() if character.isalnum())


def member_for_code(code: str) -> ProjectMember | None:
    """The person an attestation code is for, or None when it is mistyped or made up."""
    raw = normalise_code(code)
    signature, number = raw[:SIGNATURE_LENGTH], raw[SIGNATURE_LENGTH:]
    if len(signature) != SIGNATURE_LENGTH or not number or len(number) > 8 or set(raw) - set(ALPHABET):
        return None
    pk = 0
    for character in number:
        pk = pk * len(ALPHABET) + ALPHABET.index(character)
    member = ProjectMember.objects.select_related("project__cohort__programme").filter(pk=pk).first()
    if member is None or not constant_time_compare(signature, _signature(member.pk, member.project.cohort_id)):
        return None
    return member


# --- What an attestation says --------------------------------------------------------------------------


def half_day_hours(start: datetime.time | None, end: datetime.time | None) -> Decimal:
    if start is None or end is None:
        return HALF_DAY_HOURS
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class AttendedDay:
    session: TrainingSession
    morning: bool
    afternoon: bool
    hours: Decimal


@dataclass(frozen=True)
class Attestation:
    member: ProjectMember
    days: list[AttendedDay]
    coaching_hours: Decimal
    code: str

    @property
    def project(self):
        return self.member.project

    @property
    def cohort(self):
        return self.member.project.cohort

    @property
    def programme(self):
        return self.member.project.cohort.programme

    @property
    def partners(self) -> list:
        return list(self.programme.partners.all())

    @property
    def day_hours(self) -> Decimal:
        return sum((day.hours for day in self.days), start=Decimal(0))

    @property
    def half_days(self) -> int:
        return sum(int(day.morning) + int(day.afternoon) for day in self.days)

    @property
    def total_hours(self) -> Decimal:
        return self.day_hours + self.coaching_hours

    @property
    def has_content(self) -> bool:
        """Something to attest: a half-day present, or coaching received."""
        return bool(self.days) or self.coaching_hours > 0


def _attended_day(attendance: Attendance) -> AttendedDay:
    session = attendance.session
    has_morning, has_afternoon = half_days(session)
    morning = has_morning and attendance.morning == PRESENT
    afternoon = has_afternoon and attendance.afternoon == PRESENT
    hours = Decimal(0)
    if morning:
        hours += half_day_hours(session.morning_start, session.morning_end)
    if afternoon:
        hours += half_day_hours(session.afternoon_start, session.afternoon_end)
    return AttendedDay(session, morning, afternoon, hours)


def attestations(members) -> list[Attestation]:
    """The attestation of each of these members (a queryset), in four queries whatever their number: the
    members with their season and its structures, their held days, and their projects' coaching."""
    members = list(
        members.select_related("project__cohort__programme")
        .prefetch_related("project__cohort__programme__partners")
        .order_by("project__name", "project_id", "name", "pk")
    )
    days = {member.pk: [] for member in members}
    attendances = (
        Attendance.objects.filter(
            member__in=[member.pk for member in members],
            session__status=TrainingSession.Status.HELD,
            session__cohort=F("member__project__cohort"),
        )
        .filter(Q(morning=PRESENT) | Q(afternoon=PRESENT))
        .select_related("session__venue")
        .order_by("session__date", "session_id")
    )
    for attendance in attendances:
        day = _attended_day(attendance)
        if day.morning or day.afternoon:
            days[attendance.member_id].append(day)
    coaching = coaching_totals(
        CoachingSession.objects.filter(project__in={member.project_id for member in members})
    ).by_project
    return [
        Attestation(
            member=member,
            days=days[member.pk],
            coaching_hours=(
                Decimal(coaching[member.project_id].minutes) / 60 if member.project_id in coaching else Decimal(0)
            ).quantize(Decimal("0.01")),
            code=attestation_code(member),
        )
        for member in members
    ]


def member_attestation(member: ProjectMember) -> Attestation:
    return attestations(ProjectMember.objects.filter(pk=member.pk))[0]


def season_attestations(cohort) -> list[Attestation]:
    """Every attestation of the season that has something to attest."""
    return [
        attestation
        for attestation in attestations(ProjectMember.objects.filter(project__cohort=cohort))
        if attestation.has_content
    ]


# --- The public check ----------------------------------------------------------------------------------

CHECK_GROUP = "trainings.attestation_check"


@dataclass(frozen=True)
class Check:
    status: str  # "genuine", "unknown" or "too_many"
    attestation: Attestation | None = None


def check_attestation(client, *, code: str) -> Check:
    """What the public page says of a typed code. Every code typed counts against the visitor's address
    (`ATTESTATION_CHECK_RATE`), so that codes cannot be tried one after the other."""
    if over_rate_limit(client, group=CHECK_GROUP, rate=settings.ATTESTATION_CHECK_RATE):
        return Check("too_many")
    record_rate_limit(client, group=CHECK_GROUP, rate=settings.ATTESTATION_CHECK_RATE)
    member = member_for_code(code)
    if member is None:
        return Check("unknown")
    return Check("genuine", member_attestation(member))

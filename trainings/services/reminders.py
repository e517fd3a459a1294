"""Reminders before each collective day: to every invitee who has not declined, and to its trainers.

Beat runs `send_due_reminders` every 15 minutes (and `manage.py send_due_reminders` runs it by hand).
The database decides what is due, and the `Reminder` row decides what was sent: each reminder row is
written with its outbox row in one transaction, and the unique constraint on session × e-mail × kind
turns a second sweep, even one running at the same moment, into a no-op for that person.
"""

import datetime
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation

from outbox.emails import Attachment, render_email, send_after_commit

from .. import calendars, tokens
from ..models import Attendance, Reminder, ReminderPolicy, TrainingSession, parse_offsets

logger = logging.getLogger(__name__)

# A reminder whose moment passed more than this long ago is not sent any more (the sweeper was down).
LATE_LIMIT = datetime.timedelta(days=1)
Status = TrainingSession.Status
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Schedule:
    offsets: list[int]
    hour: int


DEFAULT_SCHEDULE = Schedule(parse_offsets(ReminderPolicy.DEFAULT_OFFSETS), ReminderPolicy.DEFAULT_HOUR)


def schedules() -> dict[int, Schedule]:
    """Each programme's policy, by programme id; programmes without one use `DEFAULT_SCHEDULE`."""
    return {policy.programme_id: Schedule(policy.offsets, policy.hour) for policy in ReminderPolicy.objects.all()}


def reminder_moment(day: datetime.date, *, offset_days: int, hour: int) -> datetime.datetime:
    """`offset_days` calendar days before `day`, at `hour` o'clock in Paris, summer or winter time."""
    return datetime.datetime.combine(day - datetime.timedelta(days=offset_days), datetime.time(hour), tzinfo=PARIS)


def is_due(moment: datetime.datetime, now: datetime.datetime) -> bool:
    return moment <= now < moment + LATE_LIMIT


def due_kinds(session: TrainingSession, schedule: Schedule, now: datetime.datetime) -> list[int]:
    """The offsets whose reminder for this day is due now."""
    return [
        offset
        for offset in schedule.offsets
        if is_due(reminder_moment(session.date, offset_days=offset, hour=schedule.hour), now)
    ]


def send_due_reminders(*, now: datetime.datetime | None = None) -> int:
    """Queue every reminder that is due and not written yet; returns how many were queued.

    One transaction per session and kind; one savepoint per person, so that a reminder written by
    another sweep at the same moment only skips that person.
    """
    now = now or timezone.now()
    by_programme = schedules()
    largest = max([offset for s in [DEFAULT_SCHEDULE, *by_programme.values()] for offset in s.offsets])
    today = now.astimezone(PARIS).date()
    sessions = (
        TrainingSession.objects.exclude(status=TrainingSession.Status.CANCELLED)
        .filter(date__gte=today - datetime.timedelta(days=1), date__lte=today + datetime.timedelta(days=largest + 1))
        .select_related("cohort__programme", "venue")
        .prefetch_related("trainers")
        .order_by("date", "pk")
    )
    queued = 0
    for session in sessions:
        schedule = by_programme.get(session.cohort.programme_id, DEFAULT_SCHEDULE)
        for offset in due_kinds(session, schedule, now):
            queued += _send_session_reminders(session, Reminder.kind_for(offset), today=today)
    if queued:
        logger.info("Queued %s reminders", queued)
    return queued


@transaction.atomic
def _send_session_reminders(session: TrainingSession, kind: str, *, today: datetime.date) -> int:
    # Under the lock `cancel_session` takes: a day cancelled meanwhile gets no reminder.
    if not TrainingSession.objects.select_for_update().filter(pk=session.pk).exclude(status=Status.CANCELLED).exists():
        return 0
    done = set(Reminder.objects.filter(session=session, kind=kind).values_list("email", flat=True))
    invitees = list(
        Attendance.objects.filter(session=session)
        .exclude(response=Attendance.Response.DECLINED)
        .exclude(member__email="")
        .select_related("member")
        .order_by("member__email", "pk")
    )
    counts = Attendance.objects.filter(session=session).aggregate(
        confirmed=Count("pk", filter=Q(response=Attendance.Response.CONFIRMED)),
        no_answer=Count("pk", filter=Q(response=Attendance.Response.INVITED)),
    )
    queued = 0
    with translation.override(settings.LANGUAGE_CODE):
        for attendance in invitees:
            member = attendance.member
            queued += _write(
                session,
                kind,
                member.email,
                Reminder.Audience.MEMBER,
                done,
                lambda member=member: _member_mail(session, member, today=today),
                member=member,
            )
        for trainer in sorted(session.trainers.all(), key=lambda trainer: trainer.email):
            if trainer.email:
                queued += _write(
                    session,
                    kind,
                    trainer.email,
                    Reminder.Audience.TRAINER,
                    done,
                    lambda trainer=trainer: _trainer_mail(session, trainer, counts),
                    trainer=trainer,
                )
    return queued


def _write(session, kind, email, audience, done, compose, **person) -> int:
    email = email.strip().lower()
    if email in done:
        return 0
    done.add(email)
    try:
        with transaction.atomic():  # a savepoint: losing the race for this person skips only them
            reminder = Reminder.objects.create(session=session, email=email, kind=kind, audience=audience, **person)
            reminder.mail = send_after_commit(to=[email], programme=session.cohort.programme_id, **compose())
            reminder.save(update_fields=["mail"])
    except IntegrityError:
        return 0  # another sweep wrote it first
    return 1


def _member_mail(session: TrainingSession, member, *, today: datetime.date) -> dict:
    token = tokens.member_token(member)
    answer_url = tokens.absolute(reverse("trainings:member_answer", kwargs={"token": token, "session_pk": session.pk}))
    subject, body = render_email(
        "trainings/emails/reminder_member",
        {
            "session": session,
            "member": member,
            "days": (session.date - today).days,  # the sweep's own day, not the clock read again halfway
            "trainers": [trainer.name for trainer in session.trainers.all()],
            "confirm_url": f"{answer_url}?reponse=oui",
            "decline_url": f"{answer_url}?reponse=non",
            "page_url": tokens.absolute(reverse("trainings:member_page", kwargs={"token": token})),
        },
    )
    ics = Attachment(
        calendars.session_filename(session),
        calendars.session_calendar(session, member=member),
        "text/calendar",
    )
    return {"subject": subject, "body": body, "attachments": [ics]}


def _trainer_mail(session: TrainingSession, trainer, counts: dict) -> dict:
    subject, body = render_email(
        "trainings/emails/reminder_trainer",
        {
            "session": session,
            "trainer": trainer,
            "confirmed": counts["confirmed"],
            "no_answer": counts["no_answer"],
            "participants": counts["confirmed"] + counts["no_answer"],
        },
    )
    ics = Attachment(calendars.session_filename(session), calendars.session_calendar(session), "text/calendar")
    return {"subject": subject, "body": body, "attachments": [ics]}


# --- The staff page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    offset_days: int
    moment: datetime.datetime
    state: str  # "upcoming", "due" or "over"


def planned_reminders(session: TrainingSession, now: datetime.datetime | None = None) -> list[PlannedReminder]:
    """The day's reminders by its programme's policy, and where each stands now."""
    now = now or timezone.now()
    schedule = programme_schedule(session.cohort.programme_id)
    planned = []
    for offset in schedule.offsets:
        moment = reminder_moment(session.date, offset_days=offset, hour=schedule.hour)
        state = "upcoming" if now < moment else "due" if is_due(moment, now) else "over"
        planned.append(PlannedReminder(Reminder.kind_for(offset), offset, moment, state))
    return planned


def programme_schedule(programme_pk: int) -> Schedule:
    policy = ReminderPolicy.objects.filter(programme_id=programme_pk).first()
    return Schedule(policy.offsets, policy.hour) if policy else DEFAULT_SCHEDULE

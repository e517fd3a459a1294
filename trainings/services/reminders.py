"""Reminders before each collective day: to every invitee who has not declined, and to its trainers.

Beat runs `send_due_reminders` every 15 minutes (and `manage.py send_due_reminders` runs it by hand).
The database decides what is due, and the `Reminder` row decides what was sent: each day's reminders of
one kind are written with their outbox rows in one transaction, under a lock on the day, so that a second
sweep, even one running at the same moment, finds them written and writes nothing. A reminder belongs to the
date it announced (unique per day × e-mail × kind × date): a day moved to another date is reminded again
for its new date, when that reminder's moment is still ahead, and never twice for the same date.

A day's reminders are written in bulk (one insert of outbox rows, one of reminders), its calendar entry built
once, and handed to the workers in batches that each go over one SMTP connection (`outbox.emails`).
"""

import datetime
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation

from outbox.emails import Attachment, Mail, render_email, send_many_after_commit

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

    One transaction per session and kind, under a lock on the session.
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
    # Under the lock `cancel_session` and `update_session` take: a day cancelled meanwhile gets no reminder,
    # and a day moved meanwhile is left to the next sweep, which reads its new date. The lock also makes a
    # second sweep of this day wait, then find every reminder below written.
    locked = (
        TrainingSession.objects.select_for_update()
        .filter(pk=session.pk)
        .exclude(status=Status.CANCELLED)
        .values_list("date", flat=True)
        .first()
    )
    if locked != session.date:
        return 0
    done = set(Reminder.objects.filter(session=session, kind=kind, date=session.date).values_list("email", flat=True))
    members, trainers = [], []
    invitees = (
        Attendance.objects.filter(session=session)
        .exclude(response=Attendance.Response.DECLINED)
        .exclude(member__email="")
        .select_related("member")
        .order_by("member__email", "pk")
    )
    for attendance in invitees:
        email = attendance.member.email.strip().lower()
        if email not in done:
            done.add(email)
            members.append((email, attendance.member))
    for trainer in sorted(session.trainers.all(), key=lambda trainer: trainer.email):
        email = trainer.email.strip().lower()
        if email and email not in done:
            done.add(email)
            trainers.append((email, trainer))
    if not members and not trainers:
        return 0
    programme = session.cohort.programme_id
    with translation.override(settings.LANGUAGE_CODE):
        composed = _member_mails(session, [member for _, member in members], today=today)
        mails = [
            Mail(to=[email], programme=programme, **compose)
            for (email, _member), compose in zip(members, composed, strict=True)
        ]
        if trainers:
            counts = Attendance.objects.filter(session=session).aggregate(
                confirmed=Count("pk", filter=Q(response=Attendance.Response.CONFIRMED)),
                no_answer=Count("pk", filter=Q(response=Attendance.Response.INVITED)),
            )
            ics = Attachment(calendars.session_filename(session), calendars.session_calendar(session), "text/calendar")
            mails += [
                Mail(to=[email], programme=programme, **_trainer_mail(session, trainer, counts, ics))
                for email, trainer in trainers
            ]
    rows = send_many_after_commit(mails)
    people = [(email, Reminder.Audience.MEMBER, {"member": m}) for email, m in members] + [
        (email, Reminder.Audience.TRAINER, {"trainer": t}) for email, t in trainers
    ]
    Reminder.objects.bulk_create(
        Reminder(session=session, email=email, kind=kind, date=session.date, audience=audience, mail=row, **person)
        for (email, audience, person), row in zip(people, rows, strict=True)
    )
    return len(people)


# Stand-ins for what differs from one member to the next in a day's reminder, written once for all of them
# (`_member_mails`): a NUL character cannot be stored, so no name, title or address holds one.
_NAME, _CONFIRM, _DECLINE, _PAGE = ("\x00" + part + "\x00" for part in ("name", "confirm", "decline", "page"))


@dataclass(frozen=True)
class _StandIn:
    name: str


def _member_mails(session: TrainingSession, members: list, *, today: datetime.date) -> list[dict]:
    """Each member's reminder: the same day, rendered with their own links; the calendar entry written once.

    The mail is rendered once for the day, with stand-ins where the member's name and links go (the template
    prints them as they are, in plain text), and each member's are written in its place.
    """
    trainers = [trainer.name for trainer in session.trainers.all()]
    filename = calendars.session_filename(session)
    tokens_ = [tokens.member_token(member) for member in members]
    page_urls = [tokens.absolute(reverse("trainings:member_page", kwargs={"token": token})) for token in tokens_]
    entries = calendars.member_calendars(session, members, page_urls)
    subject, body = render_email(
        "trainings/emails/reminder_member",
        {
            "session": session,
            "member": _StandIn(name=_NAME),
            "days": (session.date - today).days,  # the sweep's own day, not the clock read again halfway
            "trainers": trainers,
            "confirm_url": _CONFIRM,
            "decline_url": _DECLINE,
            "page_url": _PAGE,
        },
    )
    mails = []
    for member, token, page_url, entry in zip(members, tokens_, page_urls, entries, strict=True):
        answer_url = tokens.absolute(
            reverse("trainings:member_answer", kwargs={"token": token, "session_pk": session.pk})
        )
        own = {
            _NAME: member.name,
            _CONFIRM: f"{answer_url}?reponse=oui",
            _DECLINE: f"{answer_url}?reponse=non",
            _PAGE: page_url,
        }
        text = body
        for stand_in, value in own.items():
            text = text.replace(stand_in, value)
        mails.append({"subject": subject, "body": text, "attachments": [Attachment(filename, entry, "text/calendar")]})
    return mails


def _trainer_mail(session: TrainingSession, trainer, counts: dict, ics: Attachment) -> dict:
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

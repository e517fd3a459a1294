"""Planning the season's collective days, inviting its participants, and telling them when a day moves.

Invitations are the rule "every member of every project of the season is invited to every day still to
come"; each function that adds sessions or members calls `invite_members`, which is safe to run twice.
"""

import calendar
import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from cohorts.models import Cohort
from outbox.emails import Attachment, Mail, render_email, send_after_commit, send_many_after_commit
from projects.models import ProjectMember

from .. import calendars, tokens
from ..models import Attendance, TrainingSession, Venue

logger = logging.getLogger(__name__)

Slot = tuple[datetime.time, datetime.time]
MORNING: Slot = (datetime.time(9, 0), datetime.time(12, 30))
AFTERNOON: Slot = (datetime.time(13, 30), datetime.time(17, 0))
LAST = -1  # `nth` for "the last <weekday> of the month"
AUGUST = 8

# What a calendar shows: a change to any of them gives the event a new SEQUENCE so that calendar apps
# replace their copy. Only the practical ones (when and where) are worth an e-mail.
CALENDAR_FIELDS = (
    "title",
    "topic",
    "date",
    "morning_start",
    "morning_end",
    "afternoon_start",
    "afternoon_end",
    "venue",
    "description",
    "what_to_bring",
    "status",
)
NOTIFIED_FIELDS = ("date", "morning_start", "morning_end", "afternoon_start", "afternoon_end", "venue")


class PlannedDay(NamedTuple):
    date: datetime.date
    venue: Venue | None
    exists_already: bool


class AnswerClosed(Exception):
    """The day is cancelled or over: an answer no longer means anything."""


class SessionCancelled(Exception):
    """A cancelled day is not edited any more (its invitees were told it will not take place)."""


class SessionChange(NamedTuple):
    """What a change or a cancellation did: the day as saved, what changed, and how many people were told."""

    session: TrainingSession
    changed: tuple[str, ...]
    members_told: int = 0
    trainers_told: int = 0

    @property
    def told(self) -> int:
        return self.members_told + self.trainers_told


# --- The calendar generator ------------------------------------------------------------------------


def nth_weekday(year: int, month: int, *, weekday: int, nth: int) -> datetime.date:
    """The nth `weekday` (Monday is 0) of a month; nth is 1 to 4, or -1 for the last one."""
    if nth == LAST:
        last = datetime.date(year, month, calendar.monthrange(year, month)[1])
        return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)
    if not 1 <= nth <= 4:
        raise ValueError(f"nth must be 1 to 4 or -1, not {nth}")
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def season_days(*, cohort: Cohort, weekday: int, nth: int, skip_august: bool = True) -> list[datetime.date]:
    """One day per month of the season, from its first month to its last, never outside its dates."""
    days = []
    year, month = cohort.start_date.year, cohort.start_date.month
    while (year, month) <= (cohort.end_date.year, cohort.end_date.month):
        day = nth_weekday(year, month, weekday=weekday, nth=nth)
        if not (skip_august and month == AUGUST) and cohort.start_date <= day <= cohort.end_date:
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def generate_calendar(
    *,
    cohort: Cohort,
    weekday: int,
    nth: int,
    venues: Sequence[Venue],
    title: str,
    skip_august: bool = True,
    morning: Slot | None = MORNING,
    afternoon: Slot | None = AFTERNOON,
    dry_run: bool,
) -> list[PlannedDay]:
    """The season's days by a monthly rule, venues in turn; with `dry_run=False`, creates the missing ones.

    A month that already has a day keeps it, even moved off the rule's date or cancelled: the plan shows
    that day as it stands and adds no second one. The rotation counts every day of the season, existing or
    not, so that the preview, the save and a second run all give each date the same venue.
    """
    days = season_days(cohort=cohort, weekday=weekday, nth=nth, skip_august=skip_august)
    venues = list(venues)
    on_date, in_month = {}, {}
    for session in TrainingSession.objects.filter(cohort=cohort).select_related("venue").order_by("date", "pk"):
        on_date.setdefault(session.date, session)
        in_month.setdefault((session.date.year, session.date.month), session)
    plan = []
    for index, day in enumerate(days):
        existing = on_date.get(day) or in_month.get((day.year, day.month))
        if existing is None:
            plan.append(PlannedDay(day, venues[index % len(venues)] if venues else None, False))
        else:
            plan.append(PlannedDay(existing.date, existing.venue, True))
    if not dry_run:
        _create_sessions(cohort=cohort, plan=plan, title=title, morning=morning, afternoon=afternoon)
    return plan


@transaction.atomic
def _create_sessions(*, cohort, plan, title, morning, afternoon) -> list[TrainingSession]:
    created = []
    for day in plan:
        if day.exists_already:
            continue
        # get_or_create, not create: someone may be saving the same calendar in another tab right now.
        session, is_new = TrainingSession.objects.get_or_create(
            cohort=cohort,
            date=day.date,
            defaults={
                "title": title,
                "venue": day.venue,
                "morning_start": morning[0] if morning else None,
                "morning_end": morning[1] if morning else None,
                "afternoon_start": afternoon[0] if afternoon else None,
                "afternoon_end": afternoon[1] if afternoon else None,
            },
        )
        if is_new:
            created.append(session)
    if created:
        invite_members(sessions=created)
    return created


# --- Invitations and answers -----------------------------------------------------------------------


def _pks(objects) -> list[int] | QuerySet:
    if isinstance(objects, QuerySet):
        return objects.values("pk")
    return [getattr(obj, "pk", obj) for obj in objects]


@transaction.atomic
def invite_members(
    *,
    sessions: Iterable[TrainingSession] | None = None,
    members: Iterable[ProjectMember] | None = None,
    include_past: bool = False,
) -> int:
    """Invite every member of the season's projects to every day of the season still to come.

    Narrowed to some sessions (new days) or some members (a project accepted mid-season); cancelled
    days never get invitations, past days only with `include_past` (a season entered after the fact).
    Already invited people are left as they are, whatever they answered. Returns how many were added.
    """
    session_rows = TrainingSession.objects.exclude(status=TrainingSession.Status.CANCELLED)
    if not include_past:
        session_rows = session_rows.filter(date__gte=timezone.localdate())
    if sessions is not None:
        session_rows = session_rows.filter(pk__in=_pks(sessions))
    member_rows = ProjectMember.objects.all()
    if members is not None:
        member_rows = member_rows.filter(pk__in=_pks(members))
    if sessions is None:
        session_rows = session_rows.filter(cohort__projects__members__in=member_rows).distinct()

    sessions_by_cohort = defaultdict(list)
    for session_pk, cohort_pk in session_rows.values_list("pk", "cohort_id"):
        sessions_by_cohort[cohort_pk].append(session_pk)
    if not sessions_by_cohort:
        return 0
    members_by_cohort = defaultdict(list)
    for member_pk, cohort_pk in member_rows.filter(project__cohort__in=sessions_by_cohort).values_list(
        "pk", "project__cohort_id"
    ):
        members_by_cohort[cohort_pk].append(member_pk)

    all_sessions = [pk for pks in sessions_by_cohort.values() for pk in pks]
    all_members = [pk for pks in members_by_cohort.values() for pk in pks]
    existing = set(
        Attendance.objects.filter(session__in=all_sessions, member__in=all_members).values_list(
            "session_id", "member_id"
        )
    )
    rows = [
        Attendance(session_id=session_pk, member_id=member_pk)
        for cohort_pk, session_pks in sessions_by_cohort.items()
        for session_pk in session_pks
        for member_pk in members_by_cohort.get(cohort_pk, ())
        if (session_pk, member_pk) not in existing
    ]
    # ignore_conflicts: an invitation made at the same moment by another request is not an error.
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    _send_invitations(rows)
    return len(rows)


def _send_invitations(rows: list[Attendance]) -> None:
    """One e-mail per newly invited member: the days they are invited to, their page and calendar feed."""
    new_days = defaultdict(list)
    for row in rows:
        new_days[row.member_id].append(row.session_id)
    if not new_days:
        return
    members = ProjectMember.objects.filter(pk__in=new_days).exclude(email="").select_related("project__cohort")
    sessions = {
        session.pk: session
        for session in TrainingSession.objects.filter(pk__in={pk for pks in new_days.values() for pk in pks})
        .select_related("venue")
        .order_by("date")
    }
    with translation.override(settings.LANGUAGE_CODE):
        for member in members:
            days = sorted((sessions[pk] for pk in new_days[member.pk]), key=lambda session: session.date)
            subject, body = render_email(
                "trainings/emails/invitation",
                {
                    "member": member,
                    "season": member.project.cohort,
                    "sessions": days,
                    "link": tokens.absolute(tokens.member_page_url(member)),
                    "feed": tokens.absolute(tokens.calendar_feed_url(member)),
                },
            )
            send_after_commit(
                to=[member.email], subject=subject, body=body, programme=member.project.cohort.programme_id
            )


def can_answer(session: TrainingSession, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return session.status != TrainingSession.Status.CANCELLED and session.date >= today


@transaction.atomic
def answer(*, attendance: Attendance, response: str) -> Attendance:
    """A member says they will come (confirmed) or not (declined); they may change their mind."""
    if response not in (Attendance.Response.CONFIRMED, Attendance.Response.DECLINED):
        raise ValueError(f"Not an answer: {response!r}")
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    session = TrainingSession.objects.get(pk=attendance.session_id)
    if not can_answer(session):
        raise AnswerClosed
    attendance.response = response
    attendance.responded_at = timezone.now()
    attendance.save(update_fields=["response", "responded_at"])
    attendance.session = session
    return attendance


# --- Changes and cancellations ---------------------------------------------------------------------


@transaction.atomic
def update_session(*, session: TrainingSession, changes: dict, by) -> SessionChange:
    """Save staff's changes; a new date, time or venue of a day not yet over is e-mailed, with the updated
    calendar entry, to every invitee who has not declined and to the day's trainers.

    The previous values are read again from the database, under a lock: a form has usually already
    written its values on the instance it was given.
    """
    current = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if current.status == TrainingSession.Status.CANCELLED:
        raise SessionCancelled
    changes = dict(changes)
    trainers = changes.pop("trainers", None)
    before = {field: _value(current, field) for field in CALENDAR_FIELDS}
    for field, value in changes.items():
        setattr(current, field, value)
    current.validate_constraints()  # one day per season and slots that end after they start
    changed = [field for field in CALENDAR_FIELDS if _value(current, field) != before[field]]
    # The trainers are in the calendar entry's description too: a new set is a new version of it.
    trainers_changed = trainers is not None and {t.pk for t in trainers} != set(
        current.trainers.values_list("pk", flat=True)
    )
    if changed or trainers_changed:
        current.sequence += 1
    current.save()
    if trainers is not None:
        current.trainers.set(trainers)
    notified = [field for field in NOTIFIED_FIELDS if field in changed]
    told = (0, 0)
    if notified and max(current.date, before["date"]) >= timezone.localdate():
        previous = {field: before[field] for field in NOTIFIED_FIELDS}
        previous["venue"] = Venue.objects.filter(pk=before["venue"]).first() if before["venue"] else None
        told = _tell_people(
            current,
            "trainings/emails/session_changed",
            {
                "previous": previous,
                "date_changed": "date" in notified,
                "times_changed": any(field.endswith(("_start", "_end")) for field in notified),
                "venue_changed": "venue" in notified,
            },
        )
    if trainers_changed:
        changed.append("trainers")
    logger.info("Session %s changed by %s: %s", current.pk, by, ", ".join(changed) or "nothing")
    return SessionChange(current, tuple(changed), *told)


@transaction.atomic
def cancel_session(*, session: TrainingSession, by) -> SessionChange:
    """Cancel a day and tell its trainers and everyone who has not declined, with a cancelled calendar entry;
    cancelling it again does nothing."""
    current = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if current.status == TrainingSession.Status.CANCELLED:
        return SessionChange(current, ())
    current.status = TrainingSession.Status.CANCELLED
    current.sequence += 1
    current.save(update_fields=["status", "sequence"])
    told = (0, 0)
    if current.date >= timezone.localdate():
        told = _tell_people(current, "trainings/emails/session_cancelled", {})
    logger.info("Session %s cancelled by %s", current.pk, by)
    return SessionChange(current, ("status",), *told)


def _value(session: TrainingSession, field: str):
    return session.venue_id if field == "venue" else getattr(session, field)


def _tell_people(session: TrainingSession, template: str, context: dict) -> tuple[int, int]:
    """One e-mail per invitee who has not declined (each with their own link) and per trainer of the day, in the
    site's language, each with the day's calendar entry as it now stands (same UID, new SEQUENCE, or
    STATUS:CANCELLED) so that calendar apps update their copy. Returns (members told, trainers told): the mails
    written to the outbox."""
    session = (
        TrainingSession.objects.select_related("cohort__programme", "venue")
        .prefetch_related("trainers")
        .get(pk=session.pk)
    )
    invitees = (
        Attendance.objects.filter(session=session)
        .exclude(response=Attendance.Response.DECLINED)
        .exclude(member__email="")
        .select_related("member")
    )
    members = [attendance.member for attendance in invitees]
    trainers = [trainer for trainer in session.trainers.all() if trainer.email]
    programme = session.cohort.programme_id
    filename = calendars.session_filename(session)
    mails = []
    with translation.override(settings.LANGUAGE_CODE):
        # The day's calendar entry is built once; only each member's own link differs.
        for member, entry in zip(members, calendars.member_calendars(session, members), strict=True):
            subject, body = render_email(
                template,
                {
                    **context,
                    "session": session,
                    "name": member.name,
                    "link": tokens.absolute(tokens.member_page_url(member)),
                },
            )
            mails.append(
                Mail(
                    to=[member.email],
                    subject=subject,
                    body=body,
                    attachments=[Attachment(filename, entry, "text/calendar")],
                    programme=programme,
                )
            )
        if trainers:
            entry = Attachment(filename, calendars.session_calendar(session), "text/calendar")
        for trainer in trainers:
            subject, body = render_email(
                template, {**context, "session": session, "name": trainer.name, "trainer": trainer, "link": ""}
            )
            mails.append(Mail(to=[trainer.email], subject=subject, body=body, attachments=[entry], programme=programme))
    # One insert for every mail, and one hand-over to the workers per batch after commit: with the broker down
    # or silent, the first failure leaves all the rest to the sweeper.
    rows = send_many_after_commit(mails)
    members_told = sum(1 for row in rows[: len(members)] if row is not None)
    trainers_told = sum(1 for row in rows[len(members) :] if row is not None)
    return members_told, trainers_told

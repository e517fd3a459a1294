"""Collective days as iCalendar data: one day (e-mail attachments, downloads) and each member's season feed.

Calendar apps recognise an event by its UID and keep the copy with the highest SEQUENCE: the UID comes from
the session's stable `uid`, and the planning service raises `sequence` whenever the date, times or venue
change, so an update or a cancellation replaces the event people already have instead of adding another.
"""

import datetime
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, vDuration

from .models import TrainingSession
from .tokens import absolute, member_page_url

PRODID = "-//Programme d'incubation partagé//Journées collectives//FR"
ICAL_STATUS = {
    TrainingSession.Status.PLANNED: "TENTATIVE",
    TrainingSession.Status.CONFIRMED: "CONFIRMED",
    TrainingSession.Status.HELD: "CONFIRMED",
    TrainingSession.Status.CANCELLED: "CANCELLED",
}
# How often subscribed calendar apps are asked to come back for changes.
FEED_REFRESH = datetime.timedelta(hours=12)


def event_uid(session: TrainingSession) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{session.uid}@{host}"


def event_times(session: TrainingSession) -> tuple[datetime.datetime, datetime.datetime | None] | None:
    """Start and end in the programme's time zone, or None when no time is set yet (a full-day event)."""
    start = session.morning_start or session.afternoon_start
    if start is None:
        return None
    end = session.afternoon_end or session.morning_end
    zone = timezone.get_default_timezone()
    start_at = datetime.datetime.combine(session.date, start, tzinfo=zone)
    end_at = datetime.datetime.combine(session.date, end, tzinfo=zone) if end else None
    if end_at is not None and end_at <= start_at:
        end_at = None
    return start_at, end_at


def _time_range(start, end) -> str:
    if start and end:
        return f"{time_format(start)} – {time_format(end)}"
    return time_format(start or end)


def _description(session: TrainingSession, member_url: str | None) -> str:
    parts = []
    if session.topic:
        parts.append(_("Thème : %(topic)s") % {"topic": session.topic})
    slots = []
    if session.morning_start or session.morning_end:
        slots.append(_("Matin : %(times)s") % {"times": _time_range(session.morning_start, session.morning_end)})
    if session.afternoon_start or session.afternoon_end:
        slots.append(
            _("Après-midi : %(times)s") % {"times": _time_range(session.afternoon_start, session.afternoon_end)}
        )
    if slots:
        parts.append("\n".join(slots))
    if session.description:
        parts.append(session.description)
    if session.what_to_bring:
        parts.append(_("À apporter : %(things)s") % {"things": session.what_to_bring})
    trainers = [trainer.name for trainer in session.trainers.all()]
    if trainers:
        parts.append(_("Avec : %(trainers)s") % {"trainers": ", ".join(trainers)})
    if session.venue:
        parts.append(_("Plan d'accès : %(url)s") % {"url": session.venue.map_url})
    return _with_member_url("\n\n".join(parts), member_url)


def _with_member_url(description: str, member_url: str | None) -> str:
    """The day's description, and the member's own link last when there is one."""
    if not member_url:
        return description
    own = _("Votre réponse et le calendrier de la saison : %(url)s") % {"url": member_url}
    return f"{description}\n\n{own}" if description else own


def _member_url(member) -> str | None:
    return absolute(member_page_url(member)) if member is not None else None


def session_event(session: TrainingSession, *, member=None, stamp: datetime.datetime | None = None) -> Event:
    """One collective day as a VEVENT. Expects `venue` selected and `trainers` prefetched."""
    event = Event()
    event.add("uid", event_uid(session))
    event.add("dtstamp", stamp or timezone.now())
    event.add("sequence", session.sequence)
    event.add("status", ICAL_STATUS[session.status])
    summary = session.title
    if session.status == TrainingSession.Status.CANCELLED:
        # STATUS alone is not shown by every app; the title says it plainly.
        summary = _("Annulée : %(title)s") % {"title": session.title}
    event.add("summary", summary)

    times = event_times(session)
    if times is None:
        event.add("dtstart", session.date)
        event.add("dtend", session.date + datetime.timedelta(days=1))
    else:
        start_at, end_at = times
        event.add("dtstart", start_at)
        if end_at is not None:
            event.add("dtend", end_at)

    if session.venue:
        event.add("location", session.venue.full_address)
        if session.venue.latitude is not None and session.venue.longitude is not None:
            event.add("geo", (float(session.venue.latitude), float(session.venue.longitude)))
    member_url = _member_url(member)
    event.add("description", _description(session, member_url))
    if member_url:
        event.add("url", member_url)

    if session.status != TrainingSession.Status.CANCELLED:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", datetime.timedelta(days=-1))
        alarm.add("description", _("Demain : %(title)s") % {"title": session.title})
        event.add_component(alarm)
    return event


def _calendar(sessions, *, member=None, name: str | None = None) -> bytes:
    return _calendar_object(sessions, member=member, name=name).to_ical()


def _calendar_object(sessions, *, member=None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH).to_ical().decode())  # Outlook's name for it
    stamp = timezone.now()
    dates = []
    for session in sessions:
        calendar.add_component(session_event(session, member=member, stamp=stamp))
        dates.append(session.date)
    if dates:
        # VTIMEZONE rules for the span of the events (and their reminders) only: the file stays small.
        calendar.add_missing_timezones(
            first_date=min(dates) - datetime.timedelta(days=31), last_date=max(dates) + datetime.timedelta(days=31)
        )
    return calendar


def session_calendar(session: TrainingSession, *, member=None) -> bytes:
    """A one-event .ics file for `session`."""
    return _calendar([session], member=member)


# Stand-ins for a member's own lines in a day's calendar written once (`member_calendars`): no real description
# or address holds a NUL character (none can be stored).
_OWN_DESCRIPTION, _OWN_URL = "\x00description\x00", "\x00url\x00"


def _own_lines(description: str, url: str | None) -> list[bytes]:
    """The DESCRIPTION and URL lines of an event, folded and escaped as a calendar writes them, in its order."""
    event = Event()
    event.add("description", description)
    event.add("url", url)
    begin, *lines, end, _last = event.content_lines()  # BEGIN:VEVENT, the two lines, END:VEVENT, ""
    return [line.to_ical() for line in lines]


def member_calendars(session: TrainingSession, members, page_urls: list[str] | None = None) -> Iterator[bytes]:
    """`session_calendar(session, member=member)` for each of `members`, in order: the calendar is written once
    (with its time zones) around stand-ins, and only each member's own lines (the description that gives their
    link, the link) are written for them. `page_urls`: the members' page addresses, when the caller has them."""
    calendar = _calendar_object([session])
    [event] = calendar.walk("VEVENT")
    event.pop("description", None)
    event.add("description", _OWN_DESCRIPTION)
    event.pop("url", None)
    event.add("url", _OWN_URL)
    first, second = (b"\r\n" + line + b"\r\n" for line in _own_lines(_OWN_DESCRIPTION, _OWN_URL))
    head, rest = calendar.to_ical().split(first)
    middle, tail = rest.split(second)
    description = _description(session, None)
    page_urls = page_urls if page_urls is not None else [_member_url(member) for member in members]
    for member_url in page_urls:
        own_first, own_second = _own_lines(_with_member_url(description, member_url), member_url)
        yield b"".join((head, b"\r\n", own_first, b"\r\n", middle, b"\r\n", own_second, b"\r\n", tail))


def member_feed(member, sessions) -> bytes:
    """The member's subscribable calendar: `sessions` are the season's days, venue selected, trainers prefetched."""
    cohort = member.project.cohort
    name = _("%(programme)s — %(season)s") % {"programme": cohort.programme.name, "season": cohort.name}
    return _calendar(sessions, member=member, name=name)


def session_filename(session: TrainingSession) -> str:
    return f"journee-{session.date:%Y-%m-%d}.ics"

"""Calendar files, read back with the icalendar library: one day by its UID, and each member's season feed."""

import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TrainerFactory,
    TrainingSessionFactory,
)
from trainings import calendars, services
from trainings.models import TrainingSession

UTC = datetime.UTC


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://incubateur.exemple.fr"


@pytest.fixture
def member(season):
    return ProjectMemberFactory(project=ProjectFactory(cohort=season), name="Léa Roux")


def ics_url(session):
    return reverse("trainings:session_ics", kwargs={"uid": session.uid})


def feed_url(member):
    return reverse("trainings:calendar_feed", kwargs={"key": member.calendar_key})


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def only_event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_one_day_as_an_ics_file_has_what_members_need(client, session, trainer):
    TrainingSession.objects.filter(pk=session.pk).update(
        topic="Modèle économique hybride",
        description="Matinée en ateliers, après-midi avec une coopérative.",
        what_to_bring="Votre budget prévisionnel et un ordinateur.",
        status=TrainingSession.Status.CONFIRMED,
    )
    session.trainers.add(TrainerFactory(name="Paul Garnier"))
    response = client.get(ics_url(session))
    assert response["Content-Disposition"] == 'attachment; filename="journee-2026-10-13.ics"'
    calendar = parse(response)
    assert calendar["VERSION"] == "2.0"
    event = only_event(calendar)
    assert str(event["UID"]) == f"{session.uid}@incubateur.exemple.fr"
    assert event["SUMMARY"] == "Construire son modèle économique"
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event["LOCATION"] == "La Fabrique, 3 place du Marché, 26220 Dieulefit"
    description = str(event["DESCRIPTION"])
    assert "Matinée en ateliers" in description
    assert "À apporter : Votre budget prévisionnel et un ordinateur." in description
    assert "Inès Morel" in description and "Paul Garnier" in description
    assert "Modèle économique hybride" in description
    assert event.decoded("DTSTART") == datetime.datetime(2026, 10, 13, 9, 0, tzinfo=event.decoded("DTSTART").tzinfo)
    assert str(event.decoded("DTSTART").tzinfo) == "Europe/Paris"
    assert event.decoded("DTEND").time() == datetime.time(17, 0)
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == datetime.timedelta(days=-1)
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Paris"


def test_a_planned_day_is_tentative(client, session):
    assert only_event(parse(client.get(ics_url(session))))["STATUS"] == "TENTATIVE"


def test_the_uid_stays_and_the_sequence_rises_when_the_day_changes(client, session, staff):
    before = only_event(parse(client.get(ics_url(session))))
    services.update_session(session=session, changes={"date": datetime.date(2026, 10, 20)}, by=staff)
    after = only_event(parse(client.get(ics_url(session))))
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTART").date() == datetime.date(2026, 10, 20)


def test_a_cancelled_day_says_so_with_a_higher_sequence(client, session, staff):
    before = only_event(parse(client.get(ics_url(session))))
    services.cancel_session(session=session, by=staff)
    after = only_event(parse(client.get(ics_url(session))))
    assert after["STATUS"] == "CANCELLED"
    assert after["UID"] == before["UID"] and after["SEQUENCE"] > before["SEQUENCE"]
    assert "Annulée" in after["SUMMARY"]
    assert not after.walk("VALARM")  # no reminder for a day that will not happen


def test_a_day_without_times_is_a_full_day_event(client, season):
    day = TrainingSessionFactory(
        cohort=season,
        date=datetime.date(2027, 1, 12),
        morning_start=None,
        morning_end=None,
        afternoon_start=None,
        afternoon_end=None,
    )
    event = only_event(parse(client.get(ics_url(day))))
    assert event.decoded("DTSTART") == datetime.date(2027, 1, 12)
    assert event.decoded("DTEND") == datetime.date(2027, 1, 13)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (datetime.date(2026, 10, 20), 7),  # before the change to winter time (25 October 2026): UTC+2
        (datetime.date(2026, 10, 27), 8),  # after it: UTC+1
        (datetime.date(2027, 3, 23), 8),  # before the change to summer time (28 March 2027): UTC+1
        (datetime.date(2027, 3, 30), 7),  # after it: UTC+2
    ],
)
def test_times_are_paris_times_on_both_sides_of_the_clock_changes(client, season, day, utc_hour):
    calendar = parse(client.get(ics_url(TrainingSessionFactory(cohort=season, date=day))))
    event = only_event(calendar)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime.datetime.combine(day, datetime.time(utc_hour), UTC)
    # The file's own VTIMEZONE gives the same answer as the system's time zone database.
    zone = calendar.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    local = datetime.datetime.combine(day, datetime.time(9), zone)
    assert local.astimezone(UTC).hour == utc_hour


def test_an_unknown_uid_finds_nothing(client, db):
    assert client.get(reverse("trainings:session_ics", kwargs={"uid": uuid.uuid4()})).status_code == 404


@pytest.mark.parametrize("role", [None, "coach", "staff", "other_staff", "trainer_user", "other_trainer_user"])
def test_the_day_file_opens_for_whoever_has_its_address(client, request, session, role):
    """The UID in the address is the secret, as in the e-mails members receive."""
    if role:
        client.force_login(request.getfixturevalue(role))
    assert only_event(parse(client.get(ics_url(session))))["SUMMARY"] == session.title


# --- The member's feed ------------------------------------------------------------------------------------


def test_the_feed_has_all_the_seasons_days_and_links_to_the_members_page(client, season, member, session):
    later = TrainingSessionFactory(cohort=season, title="Se présenter aux élus")
    TrainingSessionFactory(cohort=CohortFactory(programme=season.programme), title="Une autre saison")
    AttendanceFactory(session=session, member=member)
    response = client.get(feed_url(member))
    assert "attachment" not in response["Content-Disposition"]  # calendar apps subscribe to it
    calendar = parse(response)
    assert calendar["X-WR-CALNAME"] == f"{season.programme.name} — {season.name}"
    assert calendar["X-PUBLISHED-TTL"] == "PT12H"
    events = calendar.walk("VEVENT")
    assert [str(event["SUMMARY"]) for event in events] == [session.title, later.title]
    assert {str(event["UID"]) for event in events} == {
        f"{session.uid}@incubateur.exemple.fr",
        f"{later.uid}@incubateur.exemple.fr",
    }
    member_page = str(events[0]["URL"])
    assert member_page.startswith("https://incubateur.exemple.fr/journees/membre/")
    assert member_page in str(events[0]["DESCRIPTION"])
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_the_feed_shows_a_cancelled_day_as_cancelled(client, member, session, staff):
    services.cancel_session(session=session, by=staff)
    (event,) = parse(client.get(feed_url(member))).walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"


def test_the_feed_is_in_french_whatever_the_calendar_app_asks(client, member, session):
    calendar = parse(client.get(feed_url(member), headers={"accept-language": "en"}))
    assert "Plan d'accès" in str(calendar.walk("VEVENT")[0]["DESCRIPTION"])


def test_an_unknown_feed_key_finds_nothing(client, member):
    assert client.get(reverse("trainings:calendar_feed", kwargs={"key": uuid.uuid4()})).status_code == 404


def test_the_feed_cannot_be_posted_to(client, member):
    assert client.post(feed_url(member)).status_code == 405


@pytest.mark.parametrize("role", [None, "coach", "staff", "trainer_user"])
def test_the_feed_opens_for_whoever_has_its_address(client, request, member, session, role):
    if role:
        client.force_login(request.getfixturevalue(role))
    assert len(parse(client.get(feed_url(member))).walk("VEVENT")) == 1


def test_the_feed_runs_the_same_queries_with_3_or_30_days(
    client, season, member, trainer, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            TrainingSessionFactory(cohort=season, trainers=[trainer, TrainerFactory()])

    add(3)
    # 3 = the member with their project, season and programme; the days with their venues; their trainers.
    with django_assert_max_num_queries(3):
        assert len(parse(client.get(feed_url(member))).walk("VEVENT")) == 3
    add(27)
    with django_assert_max_num_queries(3):
        assert len(parse(client.get(feed_url(member))).walk("VEVENT")) == 30


def test_each_members_calendar_of_a_day_is_the_one_written_for_them_alone(session, season):
    """The day's calendar is written once for all its invitees (`member_calendars`): each file is, byte for byte,
    the one `session_calendar` writes for that member, long descriptions folded and special characters escaped."""
    session.description = (
        "Une description longue, avec ; des virgules, des points-virgules\\ et\nune ligne de plus " * 3
    )
    session.what_to_bring = "Un ordinateur, de quoi écrire"
    session.save()
    session = TrainingSession.objects.select_related("venue").prefetch_related("trainers").get(pk=session.pk)
    members = [
        ProjectMemberFactory(project=ProjectFactory(cohort=season), name=name)
        for name in ("Léa Roux", "Zoé « Z » d'Arc", "Jean-Édouard, dit ; Jed")
    ]
    with time_machine.travel(datetime.datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        written = list(calendars.member_calendars(session, members))
        alone = [calendars.session_calendar(session, member=member) for member in members]
    assert written == alone
    assert len({entry for entry in written}) == len(members)

"""A new date, time or venue, or a cancellation, raises the calendar version and e-mails every invitee who
has not declined and the day's trainers, with the updated calendar entry, once the transaction has committed;
the service says how many people it told."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation
from icalendar import Calendar

from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TrainerFactory,
    TrainingSessionFactory,
    VenueFactory,
)
from trainings import calendars, services, tokens
from trainings.models import Attendance, TrainingSession

pytestmark = pytest.mark.django_db

D = datetime.date
T = datetime.time
PARIS = ZoneInfo("Europe/Paris")
INVITED, CONFIRMED, DECLINED = Attendance.Response.INVITED, Attendance.Response.CONFIRMED, Attendance.Response.DECLINED


@pytest.fixture(autouse=True)
def _early_october():
    with time_machine.travel(datetime.datetime(2026, 10, 1, 10, tzinfo=PARIS), tick=False):
        yield


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027", start_date=D(2026, 9, 1))


@pytest.fixture
def session(cohort):
    venue = VenueFactory(name="La Fabrique", address="3 place du Marché", postcode="26220", commune="Dieulefit")
    return TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13), title="Le modèle économique", venue=venue)


@pytest.fixture
def invitees(session):
    """Léa has not answered, Karim comes, Sofia declined, Paul has no e-mail address."""
    project = ProjectFactory(cohort=session.cohort)
    people = [("Léa", "lea@exemple.fr", INVITED), ("Karim", "karim@exemple.fr", CONFIRMED)]
    people += [("Sofia", "sofia@exemple.fr", DECLINED), ("Paul", "", CONFIRMED)]
    return {
        name: AttendanceFactory(
            session=session, member=ProjectMemberFactory(project=project, name=name, email=email), response=response
        )
        for name, email, response in people
    }


def change(session, by, **changes):
    return services.update_session(session=session, changes=changes, by=by).session


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_new_date_raises_the_version_and_tells_everyone_who_has_not_declined(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        updated = change(session, staff, date=D(2026, 10, 20))
    assert (updated.date, updated.sequence) == (D(2026, 10, 20), 1)
    session.refresh_from_db()
    assert session.sequence == 1
    assert recipients() == ["karim@exemple.fr", "lea@exemple.fr"]
    message = next(m for m in mail.outbox if m.to == ["lea@exemple.fr"])
    assert message.subject == "Journée collective du 13 octobre déplacée au 20 octobre"
    assert "Bonjour Léa," in message.body
    assert "Nouvelle date : mardi 20 octobre 2026 (au lieu du mardi 13 octobre 2026)." in message.body
    assert "La Fabrique, 3 place du Marché, 26220 Dieulefit" in message.body
    assert tokens.absolute(tokens.member_page_url(invitees["Léa"].member)) in message.body


def test_each_invitee_gets_their_own_link(session, invitees, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change(session, staff, morning_start=T(9, 30))
    bodies = {m.to[0]: m.body for m in mail.outbox}
    karim_link = tokens.absolute(tokens.member_page_url(invitees["Karim"].member))
    assert karim_link in bodies["karim@exemple.fr"]
    assert karim_link not in bodies["lea@exemple.fr"]


def test_new_times_and_a_new_venue_are_spelled_out(session, invitees, staff, django_capture_on_commit_callbacks):
    old_venue = session.venue
    new_venue = VenueFactory(
        name="CAE Prisme", address="14 avenue Saint-Martin", postcode="26200", commune="Montélimar"
    )
    with django_capture_on_commit_callbacks(execute=True):
        change(session, staff, afternoon_end=T(16, 30), venue=new_venue)
    body = mail.outbox[0].body
    assert (
        "Nouveaux horaires : de 09:00 à 12:30 et de 13:30 à 16:30 "
        "(auparavant : de 09:00 à 12:30 et de 13:30 à 17:00)." in body
    )
    assert f"Nouveau lieu : {new_venue.full_address} (auparavant : {old_venue.full_address})." in body
    assert new_venue.map_url in body
    assert "Nouvelle date" not in body
    session.refresh_from_db()
    assert session.sequence == 1  # one change, one new version, whatever the number of fields


def test_the_email_waits_for_the_commit(session, invitees, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change(session, staff, date=D(2026, 10, 20))
    assert mail.outbox == []
    assert len(callbacks) == 1  # the mails of every invitee handed to the workers at once, after the commit
    callbacks[0]()
    assert len(mail.outbox) == 2


def test_the_email_is_in_french_whatever_the_staff_member_reads(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        change(session, staff, date=D(2026, 10, 20))
    assert mail.outbox[0].subject == "Journée collective du 13 octobre déplacée au 20 octobre"


def test_a_new_title_or_description_raises_the_version_without_an_email(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change(session, staff, title="Le prévisionnel", description="Tableur et café.")
    session.refresh_from_db()
    assert (session.title, session.sequence) == ("Le prévisionnel", 1)
    assert mail.outbox == []


def test_saving_without_change_keeps_the_version_and_sends_nothing(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change(session, staff, date=session.date, venue=session.venue, capacity=20)
    session.refresh_from_db()
    assert session.sequence == 0
    assert session.capacity == 20
    assert mail.outbox == []


def test_new_trainers_are_a_new_calendar_version_but_no_email(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    trainer = TrainerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        change(session, staff, trainers=[trainer])
    session.refresh_from_db()
    assert session.sequence == 1  # calendars show the trainers: their copy must be replaced
    assert list(session.trainers.all()) == [trainer]
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        change(session, staff, trainers=[trainer])
    session.refresh_from_db()
    assert session.sequence == 1


def test_a_past_day_moved_to_another_past_day_sends_nothing(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime.datetime(2026, 11, 1, 10, tzinfo=PARIS), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            change(session, staff, date=D(2026, 10, 14))  # recording where it really took place
    assert mail.outbox == []


def test_a_date_already_taken_in_the_season_is_refused(session, invitees, staff):
    TrainingSessionFactory(cohort=session.cohort, date=D(2026, 11, 10))
    with pytest.raises(ValidationError):
        change(session, staff, date=D(2026, 11, 10))
    session.refresh_from_db()
    assert (session.date, session.sequence) == (D(2026, 10, 13), 0)


def test_a_half_day_ending_before_it_starts_is_refused(session, staff):
    with pytest.raises(ValidationError):
        change(session, staff, morning_end=T(8, 0))


def test_cancelling_raises_the_version_and_tells_everyone_who_has_not_declined(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=session, by=staff)
    session.refresh_from_db()
    assert (session.status, session.sequence) == (TrainingSession.Status.CANCELLED, 1)
    assert recipients() == ["karim@exemple.fr", "lea@exemple.fr"]
    message = mail.outbox[0]
    assert message.subject == "Journée collective du 13 octobre annulée"
    assert "« Le modèle économique » du mardi 13 octobre 2026 (Saison 2026-2027) est annulée" in message.body


def test_cancelling_twice_sends_nothing_more(session, invitees, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=session, by=staff)
        services.cancel_session(session=session, by=staff)
    session.refresh_from_db()
    assert session.sequence == 1
    assert len(mail.outbox) == 2


def test_a_cancelled_day_is_not_edited_any_more(session, invitees, staff, django_capture_on_commit_callbacks):
    services.cancel_session(session=session, by=staff)
    with pytest.raises(services.SessionCancelled):
        change(session, staff, date=D(2026, 10, 20))


def test_only_this_days_invitees_are_told(session, invitees, staff, django_capture_on_commit_callbacks):
    other_day = TrainingSessionFactory(cohort=session.cohort, date=D(2026, 11, 10))
    AttendanceFactory(session=other_day, member=ProjectMemberFactory(email="autre@exemple.fr"))
    with django_capture_on_commit_callbacks(execute=True):
        change(session, staff, date=D(2026, 10, 20))
    assert "autre@exemple.fr" not in recipients()


def _event(message):
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "text/calendar" and filename.endswith(".ics")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    return event


def test_members_and_trainers_get_the_notice_with_the_updated_calendar_entry(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    session.trainers.add(TrainerFactory(name="Paul Durand", email="paul@exemple.fr"), TrainerFactory(email=""))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.update_session(session=session, changes={"date": D(2026, 10, 20)}, by=staff)
    assert (outcome.members_told, outcome.trainers_told, outcome.told) == (2, 1, 3)
    assert "date" in outcome.changed
    assert recipients() == ["karim@exemple.fr", "lea@exemple.fr", "paul@exemple.fr"]
    trainer_mail = next(m for m in mail.outbox if m.to == ["paul@exemple.fr"])
    assert trainer_mail.subject == "Journée collective du 13 octobre déplacée au 20 octobre"
    assert "Bonjour Paul Durand," in trainer_mail.body and "que vous animez change" in trainer_mail.body
    for message in mail.outbox:
        event = _event(message)
        assert str(event["UID"]) == calendars.event_uid(session)
        assert int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART").date() == D(2026, 10, 20)


def test_a_cancellation_attaches_a_cancelled_entry_for_members_and_trainers(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    session.trainers.add(TrainerFactory(email="paul@exemple.fr"))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.cancel_session(session=session, by=staff)
    assert (outcome.members_told, outcome.trainers_told) == (2, 1)
    assert recipients() == ["karim@exemple.fr", "lea@exemple.fr", "paul@exemple.fr"]
    for message in mail.outbox:
        event = _event(message)
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    assert services.cancel_session(session=session, by=staff).changed == ()


def test_a_change_to_a_day_already_over_tells_nobody_and_says_so(
    session, invitees, staff, django_capture_on_commit_callbacks
):
    session.trainers.add(TrainerFactory(email="paul@exemple.fr"))
    with time_machine.travel(datetime.datetime(2026, 11, 1, 10, tzinfo=PARIS), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            outcome = services.update_session(session=session, changes={"venue": VenueFactory()}, by=staff)
    assert outcome.told == 0 and outcome.changed == ("venue",)
    assert mail.outbox == []

import datetime
import email
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from icalendar import Calendar

from outbox.emails import render_email
from outbox.models import OutgoingMail
from tests.factories import AttendanceFactory, ProjectMemberFactory, TrainerFactory, TrainingSessionFactory
from tests.forms import submit
from trainings import calendars, services, tokens
from trainings.models import Attendance, Reminder, ReminderPolicy, TrainingSession
from trainings.services import reminders
from trainings.tasks import send_due_reminders

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SESSION_DAY = datetime.date(2026, 10, 13)  # conftest's `session`


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def members(session):
    return [
        AttendanceFactory(session=session, member__name="Léa Martin", member__email="lea@exemple.fr").member,
        AttendanceFactory(session=session, member__name="Karim Benali", member__email="karim@exemple.fr").member,
    ]


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The beat task at a given moment, its mails sent as the transaction commits."""

    def run(now):
        with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
            return send_due_reminders()

    return run


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


# --- When a reminder is due ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "offset", "expected_utc"),
    [
        # Summer time (UTC+2) in the whole window.
        (datetime.date(2026, 7, 14), 7, datetime.datetime(2026, 7, 7, 7, tzinfo=datetime.UTC)),
        # The day is in summer time, its 7-day reminder still in winter time (the change is on 29 March).
        (datetime.date(2026, 4, 2), 7, datetime.datetime(2026, 3, 26, 8, tzinfo=datetime.UTC)),
        (datetime.date(2026, 3, 30), 1, datetime.datetime(2026, 3, 29, 7, tzinfo=datetime.UTC)),
        # Back to winter time on 25 October.
        (datetime.date(2026, 10, 27), 7, datetime.datetime(2026, 10, 20, 7, tzinfo=datetime.UTC)),
        (datetime.date(2026, 10, 26), 1, datetime.datetime(2026, 10, 25, 8, tzinfo=datetime.UTC)),
    ],
)
def test_the_reminder_moment_is_nine_in_paris_whatever_the_summer_time(day, offset, expected_utc):
    assert reminders.reminder_moment(day, offset_days=offset, hour=9) == expected_utc


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (paris(2026, 3, 29, 8, 59), False),
        (paris(2026, 3, 29, 9, 0), True),  # the morning the clocks went forward
        (paris(2026, 3, 30, 8, 59), True),
        (paris(2026, 3, 30, 9, 0), False),  # a day late: too late
    ],
)
def test_a_day_after_the_spring_change_is_reminded_from_nine_and_for_one_day(db, session, members, now, due):
    TrainingSession.objects.filter(pk=session.pk).update(date=datetime.date(2026, 3, 30))
    with time_machine.travel(now, tick=False):
        queued = send_due_reminders()
    # Two members and the trainer, the one-day reminder only.
    assert queued == (3 if due else 0)
    assert set(Reminder.objects.values_list("kind", flat=True)) == ({"1d"} if due else set())


@pytest.mark.parametrize(
    ("now", "due"),
    [(paris(2026, 10, 25, 8, 59), False), (paris(2026, 10, 25, 9, 0), True), (paris(2026, 10, 26, 8, 59), True)],
)
def test_a_day_after_the_autumn_change_is_reminded_at_nine_winter_time(db, session, members, now, due):
    TrainingSession.objects.filter(pk=session.pk).update(date=datetime.date(2026, 10, 26))
    with time_machine.travel(now, tick=False):
        assert send_due_reminders() == (3 if due else 0)


def test_a_programme_sets_its_own_offsets_and_hour(db, session, members):
    ReminderPolicy.objects.create(programme=session.cohort.programme, offsets_days="3", hour=18)
    with time_machine.travel(paris(2026, 10, 6, 9, 0), tick=False):  # the default 7-day moment
        assert send_due_reminders() == 0
    with time_machine.travel(paris(2026, 10, 10, 18, 0), tick=False):
        assert send_due_reminders() == 3
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"3d"}


# --- Exactly once ----------------------------------------------------------------------------------


def test_a_reminder_is_unique_per_session_person_kind_and_date(db, session):
    Reminder.objects.create(session=session, email="lea@exemple.fr", kind="7d", date=SESSION_DAY, audience="member")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(session=session, email="lea@exemple.fr", kind="7d", date=SESSION_DAY, audience="member")
    Reminder.objects.create(session=session, email="lea@exemple.fr", kind="1d", date=SESSION_DAY, audience="member")
    moved = SESSION_DAY + datetime.timedelta(days=7)
    Reminder.objects.create(session=session, email="lea@exemple.fr", kind="7d", date=moved, audience="member")


def test_sweeping_twice_sends_nothing_twice(db, session, members, django_capture_on_commit_callbacks):
    with time_machine.travel(paris(2026, 10, 6, 9, 15), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_due_reminders() == 3
        with django_capture_on_commit_callbacks(execute=True):
            assert send_due_reminders() == 0
        call_command("send_due_reminders")
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        ["lea@exemple.fr", "karim@exemple.fr", session.trainers.get().email]
    )
    assert OutgoingMail.objects.filter(status=OutgoingMail.Status.SENT).count() == 3
    assert set(OutgoingMail.objects.values_list("programme", flat=True)) == {session.cohort.programme_id}


def test_the_seven_day_and_the_one_day_reminders_both_go(db, session, members, sweep):
    sweep(paris(2026, 10, 6, 9, 0))
    sweep(paris(2026, 10, 12, 9, 0))
    assert len(sent_to("lea@exemple.fr")) == 2


def test_a_cancelled_session_and_a_declined_participant_get_nothing(db, session, members, staff, sweep):
    other_day = TrainingSessionFactory(date=SESSION_DAY)  # another season's day, the same date
    AttendanceFactory(session=other_day, member=members[0])
    Attendance.objects.filter(session=session, member=members[1]).update(response=Attendance.Response.DECLINED)
    with time_machine.travel(paris(2026, 10, 1), tick=False):
        services.cancel_session(session=other_day, by=staff)
    sweep(paris(2026, 10, 6, 9, 0))
    assert Reminder.objects.filter(session=other_day).count() == 0
    assert not sent_to("karim@exemple.fr")
    assert len(sent_to("lea@exemple.fr")) == 1


# --- A day that moves ------------------------------------------------------------------------------


def move(session, day, staff, now):
    with time_machine.travel(now, tick=False):
        return services.update_session(session=session, changes={"date": day}, by=staff)


def test_a_day_moved_after_its_seven_day_reminder_gets_one_for_its_new_date_once(db, session, members, staff, sweep):
    assert sweep(paris(2026, 10, 6, 9, 0)) == 3  # the 7-day reminder for 13 October
    new_day = datetime.date(2026, 10, 20)
    assert move(session, new_day, staff, paris(2026, 10, 6, 10, 0)).told == 3  # the change is announced
    mail.outbox.clear()

    assert sweep(paris(2026, 10, 12, 9, 0)) == 0  # nothing for the old date any more
    assert sweep(paris(2026, 10, 13, 9, 0)) == 3  # the 7-day reminder for 20 October
    assert sweep(paris(2026, 10, 13, 9, 15)) == 0  # a second sweep: nothing twice
    [message] = sent_to("lea@exemple.fr")
    assert "mardi 20 octobre 2026" in message.body
    assert sorted(Reminder.objects.filter(email="lea@exemple.fr").values_list("kind", "date")) == [
        ("7d", SESSION_DAY),
        ("7d", new_day),
    ]
    assert sweep(paris(2026, 10, 19, 9, 0)) == 3  # and the 1-day one, for the new date
    assert len(sent_to("lea@exemple.fr")) == 2


def test_a_day_moved_and_moved_back_is_never_reminded_twice_for_the_same_date(db, session, members, staff, sweep):
    assert sweep(paris(2026, 10, 6, 9, 0)) == 3  # 7 days before 13 October
    move(session, datetime.date(2026, 10, 14), staff, paris(2026, 10, 6, 10, 0))
    move(session, SESSION_DAY, staff, paris(2026, 10, 6, 11, 0))
    mail.outbox.clear()
    assert sweep(paris(2026, 10, 6, 12, 0)) == 0  # its 7-day reminder is still "due", and already sent
    assert sweep(paris(2026, 10, 7, 9, 0)) == 0  # the moment of the 14th's, which is no longer the date
    assert mail.outbox == []


@pytest.mark.parametrize("invitees", [10, 100])
def test_the_sweep_runs_the_same_queries_for_10_and_100_invitees(
    db, session, invitees, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    AttendanceFactory.create_batch(invitees, session=session)
    with time_machine.travel(paris(2026, 10, 6, 9, 0), tick=False):
        # Policies, the days in the window (with season, venue), their trainers; then for the day: savepoint, lock,
        # reminders written, invitees, participant counts, the outbox rows, the reminders, release = 11,
        # and the periodic task's advisory lock taken and released (incubator/periodic.py) = 13
        with django_assert_max_num_queries(13), django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert send_due_reminders() == invitees + 1
    assert len(callbacks) == 1  # one hand-over to the workers for the whole day
    assert OutgoingMail.objects.count() == Reminder.objects.count() == invitees + 1


# --- What people receive ---------------------------------------------------------------------------


def test_the_member_reminder_has_everything_for_the_day_and_the_ics(db, session, members, client, sweep):
    session.what_to_bring = "Votre prévisionnel"
    session.save()
    session.venue.accessibility_notes = "Rampe côté cour"
    session.venue.save()
    sweep(paris(2026, 10, 6, 9, 0))
    [message] = sent_to("lea@exemple.fr")
    assert "Construire son modèle économique" in message.subject
    body = message.body
    for expected in [
        "Bonjour Léa Martin",
        "mardi 13 octobre 2026",
        "de 09:00 à 12:30",
        "La Fabrique, 3 place du Marché, 26220 Dieulefit",
        "https://www.openstreetmap.org/",
        "Rampe côté cour",
        "Votre prévisionnel",
        session.trainers.get().name,
        "Le rendez-vous joint à ce message ajoute la journée à votre agenda.",
    ]:
        assert expected in body
    confirm = next(line for line in body.splitlines() if "?reponse=oui" in line).split(" ")[-1]
    path = confirm.removeprefix("http://127.0.0.1:8000")
    with time_machine.travel(paris(2026, 10, 6, 10, 0), tick=False):
        page = client.get(path)
        assert page.status_code == 200
        assert submit(client, page, field="reponse").status_code == 302  # "oui" preselected by the link
    assert Attendance.objects.get(session=session, member=members[0]).response == Attendance.Response.CONFIRMED
    [(filename, content, mimetype)] = message.attachments
    assert filename == "journee-2026-10-13.ics" and mimetype == "text/calendar"
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["UID"]).startswith(str(session.uid))


def test_the_trainer_reminder_counts_the_participants(db, session, members, sweep):
    Attendance.objects.filter(member=members[0]).update(response=Attendance.Response.CONFIRMED)
    AttendanceFactory(session=session, response=Attendance.Response.DECLINED)
    trainer = session.trainers.get()
    sweep(paris(2026, 10, 12, 9, 0))
    [message] = sent_to(trainer.email)
    assert "Participant·es attendu·es à ce jour : 2 (1 confirmé·e, 1 sans réponse)" in message.body
    assert email.message_from_bytes(message.message().as_bytes())["Message-ID"]


def test_a_trainer_without_an_email_and_a_member_without_one_are_skipped(db, session):
    session.trainers.add(TrainerFactory(email=""))
    AttendanceFactory(session=session, member=ProjectMemberFactory(project__cohort=session.cohort, email=""))
    with time_machine.travel(paris(2026, 10, 6, 9, 0), tick=False):
        assert send_due_reminders() == 1  # the fixture's trainer only


# --- The staff page --------------------------------------------------------------------------------


def test_staff_see_each_reminder_of_a_day_and_its_state(db, client, staff, session, members, sweep):
    sweep(paris(2026, 10, 6, 9, 0))
    OutgoingMail.objects.filter(to=["karim@exemple.fr"]).update(
        status=OutgoingMail.Status.FAILED, last_error="550 boîte inconnue"
    )
    client.force_login(staff)
    with time_machine.travel(paris(2026, 10, 7, 9, 0), tick=False):
        response = client.get(reverse("trainings:session_reminders", args=[session.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "lea@exemple.fr" in content and "550 boîte inconnue" in content
    assert "7d pour le 13/10/2026" in content  # the date each reminder announced
    assert response.context["counts"] == {"sent": 2, "failed": 1, "pending": 0}


@pytest.mark.parametrize("rows", [3, 30])
def test_the_reminders_page_runs_the_same_queries_whatever_the_number_of_people(
    db, client, staff, session, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        AttendanceFactory(session=session)
    with time_machine.travel(paris(2026, 10, 6, 9, 0), tick=False):
        send_due_reminders()
    client.force_login(staff)
    # Login session, user, the day (with its season and programme), its reminders with their mails, the policy.
    with django_assert_max_num_queries(5):
        assert client.get(reverse("trainings:session_reminders", args=[session.pk])).status_code == 200


def test_another_programmes_staff_and_anonymous_visitors_cannot_see_the_reminders(db, client, other_staff, session):
    url = reverse("trainings:session_reminders", args=[session.pk])
    assert client.get(url).status_code == 302
    client.force_login(other_staff)
    assert client.get(url).status_code == 404


def test_a_days_member_reminders_rendered_once_are_each_the_one_rendered_for_that_member(db, session, members):
    """The reminder is rendered once for the day and each member's name and links written in; each mail is the
    one the template renders for that member alone, whatever their name holds."""
    members += [
        AttendanceFactory(session=session, member__name=name, member__email=f"m{n}@exemple.fr").member
        for n, name in enumerate(["{{ session.title }} % \\ « Zoé »", "Jean-Édouard d'Arc & <Cie>"])
    ]
    session = TrainingSession.objects.select_related("cohort", "venue").prefetch_related("trainers").get(pk=session.pk)
    today = SESSION_DAY - datetime.timedelta(days=1)
    frozen = time_machine.travel(paris(2026, 10, 12, 9, 0), tick=False)  # the links' tokens hold the time
    frozen.start()
    mails = reminders._member_mails(session, members, today=today)
    for member, written in zip(members, mails, strict=True):
        token = tokens.member_token(member)
        answer_url = tokens.absolute(
            reverse("trainings:member_answer", kwargs={"token": token, "session_pk": session.pk})
        )
        subject, body = render_email(
            "trainings/emails/reminder_member",
            {
                "session": session,
                "member": member,
                "days": 1,
                "trainers": [trainer.name for trainer in session.trainers.all()],
                "confirm_url": f"{answer_url}?reponse=oui",
                "decline_url": f"{answer_url}?reponse=non",
                "page_url": tokens.absolute(reverse("trainings:member_page", kwargs={"token": token})),
            },
        )
        assert (written["subject"], written["body"]) == (subject, body)
        assert member.name in body
        [attachment] = written["attachments"]
        assert attachment.content == calendars.session_calendar(session, member=member)
    frozen.stop()

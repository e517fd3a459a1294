"""Attendance (émargement): the service and its rates, the phone page for staff and trainers, the trainers' list."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import lxml.html
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import log_in
from tests.factories import (
    PASSWORD,
    AttendanceFactory,
    CohortFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.forms import submit
from tests.trainings.conftest import SESSION_DAY
from trainings import services
from trainings.models import Attendance, TrainingSession

PARIS = ZoneInfo("Europe/Paris")
PRESENT, ABSENT, EXCUSED = "present", "absent", "excused"


def on(day: datetime.date, hour: int = 10):
    """Travel to `day` in Paris, the clock standing still."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS), tick=False)


def invite(session, count, *, projects=3, **attendance_fields) -> list[Attendance]:
    """`count` members of `projects` projects of the season, invited to the session."""
    teams = [ProjectFactory(cohort=session.cohort) for _ in range(projects)]
    return [
        AttendanceFactory(
            session=session, member=ProjectMemberFactory(project=teams[i % projects]), **attendance_fields
        )
        for i in range(count)
    ]


def url(session):
    return reverse("trainings:attendance", kwargs={"pk": session.pk})


def save(client, page, marks=None, *, of):
    """The page's attendance form (the one holding `of`'s marks) posted back with `marks`."""
    return submit(client, page, marks, field=f"morning-{of.member_id}")


def checked(response, name) -> list[str]:
    """The values the page ticks in the radio group `name`."""
    document = lxml.html.fromstring(response.content.decode())
    return [radio.get("value") for radio in document.xpath(f'//input[@type="radio"][@name="{name}"][@checked]')]


def group_of(response, name):
    """The fieldset holding the radio group `name`: its half-day legend, buttons and message."""
    document = lxml.html.fromstring(response.content.decode())
    return document.xpath(f'//input[@name="{name}"]/ancestor::fieldset[1]')[0]


def refreshed(attendances):
    return [Attendance.objects.get(pk=attendance.pk) for attendance in attendances]


# --- The service --------------------------------------------------------------------------------------


def test_recording_marks_each_half_day_and_holds_the_session_on_its_day(session, staff):
    lea, marc = invite(session, 2)
    with on(SESSION_DAY, 17):
        changed = services.record_attendance(
            session=session, marks={lea.member_id: (PRESENT, PRESENT), marc.member_id: (PRESENT, EXCUSED)}, by=staff
        )
    assert changed == 2
    lea, marc = refreshed([lea, marc])
    assert (lea.morning, lea.afternoon) == (PRESENT, PRESENT)
    assert (marc.morning, marc.afternoon) == (PRESENT, EXCUSED)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.HELD
    assert session.sequence == 0  # nothing members need to see in their calendars


def test_marks_recorded_before_the_day_leave_the_session_as_it_was(session, staff):
    (lea,) = invite(session, 1)
    with on(SESSION_DAY - datetime.timedelta(days=1)):
        services.record_attendance(session=session, marks={lea.member_id: (PRESENT, PRESENT)}, by=staff)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


def test_a_day_where_nobody_came_is_not_held(session, staff):
    lea, marc = invite(session, 2)
    with on(SESSION_DAY):
        services.record_attendance(
            session=session, marks={lea.member_id: (ABSENT, ABSENT), marc.member_id: (EXCUSED, "")}, by=staff
        )
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


def test_a_cancelled_day_takes_no_attendance(session, staff):
    (lea,) = invite(session, 1)
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.CANCELLED)
    with pytest.raises(services.AttendanceNotAllowed):
        services.record_attendance(session=session, marks={lea.member_id: (PRESENT, PRESENT)}, by=staff)


def test_only_invitees_can_be_marked_and_nothing_is_saved_otherwise(session, staff):
    (lea,) = invite(session, 1)
    stranger = ProjectMemberFactory(project=ProjectFactory(cohort=session.cohort))
    with pytest.raises(services.AttendanceNotAllowed):
        services.record_attendance(
            session=session, marks={lea.member_id: (PRESENT, PRESENT), stranger.pk: (PRESENT, PRESENT)}, by=staff
        )
    assert refreshed([lea])[0].morning == ""


def test_an_unknown_mark_is_refused(session, staff):
    (lea,) = invite(session, 1)
    with pytest.raises(services.AttendanceNotAllowed):
        services.record_attendance(session=session, marks={lea.member_id: ("late", PRESENT)}, by=staff)
    assert refreshed([lea])[0].afternoon == ""


def test_a_morning_only_day_cannot_be_marked_for_the_afternoon(session, staff):
    TrainingSession.objects.filter(pk=session.pk).update(afternoon_start=None, afternoon_end=None)
    session.refresh_from_db()
    (lea,) = invite(session, 1)
    with pytest.raises(services.AttendanceNotAllowed):
        services.record_attendance(session=session, marks={lea.member_id: (PRESENT, PRESENT)}, by=staff)
    services.record_attendance(session=session, marks={lea.member_id: (PRESENT, "")}, by=staff)
    assert refreshed([lea])[0].morning == PRESENT


# --- Rates ----------------------------------------------------------------------------------------------


def test_the_session_rate_is_present_half_days_over_those_expected_from_invitees_who_did_not_decline(session, staff):
    lea, marc, zoe = invite(session, 3)
    invite(session, 1, response=Attendance.Response.DECLINED)  # not expected
    services.record_attendance(
        session=session,
        marks={lea.member_id: (PRESENT, PRESENT), marc.member_id: (PRESENT, ABSENT), zoe.member_id: (EXCUSED, "")},
        by=staff,
    )
    rate = services.attendance_rate(session)
    assert (rate.present, rate.expected) == (3, 6)
    assert rate.percent == 50
    assert rate.participant_days == Decimal("1.5")


def test_someone_who_declined_but_came_counts_and_a_rate_never_exceeds_100(session, staff):
    (changed_mind,) = invite(session, 1, response=Attendance.Response.DECLINED)
    services.record_attendance(session=session, marks={changed_mind.member_id: (PRESENT, "")}, by=staff)
    rate = services.attendance_rate(session)
    assert (rate.present, rate.expected) == (1, 1)


def test_a_day_without_times_counts_two_half_days_and_a_morning_only_day_one(season, staff):
    whole = TrainingSessionFactory(
        cohort=season, morning_start=None, morning_end=None, afternoon_start=None, afternoon_end=None
    )
    morning = TrainingSessionFactory(cohort=season, afternoon_start=None, afternoon_end=None)
    invite(whole, 2)
    invite(morning, 2)
    assert services.attendance_rate(whole).expected == 4
    assert services.attendance_rate(morning).expected == 2
    assert services.attendance_rate(TrainingSessionFactory(cohort=season)) == services.Rate(0, 0)
    assert services.Rate(0, 0).percent is None


def test_project_rates_over_the_season_count_held_days_only(season, staff):
    held, to_come = TrainingSessionFactory(cohort=season), TrainingSessionFactory(cohort=season)
    garage, cafe = ProjectFactory(cohort=season), ProjectFactory(cohort=season)
    members = [
        ProjectMemberFactory(project=garage),
        ProjectMemberFactory(project=garage),
        ProjectMemberFactory(project=cafe),
    ]
    for day in (held, to_come):
        for member in members:
            AttendanceFactory(session=day, member=member)
    with on(held.date):
        services.record_attendance(
            session=held,
            marks={members[0].pk: (PRESENT, PRESENT), members[1].pk: (ABSENT, ABSENT), members[2].pk: (PRESENT, "")},
            by=staff,
        )
    rates = services.project_attendance_rates(season)
    assert (rates[garage.pk].present, rates[garage.pk].expected) == (2, 4)
    assert (rates[cafe.pk].present, rates[cafe.pk].expected) == (1, 2)
    assert services.participant_days(season.training_sessions.all()) == Decimal("1.5")


def test_the_rate_counted_over_the_attendances_read_is_the_one_the_database_counts(season, staff):
    """The attendance page counts its day's rate over the invitees it has read (`attendance_rate_of`): the same
    figure as the query, whatever the day's half-days and the answers."""
    days = [
        TrainingSessionFactory(cohort=season),
        TrainingSessionFactory(
            cohort=season, morning_start=None, morning_end=None, afternoon_start=None, afternoon_end=None
        ),
        TrainingSessionFactory(cohort=season, afternoon_start=None, afternoon_end=None),
        TrainingSessionFactory(cohort=season, morning_start=None, morning_end=None),
    ]
    marks = [PRESENT, ABSENT, EXCUSED, ""]
    for day in days:
        people = invite(day, 4) + invite(day, 4, response=Attendance.Response.DECLINED)
        for n, person in enumerate(people):
            Attendance.objects.filter(pk=person.pk).update(morning=marks[n % 4], afternoon=marks[(n + 1) % 4])
        attendances = list(Attendance.objects.filter(session=day))
        assert services.attendance_rate_of(day, attendances) == services.attendance_rate(day)
    assert services.attendance_rate_of(TrainingSessionFactory(cohort=season), []) == services.Rate(0, 0)


def test_rates_take_one_query_whatever_the_number_of_sessions(season, staff, django_assert_max_num_queries):
    sessions = [TrainingSessionFactory(cohort=season) for _ in range(10)]
    for day in sessions:
        invite(day, 2, projects=1)
    # One grouped query each, with 1 or 10 sessions.
    with django_assert_max_num_queries(1):
        rates = services.session_attendance_rates(season.training_sessions.filter(pk=sessions[0].pk))
    assert rates[sessions[0].pk].expected == 4
    with django_assert_max_num_queries(1):
        rates = services.session_attendance_rates(season.training_sessions.all())
    assert sum(rate.expected for rate in rates.values()) == 40
    with django_assert_max_num_queries(1):
        services.project_attendance_rates(season)
    with django_assert_max_num_queries(1):
        services.participant_days(season.training_sessions.all())


# --- The attendance page ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "superuser", "trainer_user"])
def test_programme_staff_and_the_sessions_trainer_open_the_attendance_page(client, request, session, role):
    invite(session, 2)
    client.force_login(request.getfixturevalue(role))
    response = client.get(url(session))
    assert response.status_code == 200
    assert "Émargement" in response.content.decode()


@pytest.mark.parametrize("role", ["coach", "other_staff", "other_trainer_user"])
def test_anyone_else_logged_in_finds_no_attendance_page(client, request, session, role):
    (lea,) = invite(session, 1)
    client.force_login(request.getfixturevalue(role))
    assert client.get(url(session)).status_code == 404
    # Forged on purpose: the page is not found for them, so they never see its form.
    assert client.post(url(session), {f"morning-{lea.member_id}": PRESENT}).status_code == 404
    assert refreshed([lea])[0].morning == ""


def test_an_anonymous_visitor_is_sent_tolog_in(client, session):
    response = client.get(url(session))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_page_lists_each_invitee_by_project_with_their_answer(client, staff, session):
    garage = ProjectFactory(cohort=session.cohort, name="Garage solidaire du Diois")
    cafe = ProjectFactory(cohort=session.cohort, name="Café des Possibles")
    AttendanceFactory(session=session, member=ProjectMemberFactory(project=garage, name="Léa Roux"))
    AttendanceFactory(
        session=session,
        member=ProjectMemberFactory(project=cafe, name="Marc Blanc"),
        response=Attendance.Response.DECLINED,
    )
    AttendanceFactory(
        session=session,
        member=ProjectMemberFactory(project=cafe, name="Zoé Petit"),
        response=Attendance.Response.CONFIRMED,
    )
    client.force_login(staff)
    html = client.get(url(session)).content.decode()
    assert html.index("Café des Possibles") < html.index("Marc Blanc") < html.index("Zoé Petit")
    assert html.index("Zoé Petit") < html.index("Garage solidaire du Diois") < html.index("Léa Roux")
    assert "Absence annoncée" in html and "Présence confirmée" in html
    assert html.count('type="radio"') == 3 * 2 * 3  # three people, two half-days, three choices


def test_the_page_counts_answers_in_real_singular_and_plural(client, staff, session):
    invite(session, 1, projects=1, response=Attendance.Response.CONFIRMED)
    invite(session, 2, projects=1, response=Attendance.Response.DECLINED)
    client.force_login(staff)
    text = " ".join(client.get(url(session)).content.decode().split())
    assert "3 personnes invitées · 1 présence confirmée, 2 absences annoncées" in text
    assert "(s)" not in text


def test_staff_mark_everyone_with_one_post(client, staff, session):
    lea, marc = invite(session, 2)
    client.force_login(staff)
    with on(SESSION_DAY, 18):
        page = client.get(url(session))
        marks = {
            f"morning-{lea.member_id}": PRESENT,
            f"afternoon-{lea.member_id}": PRESENT,
            f"morning-{marc.member_id}": EXCUSED,
            f"afternoon-{marc.member_id}": ABSENT,
        }
        response = save(client, page, marks, of=lea)
    assert response.status_code == 302 and response.url == url(session)
    lea, marc = refreshed([lea, marc])
    assert (lea.morning, lea.afternoon, marc.morning, marc.afternoon) == (PRESENT, PRESENT, EXCUSED, ABSENT)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.HELD
    followed = client.get(url(session)).content.decode()
    assert "L&#x27;émargement est enregistré." in followed
    assert "Taux de présence : 50" in followed  # two half-days out of four


def test_the_sessions_trainer_marks_attendance(client, trainer_user, session):
    (lea,) = invite(session, 1)
    client.force_login(trainer_user)
    save(client, client.get(url(session)), {f"morning-{lea.member_id}": PRESENT}, of=lea)
    assert refreshed([lea])[0].morning == PRESENT


def test_a_mark_for_someone_not_on_the_list_changes_nothing(client, staff, session, season):
    (lea,) = invite(session, 1)
    other_day = TrainingSessionFactory(cohort=season, date=SESSION_DAY + datetime.timedelta(days=28))
    (stranger,) = invite(other_day, 1)
    client.force_login(staff)
    # Forged on purpose: the page has no field for a member invited to another day only.
    response = client.post(
        url(session), {f"morning-{lea.member_id}": PRESENT, f"morning-{stranger.member_id}": PRESENT}
    )
    assert response.status_code == 302
    assert [attendance.morning for attendance in refreshed([lea, stranger])] == [PRESENT, ""]


def test_a_tampered_choice_is_reported_and_nothing_is_saved(client, staff, session):
    lea, marc = invite(session, 2)
    client.force_login(staff)
    # Forged on purpose: "late" is none of the page's choices.
    response = client.post(url(session), {f"morning-{lea.member_id}": PRESENT, f"morning-{marc.member_id}": "late"})
    assert response.status_code == 200
    assert "L&#x27;émargement n&#x27;est pas enregistré" in response.content.decode()
    assert [attendance.morning for attendance in refreshed([lea, marc])] == ["", ""]
    # What was chosen is still chosen on the page, and the refused group says why.
    assert checked(response, f"morning-{lea.member_id}") == [PRESENT]
    group = group_of(response, f"morning-{marc.member_id}")
    assert "Choisissez une des réponses proposées." in group.text_content()


def test_a_half_day_left_unanswered_keeps_what_someone_else_recorded(client, staff, trainer_user, session):
    (lea,) = invite(session, 1)
    client.force_login(staff)
    staff_page = client.get(url(session))  # opened before the trainer's marks
    trainer = Client()
    trainer.force_login(trainer_user)
    save(trainer, trainer.get(url(session)), {f"morning-{lea.member_id}": PRESENT}, of=lea)
    save(client, staff_page, {f"afternoon-{lea.member_id}": ABSENT}, of=lea)
    lea = refreshed([lea])[0]
    assert (lea.morning, lea.afternoon) == (PRESENT, ABSENT)


def test_a_page_saved_unchanged_keeps_every_mark(client, staff, session):
    lea, marc = invite(session, 2)
    client.force_login(staff)
    marks = {f"morning-{lea.member_id}": PRESENT, f"afternoon-{marc.member_id}": ABSENT}
    save(client, client.get(url(session)), marks, of=lea)
    for _round in range(2):
        response = save(client, client.get(url(session)), of=lea)
        assert response.status_code == 302
    lea, marc = refreshed([lea, marc])
    assert (lea.morning, lea.afternoon, marc.morning, marc.afternoon) == (PRESENT, "", "", ABSENT)


def test_a_mark_someone_else_corrected_meanwhile_is_not_put_back_by_an_older_page(client, staff, trainer_user, session):
    lea, marc = invite(session, 2)
    trainer = Client()
    trainer.force_login(trainer_user)
    save(trainer, trainer.get(url(session)), {f"morning-{lea.member_id}": PRESENT}, of=lea)
    client.force_login(staff)
    staff_page = client.get(url(session))  # shows Léa present in the morning
    # Léa left before the morning was over: the trainer corrects her mark.
    save(trainer, trainer.get(url(session)), {f"morning-{lea.member_id}": ABSENT}, of=lea)
    # Staff mark Marc on the page they opened earlier, without touching Léa.
    response = save(client, staff_page, {f"morning-{marc.member_id}": PRESENT}, of=lea)
    assert response.status_code == 302
    lea, marc = refreshed([lea, marc])
    assert (lea.morning, marc.morning) == (ABSENT, PRESENT)


def test_a_day_cancelled_between_the_page_and_the_click_says_so_and_records_nothing(client, staff, session):
    (lea,) = invite(session, 1)
    client.force_login(staff)
    page = client.get(url(session))
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.CANCELLED)
    response = save(client, page, {f"morning-{lea.member_id}": PRESENT}, of=lea)
    assert response.status_code == 200
    assert "Cette journée est annulée : il n&#x27;y a pas d&#x27;émargement à faire." in response.content.decode()
    assert refreshed([lea])[0].morning == ""


def test_a_cancelled_day_shows_its_list_without_a_save_button(client, staff, session):
    invite(session, 1)
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.CANCELLED)
    client.force_login(staff)
    html = client.get(url(session)).content.decode()
    assert "Cette journée est annulée" in html
    assert "Enregistrer l&#x27;émargement" not in html


@pytest.mark.parametrize("participants", [6, 60])
def test_the_attendance_page_runs_the_same_queries_with_6_or_60_participants(
    client, trainer_user, session, participants, django_assert_max_num_queries
):
    invite(session, participants, projects=participants // 3)
    client.force_login(trainer_user)
    # 5 = session + user; the trainer behind the login (menu); the session with its season, programme and
    # venue; the invitees with their projects (the rate is counted over them).
    with django_assert_max_num_queries(5):
        response = client.get(url(session))
    assert response.content.decode().count('type="radio"') == participants * 6


# --- The trainers' own list -----------------------------------------------------------------------------


def test_a_trainer_sees_their_days_the_coming_ones_first_with_their_links(client, trainer_user, trainer, session):
    past = TrainingSessionFactory(
        cohort=session.cohort, date=SESSION_DAY - datetime.timedelta(days=28), trainers=[trainer]
    )
    later = TrainingSessionFactory(
        cohort=session.cohort, date=SESSION_DAY + datetime.timedelta(days=28), trainers=[trainer]
    )
    someone_elses = TrainingSessionFactory(cohort=session.cohort, title="Pas la mienne")
    client.force_login(trainer_user)
    with on(SESSION_DAY):
        html = client.get(reverse("trainings:my_sessions")).content.decode()
    assert html.index(session.title) < html.index(later.title) < html.index("Journées passées") < html.index(past.title)
    assert someone_elses.title not in html
    assert reverse("trainings:attendance", kwargs={"pk": session.pk}) in html
    assert reverse("trainings:attendance_sheet", kwargs={"pk": session.pk}) in html


def test_a_trainers_day_counts_its_people_in_real_singular_and_plural(client, trainer_user, trainer, session):
    session.trainers.add(trainer)
    invite(session, 1, projects=1, response=Attendance.Response.CONFIRMED)
    client.force_login(trainer_user)
    with on(SESSION_DAY):
        text = " ".join(client.get(reverse("trainings:my_sessions")).content.decode().split())
    assert "1 présence confirmée sur 1 personne invitée" in text
    invite(session, 2, projects=1, response=Attendance.Response.CONFIRMED)
    with on(SESSION_DAY):
        text = " ".join(client.get(reverse("trainings:my_sessions")).content.decode().split())
    assert "3 présences confirmées sur 3 personnes invitées" in text and "(s)" not in text


@pytest.mark.parametrize("role", ["staff", "coach", "superuser"])
def test_the_trainers_list_is_refused_to_people_who_are_not_trainers(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("trainings:my_sessions")).status_code == 403


def test_the_trainers_list_asks_anonymous_visitors_tolog_in(client, db):
    response = client.get(reverse("trainings:my_sessions"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_menu_offers_my_days_to_trainers_only(client, trainer_user, staff, trainer):
    client.force_login(trainer_user)
    assert "Mes journées" in client.get(reverse("home"), follow=True).content.decode()
    client.force_login(UserFactory())
    assert "Mes journées" not in client.get(reverse("home")).content.decode()
    client.force_login(staff)
    assert "Mes journées" not in client.get(reverse("cohorts:cohort_list")).content.decode()


def test_the_trainers_list_runs_the_same_queries_with_3_or_30_days(
    client, trainer_user, trainer, season, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            invite(TrainingSessionFactory(cohort=season, trainers=[trainer]), 2, projects=1)

    add(3)
    with on(SESSION_DAY + datetime.timedelta(days=100)):
        client.force_login(trainer_user)
        # 6 = session + user; the trainer (menu and access, cached); the days with their counts; their
        # trainers (prefetched); the one grouped query of the past days' rates.
        with django_assert_max_num_queries(6):
            assert client.get(reverse("trainings:my_sessions")).status_code == 200
        add(27)
        with django_assert_max_num_queries(6):
            response = client.get(reverse("trainings:my_sessions"))
    assert len(response.context["upcoming"]) + len(response.context["past"]) == 30


# --- On a phone, in a real browser ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_trainer_marks_attendance_from_a_phone(page, live_server, programme, trainer_user, trainer):
    today = timezone.localdate()
    session = TrainingSessionFactory(
        cohort=CohortFactory(programme=programme, start_date=today - datetime.timedelta(days=30)),
        date=today,
        title="Se présenter aux élus",
        trainers=[trainer],
    )
    project = ProjectFactory(cohort=session.cohort, name="Recyclerie du Plateau")
    lea = AttendanceFactory(session=session, member=ProjectMemberFactory(project=project, name="Léa Roux"))
    marc = AttendanceFactory(session=session, member=ProjectMemberFactory(project=project, name="Marc Blanc"))

    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(trainer_user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.get_by_role("link", name="Mes journées").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes journées")
    page.get_by_role("link", name=re.compile("^Émargement")).click()
    expect(page.get_by_role("heading", name="Recyclerie du Plateau")).to_be_visible()

    lea_card = page.get_by_role("group", name="Léa Roux")
    lea_card.get_by_role("group", name="Matin").get_by_text("Présent·e").click()
    lea_card.get_by_role("group", name="Après-midi").get_by_text("Présent·e").click()
    marc_card = page.get_by_role("group", name="Marc Blanc")
    marc_card.get_by_role("group", name="Matin").get_by_text("Excusé·e").click()
    expect(marc_card.get_by_role("group", name="Matin").get_by_label("Excusé·e")).to_be_checked()
    page.get_by_role("button", name="Enregistrer l'émargement").click()

    expect(page.get_by_text("L'émargement est enregistré.")).to_be_visible()
    lea, marc = refreshed([lea, marc])
    assert (lea.morning, lea.afternoon, marc.morning, marc.afternoon) == (PRESENT, PRESENT, EXCUSED, "")
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.HELD


def test_a_trainer_with_a_login_lands_on_their_days(client, trainer_user, trainer):
    client.force_login(trainer_user)
    assert client.get(reverse("home"))["Location"] == reverse("trainings:my_sessions")


@pytest.fixture
def small_phone(browser):
    """A 375-pixel-wide phone, the narrowest people use here."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="fr-FR")
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_find_a_person_among_many_and_save_every_mark_on_a_small_phone(
    small_phone, live_server, programme, staff
):
    page = small_phone
    today = timezone.localdate()
    session = TrainingSessionFactory(
        cohort=CohortFactory(programme=programme, start_date=today - datetime.timedelta(days=30)), date=today
    )
    teams = [ProjectFactory(cohort=session.cohort, name=f"Projet n°{n:02d}") for n in range(8)]
    people = [
        AttendanceFactory(session=session, member=ProjectMemberFactory(project=teams[n % 8], name=f"Personne {n:02d}"))
        for n in range(40)
    ]
    lea = AttendanceFactory(session=session, member=ProjectMemberFactory(project=teams[3], name="Léa Roux"))

    log_in(page, live_server, staff)
    page.goto(f"{live_server.url}{url(session)}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("group", name="Personne 00").get_by_role("group", name="Matin").get_by_text("Présent·e").click()
    page.get_by_label("Chercher une personne ou un projet").fill("lea")  # without the accent, as typed on a phone
    expect(page.get_by_role("group", name="Léa Roux")).to_be_visible()
    expect(page.get_by_role("group", name="Personne 01")).to_be_hidden()
    expect(page.get_by_role("heading", name="Projet n°00")).to_be_hidden()
    page.get_by_role("group", name="Léa Roux").get_by_role("group", name="Après-midi").get_by_text("Absent·e").click()
    page.get_by_label("Chercher une personne ou un projet").fill("personne introuvable")
    expect(page.get_by_text("Personne ne correspond à cette recherche.")).to_be_visible()
    # The save button stays at hand whatever the scroll.
    expect(page.get_by_role("button", name="Enregistrer l'émargement")).to_be_in_viewport()
    page.get_by_role("button", name="Enregistrer l'émargement").click()

    expect(page.get_by_text("L'émargement est enregistré.")).to_be_visible()
    first, lea = refreshed([people[0], lea])
    # The person hidden by the search when saving keeps the mark chosen before.
    assert (first.morning, lea.afternoon) == (PRESENT, ABSENT)

"""A word after each day: the morning-after mail to those present, once; the three questions; the staff's page."""

import datetime
import html
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.urls import reverse

from outbox.models import OutgoingMail
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    TrainerFactory,
    TrainingSessionFactory,
    VenueFactory,
)
from tests.forms import find_form, form_fields, forms_of, submit
from trainings import services
from trainings.models import Attendance, Survey, TrainingSession
from trainings.services import surveys

pytestmark = pytest.mark.django_db

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
PRESENT, ABSENT, EXCUSED = Attendance.Presence.PRESENT, Attendance.Presence.ABSENT, Attendance.Presence.EXCUSED
HELD = TrainingSession.Status.HELD


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027", start_date=D(2026, 9, 1))


@pytest.fixture
def day(cohort):
    return TrainingSessionFactory(
        cohort=cohort,
        date=D(2026, 10, 13),
        title="Le modèle économique",
        status=HELD,
        venue=VenueFactory(name="La Fabrique", commune="Dieulefit"),
        trainers=[TrainerFactory(name="Inès Morel")],
    )


@pytest.fixture
def people(day):
    """Léa came all day, Paul the morning only, Zoé was absent, Marc was excused, Nina came but has no e-mail."""
    project = ProjectFactory(cohort=day.cohort, name="Garage du Diois")
    made = {}
    for name, email, morning, afternoon in [
        ("Léa Martin", "lea@exemple.fr", PRESENT, PRESENT),
        ("Paul Roux", "paul@exemple.fr", PRESENT, EXCUSED),
        ("Zoé Petit", "zoe@exemple.fr", ABSENT, ABSENT),
        ("Marc Blanc", "marc@exemple.fr", EXCUSED, EXCUSED),
        ("Nina Sans", "", PRESENT, PRESENT),
    ]:
        member = ProjectMemberFactory(project=project, name=name, email=email)
        AttendanceFactory(session=day, member=member, morning=morning, afternoon=afternoon)
        made[name] = member
    return made


# --- The morning after ----------------------------------------------------------------------------------------


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The sweep at a moment, with the mails it queues delivered as a worker would once it commits."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return surveys.send_due_surveys(now=now)

    return run


def test_the_morning_after_a_held_day_each_person_present_gets_one_mail(day, people, mailoutbox, sweep):
    assert sweep(at(D(2026, 10, 14), 8, 59)) == 0
    assert sweep(at(D(2026, 10, 14), 9, 5)) == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == ["lea@exemple.fr", "paul@exemple.fr"]
    mail = next(mail for mail in mailoutbox if mail.to == ["lea@exemple.fr"])
    assert mail.subject == "Votre avis sur la journée collective du mardi 13 octobre"
    assert "Bonjour Léa Martin," in mail.body
    survey = Survey.objects.get(member=people["Léa Martin"])
    assert survey.mail.status == OutgoingMail.Status.SENT
    assert surveys.survey_url(survey).split("/avis/")[0] in mail.body


def test_a_second_sweep_sends_nothing_again(day, people, mailoutbox, sweep):
    sweep(at(D(2026, 10, 14), 9, 5))
    assert sweep(at(D(2026, 10, 14), 9, 35)) == 0
    assert sweep(at(D(2026, 10, 15), 9, 5)) == 0
    assert len(mailoutbox) == 2
    assert Survey.objects.count() == 2


def test_someone_marked_present_a_day_late_is_still_asked_once(day, people, mailoutbox, sweep):
    sweep(at(D(2026, 10, 14), 9, 5))
    attendance = Attendance.objects.get(member=people["Zoé Petit"])
    attendance.morning = PRESENT  # the trainer corrects the sheet the next day
    attendance.save()
    assert sweep(at(D(2026, 10, 15), 9, 5)) == 1
    assert mailoutbox[-1].to == ["zoe@exemple.fr"]


def test_a_day_not_held_or_long_past_gets_no_mail(cohort, people, day, mailoutbox, sweep):
    day.status = TrainingSession.Status.CONFIRMED  # attendance never taken
    day.save()
    assert sweep(at(D(2026, 10, 14), 9, 5)) == 0
    day.status = HELD
    day.save()
    assert sweep(at(D(2026, 10, 17), 9, 5)) == 0  # three days after the morning after
    assert mailoutbox == []


def test_the_beat_task_sends_them(day, people, mailoutbox):
    from trainings.tasks import send_due_surveys

    with time_machine.travel(at(D(2026, 10, 14), 9, 10), tick=False):
        assert send_due_surveys.delay().get() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_mail_once(day, people):
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(surveys.send_due_surveys(now=at(D(2026, 10, 14), 9, 5)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 2
    assert Survey.objects.count() == 2
    assert OutgoingMail.objects.count() == 2


# --- Answering -----------------------------------------------------------------------------------------------


@pytest.fixture
def survey(day, people, sweep):
    sweep(at(D(2026, 10, 14), 9, 5))
    return Survey.objects.get(member=people["Léa Martin"])


def test_a_participant_answers_the_three_questions_then_changes_their_answer(client, survey):
    url = surveys.survey_url(survey)
    page = client.get(url)
    assert page.status_code == 200
    assert "Votre avis — Le modèle économique" in text_of(page)
    response = submit(
        client, page, {"usefulness": "4", "organisation": "5", "comment": "Très concret."}, button="submit", follow=True
    )
    assert "Merci ! Votre avis est bien reçu." in text_of(response)
    survey.refresh_from_db()
    assert (survey.usefulness, survey.organisation, survey.comment) == (4, 5, "Très concret.")
    assert survey.answered_at is not None and survey.changed_at is None

    page = client.get(url)
    assert "vous pouvez changer votre avis jusqu'au" in text_of(page)
    response = submit(client, page, {"usefulness": "5"}, button="submit", follow=True)
    assert "C'est noté : votre avis est modifié." in text_of(response)
    survey.refresh_from_db()
    assert (survey.usefulness, survey.organisation, survey.comment) == (5, 5, "Très concret.")
    assert survey.changed_at is not None
    assert Survey.objects.filter(member=survey.member).count() == 1


def test_a_missing_mark_is_asked_for_and_the_comment_typed_is_kept(client, survey):
    page = client.get(surveys.survey_url(survey))
    response = submit(client, page, {"usefulness": "3", "comment": "Le repas était froid."}, button="submit")
    assert response.status_code == 400
    text = text_of(response)
    assert "Choisissez une note de 1 à 5 pour l'organisation de la journée." in text
    assert "Le repas était froid." in text
    form = form_fields(find_form(response, button="submit"))
    assert ("usefulness", "3") in form and ("comment", "Le repas était froid.") in form
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_a_mark_outside_1_to_5_is_refused(client, survey):
    page = client.get(surveys.survey_url(survey))
    response = client.post(surveys.survey_url(survey), {"usefulness": "9", "organisation": "2", "comment": ""})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in text_of(response)
    assert page.status_code == 200


def test_a_week_after_answering_the_answer_is_kept_as_it_is(client, survey):
    url = surveys.survey_url(survey)
    submit(client, client.get(url), {"usefulness": "2", "organisation": "3"}, button="submit")
    with time_machine.travel(datetime.timedelta(days=surveys.CHANGE_DAYS, hours=1)):
        page = client.get(url)
        assert page.status_code == 200
        assert "il est gardé tel quel" in text_of(page)
        assert [form.get("action") for form in forms_of(page)] == ["/langue/setlang/"]  # only the language's
        response = client.post(url, {"usefulness": "5", "organisation": "5", "comment": ""})
        assert response.status_code == 409
    survey.refresh_from_db()
    assert (survey.usefulness, survey.organisation) == (2, 3)


def test_a_forged_expired_or_other_salt_link_is_not_found(client, survey, settings):
    token = surveys.survey_token(survey)
    assert client.get(reverse("trainings:survey", kwargs={"token": token[:-2] + "xx"})).status_code == 404
    # A member-page token for the same number is no survey link.
    other = signing.dumps(survey.pk, salt="trainings.member")
    assert client.get(reverse("trainings:survey", kwargs={"token": other})).status_code == 404
    with time_machine.travel(datetime.timedelta(days=settings.SURVEY_LINK_DAYS + 1)):
        assert client.get(reverse("trainings:survey", kwargs={"token": token})).status_code == 404


def test_each_link_answers_for_its_own_person_only(client, survey, people):
    paul = Survey.objects.get(member=people["Paul Roux"])
    submit(client, client.get(surveys.survey_url(paul)), {"usefulness": "1", "organisation": "1"}, button="submit")
    survey.refresh_from_db()
    assert survey.answered_at is None
    paul.refresh_from_db()
    assert paul.usefulness == 1


def test_the_survey_page_runs_a_fixed_number_of_queries(client, survey, django_assert_max_num_queries):
    # The survey with its member, day, venue and programme (1).
    with django_assert_max_num_queries(1):
        assert client.get(surveys.survey_url(survey)).status_code == 200


# --- What staff read -----------------------------------------------------------------------------------------


def results_url(cohort):
    return reverse("trainings:survey_results", kwargs={"cohort_pk": cohort.pk})


def answer(survey, usefulness, organisation, comment=""):
    services.answer_survey(survey=survey, usefulness=usefulness, organisation=organisation, comment=comment)


def test_staff_read_the_answers_per_day_trainer_and_venue_with_the_comments(client, staff, survey, people):
    answer(survey, 4, 5, "Très concret.")
    client.force_login(staff)
    response = client.get(results_url(survey.session.cohort))
    assert response.status_code == 200
    text = " ".join(text_of(response).split())
    assert "1 avis reçus sur 2 demandés (50 %)" in text
    assert "utilité 4,0/5, organisation 5,0/5" in text
    for label in ["13 octobre 2026 — Le modèle économique", "Inès Morel", "La Fabrique"]:
        assert label in text
    assert "Très concret." in text
    assert "Léa Martin" not in text  # what people wrote is read without their names


def test_only_the_programmes_staff_read_the_answers(client, cohort, survey, coach):
    url = results_url(cohort)
    assert client.get(url).status_code == 302
    client.force_login(coach)
    assert client.get(url).status_code == 403
    client.force_login(StaffFactory(partner_structure=PartnerStructureFactory()))
    assert client.get(url).status_code == 404


def test_the_staff_page_runs_the_same_queries_with_1_or_10_days(client, staff, cohort, django_assert_max_num_queries):
    client.force_login(staff)
    venue, trainer = VenueFactory(), TrainerFactory()
    for n in range(10):
        day = TrainingSessionFactory(cohort=cohort, status=HELD, venue=venue, trainers=[trainer])
        for _person in range(3):
            member = ProjectMemberFactory(project=ProjectFactory(cohort=cohort))
            answer(Survey.objects.create(session=day, member=member), 4, 3, "Bien.")
        if n == 0:
            # Session and user (2), the season (1); total, per day, per trainer, per venue (4); the comments (1).
            with django_assert_max_num_queries(8):
                assert client.get(results_url(cohort)).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(results_url(cohort)).status_code == 200


def test_the_season_satisfaction_leaves_the_comments_out_unless_asked(survey):
    answer(survey, 4, 5, "Très concret.")
    assert services.season_satisfaction(survey.session.cohort, with_comments=False).comments is None
    assert [c.text for c in services.season_satisfaction(survey.session.cohort, with_comments=True).comments] == [
        "Très concret."
    ]

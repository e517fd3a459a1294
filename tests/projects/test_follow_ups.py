"""Projects followed over time: 6, 12 and 24 months after a season, the contact's mail, once; one reminder; the form."""

import datetime
import html
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.urls import reverse

from outbox.models import OutgoingMail
from projects import services
from projects.models import FollowUp, Outcome
from projects.services import follow_ups
from projects.tasks import send_due_follow_ups
from tests.factories import (
    CandidacyFactory,
    CoachAssignmentFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
)
from tests.forms import find_form, form_fields, forms_of, submit
from trainings.tokens import member_token

pytestmark = pytest.mark.django_db

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def text_of(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.fixture
def cohort(programme):
    # 15 months from 1 January 2025: the season's last day is 31 March 2026.
    return CohortFactory(programme=programme, name="Saison 2025-2026", start_date=D(2025, 1, 1))


SIX, TWELVE, TWENTY_FOUR = D(2026, 9, 30), D(2027, 3, 31), D(2028, 3, 31)


@pytest.fixture
def projects(cohort):
    """The garage's candidacy names its contact; the café has none but a member with an address; the third
    project has nobody to write to."""
    garage = ProjectFactory(
        cohort=cohort,
        name="Garage du Diois",
        candidacy=CandidacyFactory(cohort=cohort, contact_name="Léa Martin", contact_email="lea@exemple.fr"),
    )
    ProjectMemberFactory(project=garage, name="Paul Roux", email="paul@exemple.fr")
    cafe = ProjectFactory(cohort=cohort, name="Café des Baronnies")
    ProjectMemberFactory(project=cafe, name="Sans Adresse", email="")
    ProjectMemberFactory(project=cafe, name="Inès Morel", email="ines@exemple.fr")
    silent = ProjectFactory(cohort=cohort, name="Projet sans contact")
    ProjectMemberFactory(project=silent, email="")
    return {"garage": garage, "cafe": cafe, "silent": silent}


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The sweep at a moment, with the mails it queues delivered as a worker would once it commits."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return follow_ups.send_due_follow_ups(now=now)

    return run


# --- Dates ---------------------------------------------------------------------------------------------------


def test_the_milestones_fall_6_12_and_24_months_after_the_seasons_last_day(cohort):
    assert cohort.end_date == D(2026, 3, 31)
    assert [follow_ups.due_on(cohort, months) for months in (6, 12, 24)] == [SIX, TWELVE, TWENTY_FOUR]
    assert follow_ups.add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)  # no 31 February: the month's last day
    assert follow_ups.add_months(D(2026, 3, 31), -13) == D(2025, 2, 28)


# --- The sweep -----------------------------------------------------------------------------------------------


def test_six_months_after_the_season_each_projects_contact_gets_one_mail(projects, mailoutbox, sweep):
    assert sweep(at(SIX, 8, 59)).asked == 0
    assert sweep(at(SIX, 9, 20)).asked == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == ["ines@exemple.fr", "lea@exemple.fr"]
    mail = next(mail for mail in mailoutbox if mail.to == ["lea@exemple.fr"])
    assert mail.subject == "Où en est Garage du Diois ? Deux minutes pour nous le dire"
    assert "Bonjour Léa Martin," in mail.body
    assert "Il y a 6 mois se terminait la Saison 2025-2026" in mail.body
    row = FollowUp.objects.get(project=projects["garage"])
    assert (row.months, row.due_on, row.email) == (6, SIX, "lea@exemple.fr")
    assert row.mail.status == OutgoingMail.Status.SENT
    assert follow_ups.follow_up_url(row).split("/suivi/")[0] + "/suivi/" in mail.body
    assert "Bonjour Inès Morel," in next(mail for mail in mailoutbox if mail.to == ["ines@exemple.fr"]).body
    assert not FollowUp.objects.filter(project=projects["silent"]).exists()


def test_a_second_sweep_sends_nothing_again_and_each_milestone_comes_once(projects, mailoutbox, sweep):
    sweep(at(SIX, 9, 20))
    assert sweep(at(SIX, 10, 20)).asked == 0
    assert sweep(at(SIX + datetime.timedelta(days=3), 9, 20)).asked == 0
    assert len(mailoutbox) == 2
    assert sweep(at(TWELVE, 9, 20)).asked == 2
    assert sweep(at(TWENTY_FOUR, 9, 20)).asked == 2
    assert sorted(FollowUp.objects.values_list("months", flat=True)) == [6, 6, 12, 12, 24, 24]
    assert len([mail for mail in mailoutbox if "Il y a 24 mois" in mail.body]) == 2


def test_a_milestone_long_past_is_not_asked_years_late(projects, mailoutbox, sweep):
    assert sweep(at(SIX + datetime.timedelta(days=follow_ups.LATE_DAYS + 1), 9, 20)).asked == 0
    # A beat stopped for a few weeks catches up.
    assert sweep(at(SIX + datetime.timedelta(days=20), 9, 20)).asked == 2


def test_an_unanswered_follow_up_is_reminded_once_two_weeks_later(projects, mailoutbox, sweep):
    sweep(at(SIX, 9, 20))
    garage = FollowUp.objects.get(project=projects["garage"])
    services.answer_follow_up(
        follow_up=garage,
        status=FollowUp.Status.RUNNING,
        legal_form=Outcome.LegalForm.SCIC,
        jobs_fte=Decimal("1.5"),
        volunteers=3,
        funds_raised=Decimal("12000"),
        sentence="",
    )
    assert sweep(at(SIX + datetime.timedelta(days=13), 9, 20)).reminded == 0
    result = sweep(at(SIX + datetime.timedelta(days=14), 9, 20))
    assert (result.asked, result.reminded) == (0, 1)
    reminder = mailoutbox[-1]
    assert reminder.to == ["ines@exemple.fr"]
    assert reminder.subject == "Petit rappel : où en est Café des Baronnies ?"
    assert "c'est le seul rappel" in reminder.body
    cafe = FollowUp.objects.get(project=projects["cafe"])
    assert cafe.reminded_at is not None and cafe.reminder_mail.status == OutgoingMail.Status.SENT
    assert sweep(at(SIX + datetime.timedelta(days=15), 9, 20)).reminded == 0
    assert sweep(at(SIX + datetime.timedelta(days=40), 9, 20)).reminded == 0
    assert len(mailoutbox) == 3


def test_the_beat_task_sends_them(projects, mailoutbox):
    with time_machine.travel(at(SIX, 9, 20), tick=False):
        assert send_due_follow_ups.delay().get() == 2


def test_the_beat_schedule_runs_the_sweep_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-due-follow-ups"]
    assert entry["task"] == "projects.tasks.send_due_follow_ups"


def test_the_sweep_runs_the_same_queries_for_3_or_30_projects(cohort, projects, django_assert_max_num_queries):
    # The seasons due (1); for the season's milestone, in its transaction (2, a savepoint in a test): the lock,
    # the projects, their members, the follow-ups' insert, the outbox rows, their links (6); reminders, in their
    # transaction (2): the rows to remind, none yet (1) = 12.
    with django_assert_max_num_queries(12):
        assert follow_ups.send_due_follow_ups(now=at(SIX, 9, 20)).asked == 2
    for n in range(27):
        ProjectMemberFactory(project=ProjectFactory(cohort=cohort, name=f"Projet {n}"))
    with django_assert_max_num_queries(12):
        assert follow_ups.send_due_follow_ups(now=at(TWELVE, 9, 20)).asked == 29
    # The seasons due (1); the twelve-month milestone, all asked: its transaction (2), the lock, the projects left
    # (the one without a contact) and their members (3); reminding 29: the transaction (2), the rows locked with
    # their project and programme, the outbox rows, their marks (3) = 11.
    with django_assert_max_num_queries(11):
        assert follow_ups.send_due_follow_ups(now=at(TWELVE + datetime.timedelta(days=14), 9, 30)).reminded == 29


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_mail_and_reminder_once(projects):
    def both(now):
        barrier = threading.Barrier(2)
        results = []

        def sweep():
            try:
                barrier.wait()
                results.append(follow_ups.send_due_follow_ups(now=now))
            finally:
                connection.close()

        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    assert sum(result.asked for result in both(at(SIX, 9, 20))) == 2
    assert FollowUp.objects.count() == 2
    assert OutgoingMail.objects.count() == 2
    assert sum(result.reminded for result in both(at(SIX + datetime.timedelta(days=14), 9, 20))) == 2
    assert OutgoingMail.objects.count() == 4


# --- Answering -----------------------------------------------------------------------------------------------


@pytest.fixture
def follow_up(projects, sweep):
    sweep(at(SIX, 9, 20))
    return FollowUp.objects.get(project=projects["garage"])


def test_the_contact_answers_then_changes_the_answer(client, follow_up):
    url = follow_ups.follow_up_url(follow_up)
    page = client.get(url)
    assert page.status_code == 200
    assert "Où en est Garage du Diois ?" in text_of(page)
    response = submit(
        client,
        page,
        {
            "status": "running",
            "legal_form": "scic",
            "jobs_fte": "1,5",
            "volunteers": "4",
            "funds_raised": "12500,50",
            "sentence": "Le garage a ouvert en mai.",
        },
        button="submit",
        follow=True,
    )
    assert "Merci ! Votre réponse est bien reçue." in text_of(response)
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.legal_form, follow_up.jobs_fte) == ("running", "scic", Decimal("1.5"))
    assert (follow_up.volunteers, follow_up.funds_raised) == (4, Decimal("12500.50"))
    assert follow_up.sentence == "Le garage a ouvert en mai."
    assert follow_up.answered_at is not None and follow_up.changed_at is None

    page = client.get(url)
    assert "vous pouvez changer votre réponse jusqu'au" in text_of(page)
    fields = form_fields(find_form(page, button="submit"))
    assert ("jobs_fte", "1,5") in fields and ("funds_raised", "12500,50") in fields
    response = submit(client, page, {"jobs_fte": "2"}, button="submit", follow=True)
    assert "C'est noté : votre réponse est modifiée." in text_of(response)
    follow_up.refresh_from_db()
    assert (follow_up.jobs_fte, follow_up.volunteers, follow_up.sentence) == (
        Decimal("2"),
        4,
        "Le garage a ouvert en mai.",
    )
    assert follow_up.changed_at is not None


def test_bad_numbers_are_explained_in_french_and_nothing_typed_is_lost(client, follow_up):
    page = client.get(follow_ups.follow_up_url(follow_up))
    response = submit(
        client,
        page,
        {
            "status": "paused",
            "legal_form": "association",
            "jobs_fte": "-1",
            "volunteers": "beaucoup",
            "funds_raised": "1000,123",
            "sentence": "On cherche un local.",
        },
        button="submit",
    )
    assert response.status_code == 400
    text = text_of(response)
    assert "Votre réponse n'est pas encore enregistrée" in text
    assert "Le nombre d'emplois ne peut pas être négatif." in text
    assert "Saisissez un nombre entier, par exemple 4." in text
    assert "Deux chiffres après la virgule au plus (les centimes)." in text
    fields = form_fields(find_form(response, button="submit"))
    for kept in [("status", "paused"), ("legal_form", "association"), ("jobs_fte", "-1")]:
        assert kept in fields
    assert ("volunteers", "beaucoup") in fields and ("sentence", "On cherche un local.") in fields
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None


def test_a_missing_answer_is_asked_for_and_too_many_jobs_refused(client, follow_up):
    page = client.get(follow_ups.follow_up_url(follow_up))
    response = submit(client, page, {"jobs_fte": "1000", "volunteers": "2", "funds_raised": "0"}, button="submit")
    assert response.status_code == 400
    text = text_of(response)
    assert "Dites où en est le projet aujourd'hui." in text
    assert "Choisissez une forme juridique" in text
    assert "Ce nombre est trop grand : 999,9 au plus." in text


def test_thirty_days_after_answering_the_answer_is_kept_as_it_is(client, follow_up):
    url = follow_ups.follow_up_url(follow_up)
    changes = {"status": "stopped", "legal_form": "none", "jobs_fte": "0", "volunteers": "0", "funds_raised": "0"}
    submit(client, client.get(url), changes, button="submit")
    with time_machine.travel(datetime.timedelta(days=follow_ups.CHANGE_DAYS, hours=1)):
        page = client.get(url)
        assert page.status_code == 200
        assert "elle est gardée telle quelle" in text_of(page)
        assert "Il est arrêté" in text_of(page)
        assert [form.get("action") for form in forms_of(page)] == ["/langue/setlang/"]  # only the language's
        response = client.post(url, {**changes, "status": "running"})
        assert response.status_code == 409
    follow_up.refresh_from_db()
    assert follow_up.status == "stopped"


def test_a_forged_expired_or_swapped_link_is_not_found(client, follow_up, settings):
    token = follow_ups.follow_up_token(follow_up)
    assert client.get(reverse("projects:follow_up", kwargs={"token": token[:-2] + "xx"})).status_code == 404
    # A survey's or a member page's token for the same number is no follow-up link.
    for salt in ["trainings.survey", "trainings.member"]:
        other = signing.dumps(follow_up.pk, salt=salt)
        assert client.get(reverse("projects:follow_up", kwargs={"token": other})).status_code == 404
    with time_machine.travel(datetime.timedelta(days=settings.FOLLOW_UP_LINK_DAYS + 1)):
        response = client.get(reverse("projects:follow_up", kwargs={"token": token}))
        assert response.status_code == 404
        assert "Ce lien n'est pas ou plus valable" in text_of(response)


def test_each_link_answers_for_its_own_project_only(client, follow_up, projects):
    cafe = FollowUp.objects.get(project=projects["cafe"])
    changes = {"status": "preparing", "legal_form": "none", "jobs_fte": "0", "volunteers": "5", "funds_raised": "0"}
    submit(client, client.get(follow_ups.follow_up_url(cafe)), changes, button="submit")
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None
    cafe.refresh_from_db()
    assert cafe.volunteers == 5


def test_the_follow_up_page_runs_a_fixed_number_of_queries(client, follow_up, django_assert_max_num_queries):
    # The follow-up with its project, season and programme (1).
    with django_assert_max_num_queries(1):
        assert client.get(follow_ups.follow_up_url(follow_up)).status_code == 200


# --- What staff read -----------------------------------------------------------------------------------------


def answer(row, jobs="1.5", **fields):
    services.answer_follow_up(
        follow_up=row,
        **{
            "status": FollowUp.Status.RUNNING,
            "legal_form": Outcome.LegalForm.SCOP,
            "jobs_fte": Decimal(jobs),
            "volunteers": 2,
            "funds_raised": Decimal("5000"),
            "sentence": "Tout va bien.",
            **fields,
        },
    )


def test_staff_read_the_answers_on_the_project_page(client, staff, follow_up, projects):
    answer(follow_up, sentence="Deux salariés depuis l'été.")
    client.force_login(staff)
    with time_machine.travel(at(SIX + datetime.timedelta(days=2), 12), tick=False):
        text = text_of(client.get(reverse("projects:project_detail", args=[projects["garage"].pk])))
        assert "Suivi après la saison" in text
        assert "6 mois après <span" in text and "(30/09/2026)" in text
        assert "Deux salariés depuis l'été." in text and "SCOP" in text
        assert "(31/03/2027)" in text and "Pas encore demandé." in text
        text = text_of(client.get(reverse("projects:project_detail", args=[projects["cafe"].pk])))
        assert "Demandé le 30/09/2026 à ines@exemple.fr, pas encore de réponse." in text


def test_only_the_programmes_staff_read_the_answers(client, follow_up, projects, coach):
    answer(follow_up, sentence="Deux salariés depuis l'été.")
    url = reverse("projects:project_detail", args=[projects["garage"].pk])
    assert client.get(url).status_code == 302
    CoachAssignmentFactory(project=projects["garage"], coach=coach, cohort=projects["garage"].cohort)
    client.force_login(coach)
    page = client.get(url)
    assert page.status_code == 200 and "Deux salariés depuis l'été." not in text_of(page)
    client.force_login(StaffFactory(partner_structure=PartnerStructureFactory()))
    assert client.get(url).status_code == 404


def test_a_member_of_another_project_cannot_open_this_ones_follow_up(client, follow_up, projects):
    """The only key is the link: the café's member holds the café's links, never the garage's."""
    cafe_member = projects["cafe"].members.exclude(email="").get()
    garage_url = follow_ups.follow_up_url(follow_up)
    # Their member page's token, put where the follow-up's goes.
    response = client.get(reverse("projects:follow_up", kwargs={"token": member_token(cafe_member)}))
    assert response.status_code == 404
    # Their own follow-up opens the café's answer only.
    cafe_page = client.get(follow_ups.follow_up_url(FollowUp.objects.get(project=projects["cafe"])))
    assert "Où en est Café des Baronnies ?" in text_of(cafe_page)
    assert "Garage du Diois" not in text_of(cafe_page)
    assert client.get(garage_url).status_code == 200  # the garage's link, held by the garage's contact


def test_the_season_figures_follow_the_jobs_to_24_months(cohort, projects, sweep):
    Outcome.objects.create(project=projects["garage"], status=Outcome.Status.LAUNCHED, jobs_fte=Decimal("1"))
    Outcome.objects.create(project=projects["cafe"], status=Outcome.Status.CONTINUING, jobs_fte=Decimal("0.5"))
    sweep(at(SIX, 9, 20))
    garage, cafe = (FollowUp.objects.get(project=projects[key], months=6) for key in ("garage", "cafe"))
    answer(garage, jobs="1.5")
    sweep(at(TWELVE, 9, 20))
    for row in FollowUp.objects.filter(months=12):
        answer(row, jobs="2")
    sweep(at(TWENTY_FOUR, 9, 20))
    answer(FollowUp.objects.get(project=projects["garage"], months=24), jobs="3.5")

    lines = services.season_follow_up(cohort, projects=3)
    assert [line.label for line in lines] == ["Fin de la saison", "6 mois après", "12 mois après", "24 mois après"]
    assert [line.jobs for line in lines] == [Decimal("1.5"), Decimal("1.5"), Decimal("4"), Decimal("3.5")]
    assert [(line.asked, line.answered) for line in lines] == [(3, 2), (2, 1), (2, 2), (2, 1)]
    assert [line.answer_rate for line in lines[1:]] == [50, 100, 50]
    assert cafe.pk

    later = CohortFactory(programme=cohort.programme, name="Saison 2026-2027", start_date=D(2026, 4, 1))
    trend = services.seasons_follow_up([later, cohort])
    assert trend.jobs[6] == [None, Decimal("1.5")]
    assert trend.answer_rates[24] == [None, 50]

"""Members answer through signed links, without an account; a GET never changes anything."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TrainingSessionFactory,
    VenueFactory,
)
from tests.forms import submit
from trainings import tokens
from trainings.models import Attendance, TrainingSession

pytestmark = pytest.mark.django_db

D = datetime.date
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
def venue():
    return VenueFactory(
        name="La Fabrique", address="3 place du Marché", postcode="26220", commune="Dieulefit", step_free_access=True
    )


@pytest.fixture
def session(cohort, venue):
    return TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13), title="Le modèle économique", venue=venue)


@pytest.fixture
def member(cohort):
    return ProjectMemberFactory(name="Léa Martin", project=ProjectFactory(cohort=cohort, name="Garage du Diois"))


@pytest.fixture
def attendance(session, member):
    return AttendanceFactory(session=session, member=member)


def page_url(member):
    return tokens.member_page_url(member)


def answer_url(member, session, token=None):
    return reverse(
        "trainings:member_answer", kwargs={"token": token or tokens.member_token(member), "session_pk": session.pk}
    )


def press(client, page, member, session, choice):
    """The member page's "Je viendrai" (oui) or "Je ne pourrai pas venir" (non) button of one day, posted to the
    link the page holds (its signature is dated: the page's, not one made now)."""
    return submit(client, page, action=f"/{session.pk}/", field=f"reponse={choice}")


def test_the_member_page_lists_the_seasons_days_with_address_map_and_answer(client, attendance, session, member):
    later = TrainingSessionFactory(cohort=session.cohort, date=D(2026, 11, 10), title="Les statuts", venue=None)
    AttendanceFactory(session=later, member=member, response=CONFIRMED)
    response = client.get(page_url(member))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Léa Martin" in page and "Garage du Diois" in page
    assert "mardi 13 octobre 2026" in page
    assert "09:00–12:30" in page and "13:30–17:00" in page
    assert "La Fabrique, 3 place du Marché, 26220 Dieulefit" in page
    assert "https://www.openstreetmap.org/search?query=" in page
    assert "Accessible de plain-pied" in page
    assert "pas encore de réponse" in page and "vous venez" in page
    assert "Lieu à préciser" in page
    assert page.index("Le modèle économique") < page.index("Les statuts")
    assert reverse("trainings:member_answer", args=[tokens.member_token(member), session.pk]) in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_member_page_offers_calendar_links_in_plain_words(client, attendance, member):
    page = client.get(page_url(member)).content.decode()
    words = re.sub(r"<[^>]+>", " ", page)  # what the page shows, without the links' addresses
    assert "Ajouter toutes les journées à mon agenda" in words and "Ajouter cette journée à mon agenda" in words
    assert ".ics" not in words and "abonnement" not in words and "votre agenda" not in words


def test_the_member_page_shows_nothing_of_other_members(client, attendance, session, cohort):
    other = ProjectMemberFactory(name="Karim Haddad", project=ProjectFactory(cohort=cohort, name="Tiers-lieu"))
    AttendanceFactory(session=session, member=other, response=DECLINED)
    page = client.get(page_url(attendance.member)).content.decode()
    assert "Karim Haddad" not in page and "Tiers-lieu" not in page


@pytest.mark.parametrize("token", ["n-importe-quoi", "MQ:1vAbcd:forged-signature-0123456789abcdef"])
def test_a_forged_or_damaged_link_gets_a_french_not_found_page(client, attendance, session, token):
    answer = answer_url(None, session, token=token)
    for url in [reverse("trainings:member_page", args=[token]), answer]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Ce lien n'est pas ou plus valable" in response.content.decode()
    # Forged on purpose: a damaged link never shows an answer form.
    assert client.post(answer, {"reponse": "oui"}).status_code == 404
    attendance.refresh_from_db()
    assert attendance.response == INVITED


def test_a_link_signed_with_another_purpose_is_refused(client, attendance):
    from django.core import signing

    token = signing.dumps(attendance.member.pk, salt="projects.candidacy.status")
    assert client.get(reverse("trainings:member_page", args=[token])).status_code == 404


def test_a_link_too_old_is_refused(client, attendance, member, settings):
    url = page_url(member)
    later = datetime.datetime(2026, 10, 1, 10, tzinfo=PARIS) + datetime.timedelta(days=settings.MEMBER_LINK_DAYS + 1)
    with time_machine.travel(later, tick=False):
        response = client.get(url)
    assert response.status_code == 404
    assert "trop ancien" in response.content.decode()


def test_another_members_day_is_refused_with_a_clear_page(client, attendance, cohort):
    other_session = TrainingSessionFactory(cohort=cohort, date=D(2026, 11, 10))
    AttendanceFactory(session=other_session)  # someone else is invited, not Léa
    url = answer_url(attendance.member, other_session)
    response = client.get(url)
    assert response.status_code == 404
    assert "Cette journée n'est pas dans votre calendrier" in response.content.decode()
    # Forged on purpose: that page shows no answer form.
    assert client.post(url, {"reponse": "oui"}).status_code == 404
    assert not Attendance.objects.filter(member=attendance.member, session=other_session).exists()


def test_a_day_that_does_not_exist_is_refused_with_a_clear_page(client, attendance):
    url = reverse("trainings:member_answer", args=[tokens.member_token(attendance.member), 999999])
    response = client.get(url)
    assert response.status_code == 404
    assert "Cette journée n'est pas dans votre calendrier" in response.content.decode()


@pytest.mark.parametrize(("choice", "checked"), [("oui", "reponse-oui"), ("non", "reponse-non")])
def test_opening_an_answer_link_changes_nothing_and_preselects_the_answer(client, attendance, session, choice, checked):
    response = client.get(f"{answer_url(attendance.member, session)}?reponse={choice}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Venez-vous le mardi 13 octobre ?" in page
    assert f'id="{checked}" checked' in page
    assert 'method="post"' in page
    attendance.refresh_from_db()
    assert (attendance.response, attendance.responded_at) == (INVITED, None)


@pytest.mark.parametrize(("choice", "expected"), [("oui", CONFIRMED), ("non", DECLINED)])
def test_sending_the_answer_preselected_by_a_link_records_it(client, attendance, session, choice, expected):
    page = client.get(f"{answer_url(attendance.member, session)}?reponse={choice}")
    response = submit(client, page, field="reponse", follow=True)
    attendance.refresh_from_db()
    assert attendance.response == expected
    assert response.redirect_chain[-1][0] == page_url(attendance.member)


def test_an_answer_link_changes_its_mind_on_the_page(client, attendance, session):
    page = client.get(f"{answer_url(attendance.member, session)}?reponse=oui")
    submit(client, page, {"reponse": "non"}, field="reponse")
    attendance.refresh_from_db()
    assert attendance.response == DECLINED


def test_a_head_request_changes_nothing_either(client, attendance, session):
    client.head(f"{answer_url(attendance.member, session)}?reponse=non")
    attendance.refresh_from_db()
    assert attendance.response == INVITED


@pytest.mark.parametrize(
    ("choice", "expected", "message"), [("oui", CONFIRMED, "vous venez"), ("non", DECLINED, "vous ne venez pas")]
)
def test_posting_the_answer_records_it_and_shows_the_calendar(client, attendance, session, choice, expected, message):
    page = client.get(page_url(attendance.member))
    response = submit(client, page, action=f"/{session.pk}/", field=f"reponse={choice}", follow=True)
    attendance.refresh_from_db()
    assert attendance.response == expected
    assert attendance.responded_at == datetime.datetime(2026, 10, 1, 10, tzinfo=PARIS)
    assert response.redirect_chain[-1][0] == page_url(attendance.member)
    assert f"C&#x27;est noté : {message} le mardi 13 octobre 2026" in response.content.decode()


def test_the_answer_buttons_work_with_csrf_checks_on(attendance, session):
    client = Client(enforce_csrf_checks=True)
    page = client.get(page_url(attendance.member))  # the page sets the CSRF cookie of an anonymous visitor
    response = press(client, page, attendance.member, session, "non")
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert attendance.response == DECLINED


def test_an_answer_without_the_pages_csrf_token_is_refused(attendance, session):
    client = Client(enforce_csrf_checks=True)
    client.get(page_url(attendance.member))
    # Forged on purpose: another site posting in the member's name has no CSRF token.
    response = client.post(answer_url(attendance.member, session), {"reponse": "non"})
    assert response.status_code == 403
    attendance.refresh_from_db()
    assert attendance.response == INVITED


def test_an_answer_sent_without_a_choice_gets_a_french_message(client, attendance, session):
    page = client.get(answer_url(attendance.member, session))  # nothing preselected: no answer yet
    response = submit(client, page, field="reponse")
    assert response.status_code == 400
    assert "Choisissez « Je viendrai » ou « Je ne pourrai pas venir »." in response.content.decode()
    # Forged on purpose: "peut-être" is none of the page's choices.
    response = client.post(answer_url(attendance.member, session), {"reponse": "peut-être"})
    assert response.status_code == 400
    attendance.refresh_from_db()
    assert attendance.response == INVITED
    # Chosen on the page they got back, the answer is recorded.
    assert submit(client, page, {"reponse": "oui"}, field="reponse").status_code == 302
    attendance.refresh_from_db()
    assert attendance.response == CONFIRMED


def test_a_past_day_takes_no_answer_and_says_so(client, attendance, session):
    url = answer_url(attendance.member, session)
    page = client.get(page_url(attendance.member))  # opened before the day, answered after it
    with time_machine.travel(datetime.datetime(2026, 10, 14, 9, tzinfo=PARIS), tick=False):
        shown = client.get(url)
        posted = press(client, page, attendance.member, session, "oui")
    assert shown.status_code == 200
    assert "Cette journée est passée" in shown.content.decode()
    assert posted.status_code == 409
    assert "Cette journée est passée" in posted.content.decode()
    attendance.refresh_from_db()
    assert attendance.response == INVITED


def test_the_day_itself_still_takes_an_answer(client, attendance, session):
    with time_machine.travel(datetime.datetime(2026, 10, 13, 7, tzinfo=PARIS), tick=False):
        press(client, client.get(page_url(attendance.member)), attendance.member, session, "non")
    attendance.refresh_from_db()
    assert attendance.response == DECLINED


def test_a_cancelled_day_takes_no_answer_and_says_so(client, attendance, session):
    url = answer_url(attendance.member, session)
    answer_page = client.get(f"{url}?reponse=oui")  # opened before the day was cancelled
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.CANCELLED)
    assert "Cette journée est annulée" in client.get(url).content.decode()
    posted = submit(client, answer_page, field="reponse")
    assert posted.status_code == 409
    assert "Cette journée est annulée" in posted.content.decode()
    attendance.refresh_from_db()
    assert attendance.response == INVITED
    page = client.get(page_url(attendance.member)).content.decode()
    assert "Annulée" in page
    assert "Je viendrai" not in page


def test_past_days_show_no_answer_buttons(client, attendance, session):
    with time_machine.travel(datetime.datetime(2026, 10, 20, 9, tzinfo=PARIS), tick=False):
        page = client.get(page_url(attendance.member)).content.decode()
    assert "Le modèle économique" in page
    assert "Je viendrai" not in page


def test_the_member_page_runs_the_same_queries_with_3_or_30_days(client, cohort, member, django_assert_max_num_queries):
    venues = [VenueFactory(), VenueFactory()]
    for n in range(30):
        AttendanceFactory(
            member=member,
            session=TrainingSessionFactory(
                cohort=cohort, date=D(2026, 10, 1) + datetime.timedelta(days=n), venue=venues[n % 2]
            ),
        )
        if n == 2:
            # The member with their project and season (1), their days with venues (1), the days' trainers (1),
            # the latest messages of the project's conversation (1, and their count past a page's worth).
            with django_assert_max_num_queries(5):
                assert client.get(page_url(member)).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(page_url(member)).status_code == 200


# --- On a phone ------------------------------------------------------------------------------------


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_declines_a_day_from_their_phone(phone, live_server, attendance, session):
    page = phone
    page.goto(f"{live_server.url}{page_url(attendance.member)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos journées collectives — Saison 2026-2027")
    expect(page.get_by_role("link", name="Voir sur la carte — La Fabrique")).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("button", name="Je ne pourrai pas venir — 13 octobre 2026").click()

    expect(page.get_by_role("status")).to_contain_text("C'est noté : vous ne venez pas le mardi 13 octobre 2026.")
    expect(page.get_by_text("Votre réponse : vous ne venez pas")).to_be_visible()
    attendance.refresh_from_db()
    assert attendance.response == DECLINED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_answer_link_from_an_email_asks_before_recording(phone, live_server, attendance, session):
    page = phone
    page.goto(f"{live_server.url}{answer_url(attendance.member, session)}?reponse=oui")
    expect(page.get_by_label("Je viendrai")).to_be_checked()
    attendance.refresh_from_db()
    assert attendance.response == INVITED
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_role("status")).to_contain_text("C'est noté : vous venez le mardi 13 octobre 2026.")
    attendance.refresh_from_db()
    assert attendance.response == CONFIRMED


def test_the_member_page_opens_on_the_days_to_come_and_folds_the_past_ones(client, attendance, session, member):
    """Early October: September's day is past and folded; the first day without an answer is pointed at first."""
    past = TrainingSessionFactory(cohort=session.cohort, date=D(2026, 9, 15), title="Accueil de la saison")
    AttendanceFactory(session=past, member=member, response=CONFIRMED)
    later = TrainingSessionFactory(cohort=session.cohort, date=D(2026, 11, 10), title="Les statuts")
    AttendanceFactory(session=later, member=member)
    page = client.get(page_url(member)).content.decode()
    folded = page[page.index("<details") : page.index("</details>")]
    assert "Accueil de la saison" in folded and "1 journée passée" in folded
    assert "Le modèle économique" not in folded and "Les statuts" not in folded
    assert page.index("Le modèle économique") < page.index("Les statuts") < page.index("<details")
    assert "Prochaine journée à laquelle répondre : le mardi 13 octobre." in page
    assert f'href="#journee-{session.pk}"' in page and f'id="journee-{session.pk}"' in page


def test_once_every_day_is_past_the_member_page_says_so(client, attendance, member):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=PARIS), tick=False):
        page = client.get(page_url(member)).content.decode()
    assert "Les journées de la saison sont passées." in page
    assert "Prochaine journée à laquelle répondre" not in page
    assert "1 journée passée" in page

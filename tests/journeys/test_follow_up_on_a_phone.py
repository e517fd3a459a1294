"""A project's contact, on their phone, six months after the season: says where the project stands, mistypes a
number, corrects it, and comes back to change the answer."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from projects.models import FollowUp
from projects.services import follow_ups
from tests.factories import CandidacyFactory, CohortFactory, ProjectFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_contact_answers_the_follow_up_on_a_phone(people, live_server, programme):
    cohort = CohortFactory(programme=programme, name="Saison 2025-2026", start_date=datetime.date(2025, 1, 1))
    project = ProjectFactory(
        cohort=cohort,
        name="Garage du Diois",
        candidacy=CandidacyFactory(cohort=cohort, contact_name="Léa Martin", contact_email="lea@exemple.fr"),
    )
    follow_ups.send_due_follow_ups(now=datetime.datetime(2026, 9, 30, 9, 20, tzinfo=PARIS))
    follow_up = FollowUp.objects.get(project=project)

    page = people()
    page.goto(f"{live_server.url}{follow_ups.follow_up_url(follow_up)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Où en est Garage du Diois ?")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Il tourne : le projet a démarré son activité").check()
    page.get_by_label("Sa forme juridique").select_option("scic")
    page.get_by_label("Emplois aujourd'hui (équivalent temps plein)").fill("1,55")
    page.get_by_label("Bénévoles actifs").fill("4")
    page.get_by_label("Fonds obtenus depuis le début (€)").fill("12500")
    page.get_by_label("En une phrase, quoi de neuf ? (facultatif)").fill("Le garage a ouvert en mai.")
    page.get_by_role("button", name="Envoyer ma réponse").click()

    expect(page.get_by_role("alert").first).to_contain_text("Votre réponse n'est pas encore enregistrée")
    expect(page.get_by_text("Un seul chiffre après la virgule, par exemple 1,5.", exact=True)).to_be_visible()
    # Nothing typed is lost: only the number to correct.
    expect(page.get_by_label("En une phrase, quoi de neuf ? (facultatif)")).to_have_value("Le garage a ouvert en mai.")
    expect(page.get_by_label("Sa forme juridique")).to_have_value("scic")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Emplois aujourd'hui (équivalent temps plein)").fill("1,5")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_role("status")).to_contain_text("Merci ! Votre réponse est bien reçue.")

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.legal_form, follow_up.jobs_fte) == ("running", "scic", Decimal("1.5"))
    assert (follow_up.volunteers, follow_up.funds_raised) == (4, Decimal("12500"))

    expect(page.get_by_text("Vous avez déjà répondu : vous pouvez changer votre réponse jusqu'au")).to_be_visible()
    page.get_by_label("Bénévoles actifs").fill("6")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_role("status")).to_contain_text("C'est noté : votre réponse est modifiée.")
    follow_up.refresh_from_db()
    assert follow_up.volunteers == 6 and follow_up.sentence == "Le garage a ouvert en mai."

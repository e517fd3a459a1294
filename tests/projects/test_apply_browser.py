"""An applicant on a phone, in a real browser: find the call, save a draft, come back, send."""

import datetime

import pytest
from playwright.sync_api import expect

from projects.models import Candidacy
from tests.factories import CohortFactory, TerritoryFactory
from tests.projects.documents import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_applicant_applies_from_a_phone(page, live_server, programme, settings, tmp_path):
    settings.APPLY_MIN_FILL_SECONDS = 0
    today = datetime.date.today()
    cohort = CohortFactory(
        programme=programme,
        name="Saison test",
        call_opens_on=today - datetime.timedelta(days=3),
        call_closes_on=today + datetime.timedelta(days=30),
        territories=[TerritoryFactory(name="Ardèche", department_code="07")],
    )
    page.goto(live_server.url)
    page.get_by_role("link", name="Découvrir l'appel et candidater").click()
    page.get_by_role("link", name="Candidater", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidater à la Saison test")

    page.get_by_label("Nom du projet").fill("La Recyclerie du Plateau")
    page.locator("#id_contact_email").fill("lea@exemple.fr")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré")).to_be_visible()
    draft_url = page.url

    # Later, from the link: the draft is as it was left.
    page.goto(draft_url)
    expect(page.get_by_label("Nom du projet")).to_have_value("La Recyclerie du Plateau")
    page.get_by_label("Le projet en quelques lignes").fill("Une recyclerie et un atelier de réparation.")
    page.get_by_label("Secteur*", exact=True).select_option("other")
    page.get_by_label("Où en est le projet").select_option("idea")
    page.get_by_label("Le besoin social ou environnemental").fill("Trop de déchets, pas de réparateur.")
    page.get_by_label("La dimension collective").fill("Douze habitants en association.")
    page.get_by_label("Le modèle économique").fill("Ventes, adhésions, subventions.")
    page.get_by_label("Territoire*", exact=True).select_option(label="Ardèche (07)")
    page.get_by_label("Commune*", exact=True).fill("Lamastre")
    page.get_by_label("Les liens du projet avec son territoire").fill("La communauté de communes nous prête un local.")
    page.get_by_label("Ce que vous attendez du programme").fill("Un modèle économique solide.")
    page.locator("#id_members-0-name").fill("Léa Roux")
    page.get_by_label("Nom et prénom").last.fill("Léa Roux")
    dossier = tmp_path / "dossier.pdf"
    dossier.write_bytes(PDF)
    page.get_by_label("Documents (facultatif)").set_input_files(str(dossier))
    page.get_by_label("J'accepte que les informations").check()
    page.get_by_role("button", name="Envoyer ma candidature").click()

    expect(page.get_by_text("Votre candidature est envoyée.")).to_be_visible()
    candidacy = Candidacy.objects.get()
    assert candidacy.status == Candidacy.Status.SUBMITTED and candidacy.cohort == cohort
    assert candidacy.attachments.get().original_name == "dossier.pdf"
    expect(page.get_by_role("heading", name="Où en est votre candidature : Envoyée")).to_be_visible()

"""The applicant's form, from the home page to the sent candidacy, with the keyboard alone (Tab, typing, Space,
arrow keys, Enter): no click, no `fill`, no `select_option`."""

import datetime

import pytest
from playwright.sync_api import expect

from projects.models import Candidacy
from tests.factories import CohortFactory, TerritoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
    const element = document.activeElement;
    return {id: element.id, tag: element.tagName.toLowerCase(), type: element.type || '', text: (element.innerText || '').trim()};
}"""

TYPED = {
    "id_project_name": "La Recyclerie du Plateau",
    "id_summary": "Une recyclerie et un atelier de réparation.",
    "id_need": "Trop de déchets, pas de réparateur.",
    "id_collective_dimension": "Douze habitants en association.",
    "id_economic_model": "Ventes, adhésions, subventions.",
    "id_commune": "Lamastre",
    "id_anchoring": "La communauté de communes nous prête un local.",
    "id_members-0-name": "Léa Roux",
    "id_members-0-role": "Présidente",
    "id_expectations": "Un modèle économique solide.",
    "id_contact_name": "Léa Roux",
    "id_contact_email": "lea@exemple.fr",
}
# A select takes the option one arrow press down from « Choisissez ».
CHOSEN = {"id_sector", "id_stage", "id_territory"}
TICKED = {"id_consent"}


def _tab_to(page, wanted, limit=120):
    """Press Tab until `wanted(focused)` holds, acting on the fields met on the way; fail past `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError(f"{limit} presses of Tab never reached the element")


def test_an_applicant_sends_a_candidacy_with_the_keyboard_alone(page, live_server, programme, settings):
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
    _tab_to(page, lambda f: f["tag"] == "a" and f["text"].startswith("Découvrir l'appel et candidater"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/saisons/{cohort.pk}/appel/")
    _tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Candidater")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidater à la Saison test")

    done = set()

    def act(focused):
        field = focused["id"]
        if field in TYPED and field not in done:
            page.keyboard.type(TYPED[field])
        elif field in CHOSEN and field not in done:
            page.keyboard.press("ArrowDown")
        elif field in TICKED and field not in done:
            page.keyboard.press("Space")
        else:
            return focused["tag"] == "button" and focused["text"] == "Envoyer ma candidature"
        done.add(field)
        return False

    _tab_to(page, act, limit=200)
    assert done == set(TYPED) | CHOSEN | TICKED, f"never reached: {set(TYPED) | CHOSEN | TICKED - done}"
    page.keyboard.press("Enter")

    expect(page.get_by_text("Votre candidature est envoyée.")).to_be_visible()
    candidacy = Candidacy.objects.get()
    assert candidacy.status == Candidacy.Status.SUBMITTED
    assert candidacy.project_name == "La Recyclerie du Plateau" and candidacy.commune == "Lamastre"
    assert candidacy.territory.name == "Ardèche" and candidacy.consent_at is not None
    assert [member.name for member in candidacy.members.all()] == ["Léa Roux"]

"""A draft reopened and saved again and again, posted back exactly as the page renders it: nothing is lost."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from outbox.models import OutgoingMail
from projects import tokens
from projects.models import Candidacy
from tests.factories import CohortFactory, TerritoryFactory
from tests.forms import UNCHECK, submit
from tests.projects.documents import PDF, upload

pytestmark = pytest.mark.django_db

FULL_ANSWERS = {
    "project_name": "Le Garage du Coin",
    "summary": "Un garage solidaire pour réparer les voitures des habitants à petits prix.",
    "need": "Sans voiture, pas de travail ici.",
    "collective_dimension": "Une association de six bénévoles et deux mécaniciens.",
    "economic_model": "Réparations à prix solidaire, adhésions, subvention du département.",
    "sector": "solidarity_garage",
    "commune": "Crest",
    "anchoring": "La mission locale nous envoie des jeunes.",
    "stage": "testing",
    "expectations": "Choisir la forme juridique.",
    "contact_name": "Léa Roux",
    "contact_email": "lea.roux@exemple.fr",
    "members-0-name": "Léa Roux",
    "members-0-role": "Présidente",
    "members-1-name": "Karim Benali",
    "members-1-email": "karim@exemple.fr",
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 10, 10, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def cohort(programme):
    drome = TerritoryFactory(name="Drôme", department_code="26")
    return CohortFactory(
        programme=programme,
        start_date=datetime.date(2026, 9, 1),
        call_opens_on=datetime.date(2026, 3, 1),
        call_closes_on=datetime.date(2026, 4, 30),
        territories=[drome],
    )


def _new_draft(client, cohort, settings, **extra):
    settings.APPLY_MIN_FILL_SECONDS = 0
    page = client.get(reverse("projects:apply", args=[cohort.pk]))
    answers = {**FULL_ANSWERS, "territory": str(cohort.territories.get().pk), **extra}
    response = submit(client, page, answers, button="draft", files={"documents": [upload("dossier.pdf", PDF)]})
    assert response.status_code == 302
    return Candidacy.objects.get()


def _team(candidacy):
    return sorted(candidacy.members.values_list("name", "email", "role"))


def test_a_draft_reopened_and_saved_unchanged_keeps_its_whole_team(client, cohort, settings):
    candidacy = _new_draft(client, cohort, settings)
    team = _team(candidacy)
    assert len(team) == 2
    for _round in range(3):
        page = client.get(tokens.draft_url(candidacy))
        assert submit(client, page, button="draft").status_code == 302
        assert _team(candidacy) == team
    assert candidacy.attachments.count() == 1


def test_a_draft_reopened_from_its_link_is_sent_without_retyping_anything(client, cohort, settings):
    candidacy = _new_draft(client, cohort, settings, consent=True)
    settings.APPLY_MIN_FILL_SECONDS = 8  # the applicant saved earlier; sending now is not a robot's haste
    page = client.get(tokens.draft_url(candidacy))
    response = submit(client, page, button="submit")
    assert response.status_code == 302, response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.SUBMITTED
    assert len(_team(candidacy)) == 2
    status = client.get(response["Location"]).content.decode()
    assert "Karim Benali" in status and "dossier.pdf" in status


def test_a_new_form_sent_at_once_is_still_refused_as_a_robot(client, cohort, settings):
    settings.APPLY_MIN_FILL_SECONDS = 8
    page = client.get(reverse("projects:apply", args=[cohort.pk]))
    answers = {**FULL_ANSWERS, "territory": str(cohort.territories.get().pk), "consent": True}
    response = submit(client, page, answers, button="submit")
    assert response.status_code == 200
    assert "comme le ferait un robot" in response.content.decode()
    assert not Candidacy.objects.filter(status=Candidacy.Status.SUBMITTED).exists()


def test_a_team_edited_over_several_rounds_keeps_each_change(client, cohort, settings):
    candidacy = _new_draft(client, cohort, settings)
    # Round 1: a new person in the first empty row, a role changed on an existing one.
    page = client.get(tokens.draft_url(candidacy))
    assert submit(client, page, {"members-2-name": "Inès Faure", "members-0-role": "Co-présidente"}, button="draft")
    assert _team(candidacy) == [
        ("Inès Faure", "", ""),
        ("Karim Benali", "karim@exemple.fr", ""),
        ("Léa Roux", "", "Co-présidente"),
    ]
    # Round 2: one person removed with the page's own box, nothing else touched.
    page = client.get(tokens.draft_url(candidacy))
    assert submit(client, page, {"members-1-DELETE": True}, button="draft")
    assert [name for name, _email, _role in _team(candidacy)] == ["Inès Faure", "Léa Roux"]
    # Round 3: unchanged again.
    page = client.get(tokens.draft_url(candidacy))
    assert submit(client, page, button="draft")
    assert [name for name, _email, _role in _team(candidacy)] == ["Inès Faure", "Léa Roux"]


def test_an_invalid_save_keeps_the_team_and_the_next_post_still_works(client, cohort, settings):
    """An error (a bad member e-mail) while a document is attached saves what can be kept; the page shown
    then posts back to the draft, not to a new one, and its rows still match the saved team."""
    settings.APPLY_MIN_FILL_SECONDS = 0
    page = client.get(reverse("projects:apply", args=[cohort.pk]))
    answers = {**FULL_ANSWERS, "territory": str(cohort.territories.get().pk), "members-1-email": "pas-une-adresse"}
    response = submit(client, page, answers, button="draft", files={"documents": [upload("dossier.pdf", PDF)]})
    assert response.status_code == 200
    candidacy = Candidacy.objects.get()
    assert candidacy.attachments.count() == 1
    response = submit(client, response, {"members-1-email": "karim@exemple.fr"}, button="draft")
    assert response.status_code == 302
    assert Candidacy.objects.count() == 1
    assert [name for name, _email, _role in _team(candidacy)] == ["Karim Benali", "Léa Roux"]
    page = client.get(tokens.draft_url(candidacy))
    assert submit(client, page, {"members-0-name": "Léa Roux-Martin"}, button="draft").status_code == 302
    assert [name for name, _email, _role in _team(candidacy)] == ["Karim Benali", "Léa Roux-Martin"]


def test_unticking_consent_on_a_reopened_draft_is_kept(client, cohort, settings):
    candidacy = _new_draft(client, cohort, settings, consent=True)
    page = client.get(tokens.draft_url(candidacy))
    submit(client, page, {"consent": UNCHECK}, button="draft")
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.DRAFT and candidacy.consent_at is None
    assert OutgoingMail.objects.count() == 1  # the link, once: the address did not change

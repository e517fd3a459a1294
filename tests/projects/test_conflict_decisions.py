"""Whoever declared a conflict of interest on a candidacy neither scores nor decides it."""

import pytest
from django.urls import reverse

from projects import services
from projects.models import Candidacy, StatusChange
from tests.factories import CandidacyFactory, CohortFactory, StaffFactory
from tests.forms import submit

pytestmark = pytest.mark.django_db

Status = Candidacy.Status


@pytest.fixture
def candidacy(programme):
    return CandidacyFactory(cohort=CohortFactory(programme=programme), status=Status.UNDER_REVIEW)


@pytest.fixture
def colleague(structure):
    return StaffFactory(partner_structure=structure, first_name="Nadia", last_name="Colin")


def _declare_conflict(client, candidacy):
    page = client.get(reverse("projects:candidacy_detail", args=[candidacy.pk]))
    response = submit(client, page, {"confirm": True, "note": "Je connais la présidente."}, field="action=conflict")
    assert response.status_code == 302


def test_a_staff_member_who_declared_a_conflict_is_offered_no_decision(client, candidacy, staff):
    client.force_login(staff)
    _declare_conflict(client, candidacy)
    page = client.get(reverse("projects:candidacy_detail", args=[candidacy.pk]))
    html = page.content.decode()
    assert "la décision revient à une autre personne" in html
    assert 'name="to_status"' not in html


def test_a_conflicted_decision_is_refused_with_a_french_message(client, candidacy, staff):
    client.force_login(staff)
    # The decision buttons as the page showed them before the conflict was declared.
    before = client.get(reverse("projects:candidacy_detail", args=[candidacy.pk]))
    _declare_conflict(client, candidacy)
    for status in (Status.SHORTLISTED, Status.REJECTED):
        response = submit(client, before, button=f"to_status={status}", follow=True)
        assert "la décision revient à une autre personne" in response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.status == Status.UNDER_REVIEW
    assert not StatusChange.objects.filter(candidacy=candidacy, by=staff).exists()


def test_the_service_refuses_every_move_of_a_conflicted_person(candidacy, staff):
    services.declare_conflict(candidacy=candidacy, reviewer=staff)
    for status in (Status.SHORTLISTED, Status.ACCEPTED, Status.REJECTED):
        with pytest.raises(services.ConflictOfInterest):
            services.change_status(candidacy=candidacy, to_status=status, by=staff)


def test_a_colleague_decides_and_the_history_says_who(client, candidacy, staff, colleague):
    services.declare_conflict(candidacy=candidacy, reviewer=staff)
    client.force_login(colleague)
    page = client.get(reverse("projects:candidacy_detail", args=[candidacy.pk]))
    response = submit(client, page, {"note": "Dossier solide."}, button=f"to_status={Status.SHORTLISTED}", follow=True)
    assert "Nadia Colin" in response.content.decode()
    change = StatusChange.objects.get(candidacy=candidacy, to_status=Status.SHORTLISTED)
    assert change.by == colleague and change.note == "Dossier solide."

"""What each partner structure commits to a season: the staff's formset, posted back as the page renders it."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cohorts import services
from cohorts.models import PartnerCommitment
from tests.factories import (
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    StaffFactory,
    SuperuserFactory,
)
from tests.forms import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def incubator(db):
    return PartnerStructureFactory(name="Alter'Incub")


@pytest.fixture
def season(programme, incubator):
    programme.partners.add(incubator)
    return CohortFactory(programme=programme, name="Saison 2026-2027")


def url(season):
    return reverse("cohorts:commitments", args=[season.pk])


def test_the_page_shows_one_row_per_partner_structure_and_saves_every_row(client, staff, season):
    client.force_login(staff)
    page = client.get(url(season))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Alter&#x27;Incub" in text and "CAE Prisme" in text
    # Rows by name: Alter'Incub first. Only its figures are typed; the other row is saved as shown (zeros).
    response = submit(
        client,
        page,
        {
            "moyens-0-coaching_hours": "40.5",
            "moyens-0-days_hosted": "3",
            "moyens-0-coaches": "1",
            "moyens-0-money": "5000",
        },
        button="save",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:season", args=[season.pk])
    rows = {row.partner_structure.name: row for row in PartnerCommitment.objects.filter(cohort=season)}
    assert set(rows) == {"Alter'Incub", "CAE Prisme"}
    assert rows["Alter'Incub"].coaching_hours == Decimal("40.5")
    assert (rows["Alter'Incub"].days_hosted, rows["Alter'Incub"].coaches) == (3, 1)
    assert rows["Alter'Incub"].money == Decimal("5000")
    assert rows["CAE Prisme"].coaching_hours == 0

    # Opened again, the page shows what was saved; posted untouched, nothing changes and the page says so.
    page = client.get(url(season))
    assert 'value="40.5"' in page.content.decode()
    response = submit(client, page, button="save", follow=True)
    assert "Rien n&#x27;a changé" in response.content.decode()
    assert PartnerCommitment.objects.filter(cohort=season).count() == 2


def test_bad_figures_are_refused_in_french_and_nothing_typed_is_lost(client, staff, season):
    client.force_login(staff)
    page = client.get(url(season))
    response = submit(
        client,
        page,
        {"moyens-0-coaching_hours": "-3", "moyens-0-days_hosted": "trois", "moyens-1-money": "1200"},
        button="save",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "corrigez ce qui est signalé en rouge" in text
    assert "supérieure ou égale à 0" in text
    assert "Saisissez un nombre entier" in text
    assert 'value="1200"' in text and 'value="-3"' in text
    assert not PartnerCommitment.objects.exists()


def test_a_row_posted_for_another_structure_is_refused(client, staff, season):
    client.force_login(staff)
    page = client.get(url(season))
    other = PartnerStructureFactory(name="Intruse")
    response = submit(client, page, {"moyens-0-structure": str(other.pk)}, button="save")
    assert response.status_code == 200
    assert "rechargez-la" in response.content.decode()
    assert not PartnerCommitment.objects.exists()


def test_a_page_posted_with_a_row_too_many_is_refused(client, staff, season):
    client.force_login(staff)
    page = client.get(url(season))
    response = submit(client, page, {"moyens-TOTAL_FORMS": "3"}, button="save")
    assert response.status_code == 200
    assert not PartnerCommitment.objects.exists()


def test_who_opens_the_page(client, season, staff, structure):
    assert client.get(url(season)).status_code == 302  # to the login page
    client.force_login(CoachFactory(partner_structure=structure))
    assert client.get(url(season)).status_code == 403
    client.force_login(StaffFactory(partner_structure=PartnerStructureFactory()))  # another programme's staff
    assert client.get(url(season)).status_code == 404
    client.force_login(staff)
    assert client.get(url(season)).status_code == 200
    client.force_login(SuperuserFactory())
    assert client.get(url(season)).status_code == 200


def test_the_season_page_links_to_it(client, staff, season):
    client.force_login(staff)
    assert url(season) in client.get(reverse("reports:season", args=[season.pk])).content.decode()


def test_the_page_reads_the_same_queries_with_ten_times_the_partners(client, staff, django_assert_max_num_queries):
    structures = [PartnerStructureFactory() for _ in range(2)]
    season = CohortFactory(programme=ProgrammeFactory(partners=[staff.partner_structure, *structures]))
    client.force_login(staff)
    # 2 session and user, 1 season, 1 commitments, 1 partners = 5
    with django_assert_max_num_queries(5):
        assert client.get(url(season)).status_code == 200
    season.programme.partners.add(*[PartnerStructureFactory() for _ in range(27)])
    with django_assert_max_num_queries(5):
        assert client.get(url(season)).status_code == 200


def test_the_service_says_what_it_created_changed_and_left(season, structure):
    rows = services.season_commitments(season)
    rows[0].coaching_hours = Decimal("12")
    assert services.record_commitments(cohort=season, commitments=rows) == services.CommitmentsSaved(2, 0, 0)
    rows = services.season_commitments(season)
    rows[1].money = Decimal("300")
    assert services.record_commitments(cohort=season, commitments=rows) == services.CommitmentsSaved(0, 1, 1)
    assert PartnerCommitment.objects.get(cohort=season, partner_structure=structure).money == Decimal("300")


def test_the_trail_keeps_who_changed_a_structures_word(client, staff, season):
    client.force_login(staff)
    submit(client, client.get(url(season)), {"moyens-1-coaching_hours": "30"}, button="save")
    entries = LogEntry.objects.get_for_model(PartnerCommitment)
    assert entries.count() == 2 and {entry.actor for entry in entries} == {staff}

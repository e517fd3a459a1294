import datetime

import pytest
from django.urls import reverse

from cohorts.models import Cohort, Programme
from tests.factories import (
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    StaffFactory,
    SuperuserFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.forms import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027")


def staff_pages(cohort):
    return [
        reverse("cohorts:cohort_list"),
        reverse("cohorts:programme_create"),
        reverse("cohorts:programme_update", args=[cohort.programme.pk]),
        reverse("cohorts:cohort_create"),
        reverse("reports:season", args=[cohort.pk]),
        reverse("cohorts:cohort_update", args=[cohort.pk]),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, cohort):
    for url in staff_pages(cohort):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("factory", [CoachFactory, UserFactory])
def test_coaches_and_people_without_a_role_are_refused(client, cohort, factory):
    client.force_login(
        factory(partner_structure=cohort.programme.partners.get()) if factory is CoachFactory else factory()
    )
    for url in staff_pages(cohort):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Accès refusé" in response.content.decode()


def test_staff_open_every_page_of_their_programme(client, cohort, staff):
    client.force_login(staff)
    for url in staff_pages(cohort):
        assert client.get(url).status_code == 200, url


def test_a_superuser_opens_every_page(client, cohort):
    client.force_login(SuperuserFactory())
    for url in staff_pages(cohort):
        assert client.get(url).status_code == 200, url


def test_staff_of_another_structure_get_not_found_for_a_programme_they_do_not_run(client, cohort):
    client.force_login(StaffFactory())
    for url in staff_pages(cohort)[2:]:
        if url.endswith(("/nouvelle/", "/nouveau/")):
            continue
        assert client.get(url).status_code == 404, url
    page = client.get(reverse("cohorts:cohort_list")).content.decode()
    assert cohort.name not in page


def test_season_list_shows_dates_the_french_way(client, cohort, staff):
    client.force_login(staff)
    page = client.get(reverse("cohorts:cohort_list")).content.decode()
    assert "01/09/2026 – 30/11/2027" in page


def new_season(programme, **overrides):
    """What a person fills in on the new season form; the numbers they keep as the page suggests them."""
    territory = TerritoryFactory()
    typed = {
        "programme": programme.pk,
        "name": "Saison 2027-2028",
        "start_date": "2027-01-31",
        "territories": [territory.pk],
        "call_opens_on": "2026-10-01",
        "call_closes_on": "2026-11-30",
    }
    return {**typed, **overrides}


def season_page(client, programme=None):
    """The new season form, as the programme's "new season" link opens it."""
    query = f"?programme={programme.pk}" if programme else ""
    return client.get(reverse("cohorts:cohort_create") + query)


def test_staff_create_a_season_and_its_end_date_is_derived(client, programme, staff):
    client.force_login(staff)
    typed = new_season(programme)
    response = submit(client, season_page(client, programme), typed, button="submit")
    cohort = Cohort.objects.get(name="Saison 2027-2028")
    assert response.status_code == 302
    assert response["Location"] == cohort.get_absolute_url()
    assert cohort.end_date == datetime.date(2028, 4, 30)
    assert cohort.territories.count() == 1
    assert (cohort.duration_months, cohort.places, cohort.max_projects_per_coach) == (15, 6, 3)
    detail = client.get(cohort.get_absolute_url()).content.decode()
    assert "La saison a été créée." in detail
    assert "30 avril 2028" in detail


def test_the_new_season_link_of_a_programme_preselects_it(client, programme, staff):
    ProgrammeFactory(name="Un autre programme", partners=[staff.partner_structure])
    client.force_login(staff)
    typed = new_season(programme)
    del typed["programme"]
    assert submit(client, season_page(client, programme), typed, button="submit").status_code == 302
    assert Cohort.objects.get(name="Saison 2027-2028").programme == programme


def test_a_call_closing_before_it_opens_is_refused_and_what_was_typed_stays(client, programme, staff):
    client.force_login(staff)
    typed = new_season(programme, call_opens_on="2026-12-01", call_closes_on="2026-11-01", name="Saison test")
    response = submit(client, season_page(client), typed, button="submit")
    page = response.content.decode()
    assert response.status_code == 200
    assert "L&#x27;appel à candidatures doit se clore après son ouverture." in page
    assert 'value="Saison test"' in page
    assert 'value="2026-12-01"' in page
    assert not Cohort.objects.filter(name="Saison test").exists()
    # Corrected on the page they got back: the territory ticked and the rest are still there.
    assert submit(client, response, {"call_closes_on": "2026-12-31"}, button="submit").status_code == 302
    assert Cohort.objects.get(name="Saison test").territories.count() == 1


def test_bad_numbers_get_a_french_message(client, programme, staff):
    client.force_login(staff)
    typed = new_season(programme, duration_months="0", places="abc")
    response = submit(client, season_page(client), typed, button="submit")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Assurez-vous que cette valeur est supérieure ou égale à 1." in page
    assert "Saisissez un nombre entier." in page


def test_staff_cannot_create_a_season_in_a_programme_they_do_not_run(client, staff):
    foreign = ProgrammeFactory(partners=[PartnerStructureFactory()])
    client.force_login(staff)
    assert f'value="{foreign.pk}"' not in season_page(client).content.decode()
    data = {**new_season(foreign), "duration_months": "15", "places": "6", "max_projects_per_coach": "3"}
    # Forged on purpose: the page does not offer that programme.
    response = client.post(reverse("cohorts:cohort_create"), data)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Cohort.objects.exists()


def test_staff_edit_a_season_and_what_they_did_not_touch_stays(client, cohort, staff):
    client.force_login(staff)
    territories = set(cohort.territories.all())
    before = Cohort.objects.get(pk=cohort.pk)
    page = client.get(reverse("cohorts:cohort_update", args=[cohort.pk]))
    changes = {"name": "Saison renommée", "start_date": "2026-09-01", "duration_months": "12"}
    response = submit(client, page, changes, button="submit")
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.name, cohort.end_date) == ("Saison renommée", datetime.date(2027, 8, 31))
    assert set(cohort.territories.all()) == territories
    assert (cohort.programme, cohort.places, cohort.call_opens_on, cohort.call_closes_on) == (
        before.programme,
        before.places,
        before.call_opens_on,
        before.call_closes_on,
    )


def test_a_season_saved_unchanged_stays_as_it_was(client, cohort, staff):
    client.force_login(staff)
    before = Cohort.objects.get(pk=cohort.pk)
    territories = set(cohort.territories.all())
    for _round in range(2):
        page = client.get(reverse("cohorts:cohort_update", args=[cohort.pk]))
        assert submit(client, page, button="submit").status_code == 302
    saved = Cohort.objects.get(pk=cohort.pk)
    assert [getattr(saved, f.attname) for f in Cohort._meta.concrete_fields] == [
        getattr(before, f.attname) for f in Cohort._meta.concrete_fields
    ]
    assert set(saved.territories.all()) == territories


def test_staff_create_a_programme_with_their_structure(client, structure, staff):
    client.force_login(staff)
    other = PartnerStructureFactory()
    page = client.get(reverse("cohorts:programme_create"))  # their structure ticked already
    response = submit(
        client, page, {"name": "Nouveau programme", "partners": [structure.pk, other.pk]}, button="submit"
    )
    assert response.status_code == 302
    assert set(Programme.objects.get(name="Nouveau programme").partners.all()) == {structure, other}


def test_a_new_programme_keeps_the_structure_the_page_ticked(client, structure, staff):
    PartnerStructureFactory()
    client.force_login(staff)
    page = client.get(reverse("cohorts:programme_create"))
    assert submit(client, page, {"name": "Nouveau programme"}, button="submit").status_code == 302
    assert list(Programme.objects.get(name="Nouveau programme").partners.all()) == [structure]


def test_staff_cannot_leave_their_structure_out_of_a_programme(client, programme, staff):
    client.force_login(staff)
    other = PartnerStructureFactory()
    page = client.get(reverse("cohorts:programme_update", args=[programme.pk]))
    response = submit(client, page, {"name": "Renommé", "partners": [other.pk]}, button="submit")
    page = response.content.decode()
    assert response.status_code == 200
    assert "doit rester partenaire du programme" in page
    assert 'value="Renommé"' in page
    programme.refresh_from_db()
    assert programme.name != "Renommé"


def test_a_programme_saved_unchanged_keeps_its_description_and_partners(client, programme, staff):
    programme.description = "Accompagner les projets de l'économie sociale et solidaire.\nDrôme et Ardèche."
    programme.save()
    partners = set(programme.partners.all())
    client.force_login(staff)
    page = client.get(reverse("cohorts:programme_update", args=[programme.pk]))
    assert submit(client, page, button="submit").status_code == 302
    saved = Programme.objects.get(pk=programme.pk)
    assert (saved.name, saved.description) == (programme.name, programme.description)
    assert set(saved.partners.all()) == partners


@pytest.mark.parametrize("seasons", [1, 10])
def test_season_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, structure, staff, seasons):
    for n in range(seasons):
        programme = ProgrammeFactory(partners=[structure, PartnerStructureFactory()])
        CohortFactory.create_batch(3, programme=programme, territories=[TerritoryFactory(name=f"T{n}")])
    client.force_login(staff)
    # session + user, programmes, their partners, their seasons, the seasons' territories
    with django_assert_max_num_queries(6):
        response = client.get(reverse("cohorts:cohort_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("seasons", [1, 10])
def test_season_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, programme, staff, seasons):
    cohort = CohortFactory(programme=programme, territories=[TerritoryFactory(name=f"T{i}") for i in range(seasons)])
    client.force_login(staff)
    # session + user, the season with its programme, its territories, the programme's partners, then the
    # candidacy figures: the seasons side by side and two grouped queries, the candidacies and the counts of
    # seasons brought in from a file (projects.services.statistics)
    with django_assert_max_num_queries(8):
        response = client.get(cohort.get_absolute_url())
    assert response.status_code == 200

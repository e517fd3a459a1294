import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.factories import CohortFactory, SuperuserFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 4, 10, 12, 0), tick=False)
def test_visitors_read_the_programme_and_its_open_call(client, programme):
    CohortFactory(
        programme=programme,
        name="Saison 2026-2027",
        start_date=datetime.date(2026, 9, 1),
        call_opens_on=datetime.date(2026, 3, 1),
        call_closes_on=datetime.date(2026, 4, 30),
        territories=[TerritoryFactory(name="Drôme", department_code="26")],
    )
    page = client.get(reverse("home")).content.decode()
    assert programme.name in page
    assert "CAE Prisme" in page
    assert "Candidatures ouvertes jusqu'au 30 avril 2026 inclus." in page
    assert "Drôme (26)" in page


@time_machine.travel(datetime.datetime(2026, 2, 10, 12, 0), tick=False)
def test_when_no_call_is_open_visitors_learn_when_the_next_one_opens(client, programme):
    CohortFactory(programme=programme, name="Saison 2026-2027", call_opens_on=datetime.date(2026, 3, 1))
    page = client.get(reverse("home")).content.decode()
    assert "Le prochain, pour la Saison 2026-2027, ouvrira le 1er mars 2026." in page


def test_when_no_call_is_planned_visitors_are_told_so(client, programme):
    page = client.get(reverse("home")).content.decode()
    assert "la date du prochain n'est pas encore fixée" in page


def test_each_role_is_sent_to_where_it_works(client, staff, coach):
    client.force_login(staff)
    assert client.get(reverse("home"))["Location"] == reverse("cohorts:cohort_list")
    client.force_login(coach)
    assert client.get(reverse("home"))["Location"] == reverse("projects:my_projects")
    client.force_login(SuperuserFactory())
    assert client.get(reverse("home"))["Location"] == reverse("cohorts:cohort_list")
    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200


def _nav(client):
    page = client.get(reverse("home"), follow=True).content.decode()
    return page.split("<main")[0]


def test_navigation_shows_each_role_its_own_entries(client, staff, coach):
    nav = _nav(client)
    assert "Se connecter" in nav and "Programmes et saisons" not in nav and "Mes projets" not in nav

    client.force_login(staff)
    nav = _nav(client)
    assert "Programmes et saisons" in nav and "Mes projets" not in nav and "Administration" not in nav
    assert "Se déconnecter" in nav

    client.force_login(coach)
    nav = _nav(client)
    assert "Mes projets" in nav and "Programmes et saisons" not in nav and "Administration" not in nav

    client.force_login(SuperuserFactory())
    nav = _nav(client)
    assert "Programmes et saisons" in nav and "Administration" in nav


@pytest.mark.parametrize("seasons", [1, 10])
def test_home_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, programme, seasons):
    CohortFactory.create_batch(
        seasons, programme=programme, call_opens_on=datetime.date(2000, 1, 1), call_closes_on=datetime.date(2100, 1, 1)
    )
    # open calls, their territories, programmes, their partners
    with django_assert_max_num_queries(4):
        assert client.get(reverse("home")).status_code == 200


def test_health_reports_the_database_and_the_last_worker_heartbeat(client, db):
    from incubator.services import record_heartbeat

    assert client.get(reverse("health")).json() == {
        "status": "ok",
        "database": "ok",
        "worker_last_seen": None,
        "beats": [],
        "problems": [],
    }
    record_heartbeat(source="worker")
    assert client.get(reverse("health")).json()["worker_last_seen"] is not None


def test_the_site_has_an_icon_and_browsers_asking_for_favicon_ico_find_it(client):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in page and 'href="/static/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    assert (settings.BASE_DIR / "static" / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # an icon file


def test_the_language_button_is_dark_enough_to_read_on_the_light_footer(client):
    page = client.get("/").content.decode()
    assert 'class="btn btn-sm btn-outline-dark">Changer</button>' in page
    assert 'btn-outline-secondary">Changer' not in page


def test_the_header_spells_out_the_social_and_solidarity_economy(client):
    page = client.get("/").content.decode()
    assert "Projets collectifs de l'économie sociale et solidaire en Drôme et Ardèche" in page
    assert "de l'ESS" not in page

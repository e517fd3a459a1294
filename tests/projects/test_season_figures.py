"""Season figures on the staff season page: candidacies per territory, sector and status, season by season."""

import datetime
import re

import pytest
from django.urls import reverse

from projects.models import Candidacy, Sector
from projects.services import candidacy_figures
from tests.factories import CandidacyFactory, CohortFactory, DraftFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

Status = Candidacy.Status


def season(programme, year):
    return CohortFactory(programme=programme, name=f"Saison {year}-{year + 1}", start_date=datetime.date(year, 9, 1))


@pytest.fixture
def seasons(programme):
    """Three seasons of the programme, hand-counted below, plus noise that must never count."""
    drome = TerritoryFactory(name="Drôme", department_code="26")
    ardeche = TerritoryFactory(name="Ardèche", department_code="07")
    s2024, s2025, s2026 = season(programme, 2024), season(programme, 2025), season(programme, 2026)

    def make(cohort, status, territory, sector):
        CandidacyFactory(cohort=cohort, status=status, territory=territory, sector=sector)

    # 2024: 2 received, 1 accepted.
    make(s2024, Status.ACCEPTED, drome, Sector.THIRD_PLACE)
    make(s2024, Status.REJECTED, ardeche, Sector.FOOD)
    DraftFactory(cohort=s2024)
    # 2025: 3 received, 1 accepted; one without territory nor sector.
    make(s2025, Status.ACCEPTED, drome, Sector.SOLIDARITY_GARAGE)
    make(s2025, Status.REJECTED, drome, Sector.SOLIDARITY_GARAGE)
    make(s2025, Status.WITHDRAWN, None, "")
    # 2026: 4 received, 1 accepted.
    make(s2026, Status.SUBMITTED, ardeche, Sector.AGEING_WELL)
    make(s2026, Status.UNDER_REVIEW, drome, Sector.THIRD_PLACE)
    make(s2026, Status.SHORTLISTED, ardeche, Sector.FOOD)
    make(s2026, Status.ACCEPTED, drome, Sector.THIRD_PLACE)
    DraftFactory.create_batch(2, cohort=s2026)
    # A later season of the programme, and another programme's season: not on the 2026 page.
    make(season(programme, 2027), Status.SUBMITTED, drome, Sector.CULTURE)
    CandidacyFactory.create_batch(5, status=Status.ACCEPTED)
    return s2026, s2025, s2024


def rows(figure_rows):
    return {row.label: row.values for row in figure_rows}


def test_figures_match_the_hand_counted_seasons(seasons):
    figures = candidacy_figures(seasons)
    assert figures.cohorts == list(seasons)
    assert figures.received == [4, 3, 2]
    assert figures.accepted == [1, 1, 1]
    assert figures.acceptance_rates == [pytest.approx(25), pytest.approx(100 / 3), pytest.approx(50)]
    assert rows(figures.by_status) == {
        "Envoyée": [1, 0, 0],
        "À l'étude": [1, 0, 0],
        "Présélectionnée": [1, 0, 0],
        "Retenue": [1, 1, 1],
        "Non retenue": [0, 1, 1],
        "Retirée": [0, 1, 0],
    }
    # Territories by department code, then the candidacies that did not say.
    assert [row.label for row in figures.by_territory] == ["Ardèche (07)", "Drôme (26)", "Non précisé"]
    assert rows(figures.by_territory) == {
        "Ardèche (07)": [2, 0, 1],
        "Drôme (26)": [2, 2, 1],
        "Non précisé": [0, 1, 0],
    }
    # Sectors in the order of the application form; only those with candidacies.
    assert [row.label for row in figures.by_sector] == [
        "Tiers-lieu",
        "Garage solidaire",
        "Bien-vieillir",
        "Alimentation",
        "Non précisé",
    ]
    assert rows(figures.by_sector) == {
        "Tiers-lieu": [2, 0, 1],
        "Garage solidaire": [0, 2, 0],
        "Bien-vieillir": [1, 0, 0],
        "Alimentation": [1, 0, 1],
        "Non précisé": [0, 1, 0],
    }


def test_a_season_without_candidacies_has_no_rate(programme):
    figures = candidacy_figures([season(programme, 2030)])
    assert (figures.received, figures.accepted, figures.acceptance_rates) == ([0], [0], [None])
    assert figures.by_territory == figures.by_sector == []


def test_figures_take_one_grouped_query_for_any_number_of_seasons(programme, seasons, django_assert_num_queries):
    # One query grouped by season, status, sector and territory, one for the counts of seasons brought in
    # from a file; every figure is a sum over their rows.
    with django_assert_num_queries(2):
        candidacy_figures(seasons)
    many = list(seasons) + [season(programme, year) for year in range(1990, 2020)]
    for cohort in many[3:]:
        CandidacyFactory(cohort=cohort)
    with django_assert_num_queries(2):
        figures = candidacy_figures(many)
    assert sum(figures.received) == 9 + 30


def figures_section(page):
    return page[page.index('id="chiffres"') :]


def test_the_season_page_shows_the_figures_most_recent_season_first(client, staff, seasons):
    s2026 = seasons[0]
    client.force_login(staff)
    response = client.get(reverse("reports:season", args=[s2026.pk]))
    assert response.status_code == 200
    section = figures_section(response.content.decode())
    headers = re.findall(r'<th scope="col" class="text-end">([^<]+)</th>', section)
    assert headers[:3] == ["Saison 2026-2027", "Saison 2025-2026", "Saison 2024-2025"]
    assert "Saison 2027-2028" not in section
    assert re.search(r"Candidatures reçues</th>\s*<td[^>]*>4</td><td[^>]*>3</td><td[^>]*>2</td>", section)
    assert re.search(r"25&nbsp;%</td><td[^>]*>33&nbsp;%</td><td[^>]*>50&nbsp;%</td>", section)
    assert re.search(r"Drôme \(26\)</th>\s*<td[^>]*>2</td><td[^>]*>2</td><td[^>]*>1</td>", section)


def test_the_season_page_links_to_its_candidacies(client, staff, seasons):
    s2026 = seasons[0]
    client.force_login(staff)
    page = client.get(reverse("reports:season", args=[s2026.pk])).content.decode()
    link = f"{reverse('projects:candidacy_list')}?season={s2026.pk}"
    assert f'href="{link}"' in page
    response = client.get(link)
    assert {c.cohort_id for c in response.context["candidacies"]} == {s2026.pk}
    assert response.context["total"] == 4


def test_the_first_season_of_a_programme_shows_a_single_column(client, staff, programme):
    only = season(programme, 2026)
    client.force_login(staff)
    response = client.get(reverse("reports:season", args=[only.pk]))
    section = figures_section(response.content.decode())
    assert "Aucune candidature reçue." in section
    assert re.search(r"Taux d&#x27;acceptation|Taux d'acceptation", section)
    assert response.context["figures"].acceptance_rates == [None]


def test_the_season_page_runs_the_same_queries_with_ten_times_more_seasons_and_candidacies(
    client, staff, programme, django_assert_max_num_queries
):
    current = season(programme, 2026)
    territories = [TerritoryFactory(name="Drôme", department_code="26"), TerritoryFactory(name="Ardèche")]

    def add(cohorts, per_season):
        for cohort in cohorts:
            for number in range(per_season):
                CandidacyFactory(cohort=cohort, territory=territories[number % 2], status=list(Status)[1 + number % 6])

    add([current, season(programme, 2025)], 3)
    client.force_login(staff)
    url = reverse("reports:season", args=[current.pk])
    # 8 = session + user; the season with its programme; its territories and partners (prefetched); the
    # seasons shown side by side; the figures' two grouped queries (candidacies, counts brought in from a file).
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    add([season(programme, year) for year in range(2006, 2024)], 10)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.context["figures"].cohorts) == 20

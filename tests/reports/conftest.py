import datetime

import pytest

from tests.factories import CohortFactory, TerritoryFactory
from tests.reports.season_data import fill_season


@pytest.fixture
def drome(db):
    return TerritoryFactory(name="Drôme", department_code="26")


@pytest.fixture
def season(programme, drome):
    return CohortFactory(
        programme=programme, name="Saison 2026-2027", start_date=datetime.date(2026, 9, 1), territories=[drome]
    )


@pytest.fixture
def previous_season(programme, drome):
    return CohortFactory(
        programme=programme, name="Saison 2025-2026", start_date=datetime.date(2025, 6, 1), territories=[drome]
    )


@pytest.fixture
def filled_season(season, previous_season, coach):
    fill_season(season, coach=coach)
    fill_season(previous_season, coach=coach)
    return season

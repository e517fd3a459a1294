import datetime

import pytest

from cohorts.models import season_end_date
from tests.factories import CohortFactory

D = datetime.date


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2026, 9, 1), 15, D(2027, 11, 30)),  # a season from September ends in November of the next year
        (D(2026, 1, 1), 12, D(2026, 12, 31)),
        (D(2026, 1, 31), 15, D(2027, 4, 30)),  # 31 April does not exist: the season ends on the 30th
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2026, 11, 30), 15, D(2028, 2, 29)),  # leap year
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 3, 15), 15, D(2027, 6, 14)),
        (D(2026, 12, 1), 1, D(2026, 12, 31)),
    ],
)
def test_season_ends_the_day_before_its_anniversary(start, months, end):
    assert season_end_date(start, months) == end


@pytest.mark.django_db
def test_a_season_lasts_fifteen_months_by_default():
    cohort = CohortFactory(start_date=D(2026, 1, 31))
    assert cohort.duration_months == 15
    assert cohort.end_date == D(2027, 4, 30)


@pytest.mark.django_db
def test_changing_the_duration_moves_the_end_date():
    cohort = CohortFactory(start_date=D(2026, 9, 1))
    cohort.duration_months = 12
    cohort.save(update_fields=["duration_months"])
    cohort.refresh_from_db()
    assert cohort.end_date == D(2027, 8, 31)

"""At scale: each dataset runs the same number of queries whatever the rows, and a big season's export
streams in constant memory."""

import io
import tracemalloc
import zipfile

import pytest
from django.urls import reverse

from reports import datasets, exports
from reports import services as reports
from tests.reports.season_data import fill_season

pytestmark = pytest.mark.django_db

# Queries per dataset, read from each function's docstring in reports/datasets.py.
QUERIES = {
    "candidatures": 1,  # the candidacies
    # the attendance rates grouped by project, the projects with their subqueries, then per chunk of projects
    # their assignments and their meetings grouped by coach (one chunk here)
    "projets": 4,
    "rendez-vous": 1,  # the meetings
    "journees": 3,  # the days' trainers, the attendance rates grouped by day, the days
    "presences": 1,  # the attendances
    "formateurs": 2,  # the season's territories, then the trainers with their day counts
    "lieux": 1,  # the venues with their day counts
    "acteurs": 1,  # the actors met
    "suivi": 1,  # the follow-ups months after the season
    "moyens": 1,  # the structures with what they committed and delivered
    "acteurs-partages": 1,  # the actors and the projects that met them
}
# One row per partner structure, however big the season.
PER_STRUCTURE = {"moyens"}


def test_every_dataset_has_its_query_count_pinned():
    assert set(QUERIES) == set(reports.DATASETS)


@pytest.mark.parametrize("key", list(QUERIES))
def test_each_dataset_runs_the_same_queries_with_ten_times_the_rows(key, season, coach, django_assert_max_num_queries):
    fill_season(season, coach=coach)
    with django_assert_max_num_queries(QUERIES[key]):
        small = sum(1 for _row in reports.DATASETS[key](season).rows())
    fill_season(season, coach=coach, scale=9)
    with django_assert_max_num_queries(QUERIES[key]):
        large = sum(1 for _row in reports.DATASETS[key](season).rows())
    if key in PER_STRUCTURE:
        assert large == small > 0
    elif key == "acteurs-partages":
        # One row per actor shared, here the one town hall every project met, however many projects met it.
        assert large == small == 1
    else:
        assert large >= 10 * small > 0  # attendance grows faster: members × days


@pytest.fixture
def small_chunks(monkeypatch):
    """Rows are read 2,000 at a time; smaller chunks show the same flat curve with a season quick to build."""
    monkeypatch.setattr(datasets, "CHUNK_SIZE", 100)
    monkeypatch.setattr(exports, "CSV_ROWS_PER_CHUNK", 100)


# The datasets that grow with the season's people and meetings (10,000 candidacies, 50,000 attendances...).
# The others hold one row per project, day, trainer or venue, and keep one small dict per project or day.
BIG_DATASETS = ["candidatures", "rendez-vous", "presences"]


def _csv_peak(cohort, key) -> tuple[int, int]:
    """(tracemalloc peak, bytes of CSV produced) while one dataset is streamed and dropped."""
    dataset = reports.DATASETS[key](cohort)
    tracemalloc.start()
    try:
        produced = sum(len(chunk) for chunk in reports.stream_csv(dataset))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, produced


def test_a_big_seasons_csv_export_streams_in_constant_memory(season, coach, small_chunks):
    fill_season(season, coach=coach, scale=100)  # 900 candidacies, 1,800 attendances, 1,200 meetings
    small = {key: _csv_peak(season, key) for key in BIG_DATASETS}
    fill_season(season, coach=coach, scale=300)  # 4× the rows
    big = {key: _csv_peak(season, key) for key in BIG_DATASETS}
    for key in BIG_DATASETS:
        (small_peak, small_size), (big_peak, big_size) = small[key], big[key]
        assert big_size > 3.5 * small_size, key
        # Memory follows the chunk size, not the season: 4× the rows, about the same peak...
        assert big_peak < 1.3 * small_peak, (key, small_peak, big_peak)
    # ...and well under the season's data.
    season_data = sum(size for _peak, size in big.values())
    assert max(peak for peak, _size in big.values()) < season_data / 4, (big, season_data)


def test_a_big_seasons_xlsx_is_written_in_constant_memory(season, coach, small_chunks, tmp_path):
    fill_season(season, coach=coach, scale=25)

    def peak():
        report = reports.season_report(season)  # one line per project: not what this test watches
        tracemalloc.start()
        try:
            reports.write_xlsx(report, reports.all_datasets(season), tmp_path / "rapport.xlsx")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small_peak, small_size = peak(), (tmp_path / "rapport.xlsx").stat().st_size
    fill_season(season, coach=coach, scale=75)
    big_peak, big_size = peak(), (tmp_path / "rapport.xlsx").stat().st_size
    assert big_size > 3 * small_size
    # The summary holds one line per project; the sheets' rows go to temporary files as they come.
    assert big_peak < 2 * small_peak, (small_peak, big_peak)


def test_a_big_seasons_csv_response_is_streamed_through_the_view(client, season, coach, staff):
    fill_season(season, coach=coach, scale=20)
    client.force_login(staff)
    response = client.get(reverse("reports:season_report", args=[season.pk]), {"format": "csv"})
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) > 10  # sent as the rows are read, not in one piece
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None

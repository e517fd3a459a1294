"""Coaching totals for the season report: hours per project and per coach, split into technical, human and
unspecified parts that always add up to the total."""

import datetime

import pytest

from projects import services
from projects.models import Topic
from tests.factories import CoachFactory, CoachingSessionFactory, CohortFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_topics_are_either_technical_or_human():
    assert Topic.technical() | Topic.human() == set(Topic)
    assert not Topic.technical() & Topic.human()


@pytest.fixture
def season(programme):
    return CohortFactory(programme=programme, start_date=datetime.date(2026, 1, 1))


def test_season_totals_add_up_hand_counted_meetings(season, structure, django_assert_num_queries):
    anna, bruno = CoachFactory(partner_structure=structure), CoachFactory(partner_structure=structure)
    garage, cantine = ProjectFactory(cohort=season), ProjectFactory(cohort=season)
    # minutes, topics                          technical, human, unspecified
    CoachingSessionFactory(project=garage, coach=anna, duration_minutes=60, topics=["economic", "legal"])  # 60, 0, 0
    CoachingSessionFactory(project=garage, coach=anna, duration_minutes=90, topics=["personal"])  # 0, 90, 0
    CoachingSessionFactory(
        project=cantine, coach=bruno, duration_minutes=120, topics=["funding", "governance"]
    )  # 60, 60
    CoachingSessionFactory(project=garage, coach=bruno, duration_minutes=30, topics=[])  # 0, 0, 30
    # Another season's meeting never counts.
    CoachingSessionFactory(project=ProjectFactory(cohort=CohortFactory(programme=season.programme)), coach=anna)

    with django_assert_num_queries(1):
        totals = services.season_coaching_totals(cohort=season)

    def figures(t):
        return (t.meetings, t.minutes, t.technical_minutes, t.human_minutes, t.unspecified_minutes)

    assert figures(totals.total) == (4, 300, 120, 150, 30)
    total = totals.total
    assert (total.hours, total.technical_hours, total.human_hours, total.unspecified_hours) == (5, 2, 2.5, 0.5)
    assert {pk: figures(t) for pk, t in totals.by_project.items()} == {
        garage.pk: (3, 180, 60, 90, 30),
        cantine.pk: (1, 120, 60, 60, 0),
    }
    assert {pk: figures(t) for pk, t in totals.by_coach.items()} == {
        anna.pk: (2, 150, 60, 90, 0),
        bruno.pk: (2, 150, 60, 60, 30),
    }


def test_a_meeting_on_several_topics_shares_its_time_among_them(season, coach):
    # 4 technical topics and 3 human ones: 7 equal shares of 70 minutes.
    CoachingSessionFactory(project=ProjectFactory(cohort=season), coach=coach, duration_minutes=70, topics=list(Topic))
    total = services.season_coaching_totals(cohort=season).total
    assert (total.minutes, total.technical_minutes, total.human_minutes) == (70, 40, 30)


@pytest.mark.parametrize(
    "topics", [[], ["economic"], ["personal", "legal"], ["governance", "funding", "marketing"], list(Topic)]
)
def test_the_parts_always_add_up_to_the_total(season, coach, topics):
    for minutes in (5, 45, 90, 125):
        CoachingSessionFactory(
            project=ProjectFactory(cohort=season), coach=coach, duration_minutes=minutes, topics=topics
        )
    total = services.season_coaching_totals(cohort=season).total
    assert total.technical_minutes + total.human_minutes + total.unspecified_minutes == pytest.approx(total.minutes)


def test_topics_no_longer_offered_are_ignored(season, coach):
    CoachingSessionFactory(
        project=ProjectFactory(cohort=season), coach=coach, duration_minutes=60, topics=["astrology"]
    )
    total = services.season_coaching_totals(cohort=season).total
    assert (total.meetings, total.minutes, total.technical_minutes, total.human_minutes) == (1, 60, 0, 0)
    assert total.unspecified_minutes == 60


def test_a_season_without_meetings_has_zero_everywhere(season):
    totals = services.season_coaching_totals(cohort=season)
    assert (totals.total.meetings, totals.total.hours, totals.by_project, totals.by_coach) == (0, 0, {}, {})


@pytest.mark.parametrize("meetings", [10, 100])
def test_season_totals_take_one_query_whatever_the_number_of_meetings(
    season, coach, django_assert_num_queries, meetings
):
    projects = [ProjectFactory(cohort=season) for _ in range(3)]
    for n in range(meetings):
        CoachingSessionFactory(project=projects[n % 3], coach=coach, duration_minutes=60, topics=["economic"])
    # the meetings' project, coach, duration and topics, in one flat query
    with django_assert_num_queries(1):
        totals = services.season_coaching_totals(cohort=season)
    assert totals.total.technical_hours == meetings


def test_many_meetings_are_added_up_by_the_database_and_still_shared_among_their_topics(season, coach):
    project = ProjectFactory(cohort=season)
    for _ in range(12):
        CoachingSessionFactory(project=project, coach=coach, duration_minutes=45, topics=["economic", "personal"])
    # The same topics written in another order, and a meeting with none.
    CoachingSessionFactory(project=project, coach=coach, duration_minutes=30, topics=["personal", "economic"])
    CoachingSessionFactory(project=project, coach=coach, duration_minutes=20, topics=[])
    totals = services.season_coaching_totals(cohort=season)
    for total in (totals.total, totals.by_project[project.pk], totals.by_coach[coach.pk]):
        assert (total.meetings, total.minutes) == (14, 590)
        assert (total.technical_minutes, total.human_minutes, total.unspecified_minutes) == (285, 285, 20)

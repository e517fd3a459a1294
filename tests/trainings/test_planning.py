"""The season calendar generator: one day a month by a rule, venues in turn, a preview, no duplicates."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from cohorts.models import Cohort
from demo.trainings import seed_trainings
from projects.models import ProjectMember
from tests.factories import CohortFactory, TrainingSessionFactory, VenueFactory
from trainings import services
from trainings.models import Attendance, Trainer, TrainingSession, Venue

pytestmark = pytest.mark.django_db

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
MONDAY, TUESDAY, FRIDAY = 0, 1, 4


@pytest.fixture(autouse=True)
def _before_the_season():
    """Today is before every date used here, so every day is still to come."""
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=PARIS), tick=False):
        yield


@pytest.fixture
def cohort(programme):
    # 1 September 2026 → 30 November 2027: fifteen months.
    return CohortFactory(programme=programme, start_date=D(2026, 9, 1))


@pytest.fixture
def venues():
    return [VenueFactory(name="Montélimar"), VenueFactory(name="Crest"), VenueFactory(name="Privas")]


def generate(cohort, venues, dry_run=False, **rule):
    rule = {"weekday": TUESDAY, "nth": 2, "title": "Journée collective", **rule}
    return services.generate_calendar(cohort=cohort, venues=venues, dry_run=dry_run, **rule)


@pytest.mark.parametrize(
    ("year", "month", "weekday", "nth", "expected"),
    [
        (2026, 10, TUESDAY, 2, D(2026, 10, 13)),  # 1 October 2026 is a Thursday
        (2026, 9, TUESDAY, 1, D(2026, 9, 1)),  # the month starts on the day itself
        (2026, 12, MONDAY, 4, D(2026, 12, 28)),
        (2026, 10, FRIDAY, -1, D(2026, 10, 30)),
        (2026, 11, TUESDAY, -1, D(2026, 11, 24)),  # 30 November is a Monday
        (2027, 3, TUESDAY, -1, D(2027, 3, 30)),
        (2028, 2, TUESDAY, -1, D(2028, 2, 29)),  # a leap year's last day
    ],
)
def test_the_nth_weekday_of_a_month(year, month, weekday, nth, expected):
    assert services.nth_weekday(year, month, weekday=weekday, nth=nth) == expected


@pytest.mark.parametrize("nth", [0, 5, -2])
def test_a_rule_beyond_the_fourth_or_last_weekday_is_refused(nth):
    with pytest.raises(ValueError):
        services.nth_weekday(2026, 10, weekday=TUESDAY, nth=nth)


def test_a_fifteen_month_season_gets_one_day_a_month_without_august(cohort, venues):
    plan = generate(cohort, venues, skip_august=True)
    dates = [day.date for day in plan]
    assert len(dates) == 14
    assert dates[0] == D(2026, 9, 8)
    assert dates[-1] == D(2027, 11, 9)
    assert all(day.weekday() == TUESDAY and 8 <= day.day <= 14 for day in dates)
    assert not [day for day in dates if day.month == 8]
    assert len({(day.year, day.month) for day in dates}) == 14


def test_august_is_kept_when_asked_and_the_season_has_its_fifteen_days(cohort, venues):
    plan = generate(cohort, venues, skip_august=False)
    assert len(plan) == 15
    assert D(2027, 8, 10) in [day.date for day in plan]


def test_the_last_weekday_rule(cohort, venues):
    plan = generate(cohort, venues, weekday=FRIDAY, nth=-1, skip_august=False)
    assert [day.date for day in plan][:3] == [D(2026, 9, 25), D(2026, 10, 30), D(2026, 11, 27)]
    assert plan[-1].date == D(2027, 11, 26)


def test_days_outside_the_season_are_left_out(programme, venues):
    # 15 September 2026 → 14 December 2027: September's second Tuesday (the 8th) comes before the start,
    # December 2027's (the 14th) is the season's last day and counts.
    cohort = CohortFactory(programme=programme, start_date=D(2026, 9, 15))
    assert cohort.end_date == D(2027, 12, 14)
    dates = [day.date for day in generate(cohort, venues, skip_august=False)]
    assert dates[0] == D(2026, 10, 13)
    assert dates[-1] == D(2027, 12, 14)
    assert len(dates) == 15


def test_venues_are_taken_in_turn(cohort, venues):
    plan = generate(cohort, venues)
    assert [day.venue.name for day in plan[:5]] == ["Montélimar", "Crest", "Privas", "Montélimar", "Crest"]


def test_the_preview_saves_nothing(cohort, venues):
    plan = generate(cohort, venues, dry_run=True)
    assert len(plan) == 14
    assert not any(day.exists_already for day in plan)
    assert not TrainingSession.objects.exists()


def test_saving_creates_the_days_with_their_times_and_venue(cohort, venues):
    generate(cohort, venues, morning=(datetime.time(9, 30), datetime.time(12)), title="Journée du collectif")
    sessions = list(cohort.training_sessions.order_by("date"))
    assert len(sessions) == 14
    first = sessions[0]
    assert (first.date, first.title, first.venue.name) == (D(2026, 9, 8), "Journée du collectif", "Montélimar")
    assert (first.morning_start, first.morning_end) == (datetime.time(9, 30), datetime.time(12))
    assert (first.afternoon_start, first.afternoon_end) == (datetime.time(13, 30), datetime.time(17))
    assert first.status == TrainingSession.Status.PLANNED
    assert first.sequence == 0


def test_running_the_generator_again_adds_nothing_and_keeps_edited_days(cohort, venues):
    generate(cohort, venues)
    edited = cohort.training_sessions.get(date=D(2026, 10, 13))
    edited.venue = venues[2]
    edited.title = "Journée spéciale"
    edited.save()

    plan = generate(cohort, venues)

    assert all(day.exists_already for day in plan)
    assert cohort.training_sessions.count() == 14
    edited.refresh_from_db()
    assert (edited.title, edited.venue) == ("Journée spéciale", venues[2])


def test_only_the_missing_days_are_added_and_the_rotation_does_not_shift(cohort, venues):
    TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13), title="Déjà là", venue=venues[0])
    plan = generate(cohort, venues)
    assert [day.exists_already for day in plan[:3]] == [False, True, False]
    assert cohort.training_sessions.count() == 14
    assert cohort.training_sessions.get(date=D(2026, 11, 10)).venue == venues[2]
    assert cohort.training_sessions.get(date=D(2026, 10, 13)).title == "Déjà là"


def test_other_seasons_are_not_touched(cohort, programme, venues):
    other = CohortFactory(programme=programme, start_date=D(2026, 9, 1))
    generate(other, venues)
    plan = generate(cohort, venues, dry_run=True)
    assert not any(day.exists_already for day in plan)
    assert cohort.training_sessions.count() == 0


# --- The demo season -------------------------------------------------------------------------------


def test_the_demo_season_gets_its_fifteen_days_venues_trainers_and_past_attendance(settings):
    settings.DEBUG = True
    with time_machine.travel(datetime.datetime(2027, 2, 20, 10, tzinfo=PARIS), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        out = io.StringIO()
        seed_trainings(stdout=out)
        cohort = Cohort.objects.current().get(programme__name="Accompagnement partagé Drôme-Ardèche")
        sessions = list(cohort.training_sessions.order_by("date"))
        counts = (
            Venue.objects.count(),
            Trainer.objects.count(),
            TrainingSession.objects.count(),
            Attendance.objects.count(),
        )
        seed_trainings(stdout=io.StringIO())  # a second run adds nothing

    assert (Venue.objects.count(), Trainer.objects.count(), TrainingSession.objects.count()) == counts[:3]
    assert Attendance.objects.count() == counts[3]
    assert len(sessions) == 15
    assert all(day.date.weekday() == TUESDAY and 8 <= day.date.day <= 14 for day in sessions)
    assert {day.venue.kind for day in sessions} == {Venue.Kind.PARTNER_OFFICE, Venue.Kind.THIRD_PLACE}
    assert len({day.venue_id for day in sessions}) == 3
    assert "Montélimar" in {day.venue.commune for day in sessions}
    territories = list(cohort.territories.all())
    assert sorted(trainer.is_local_to(territories) for trainer in Trainer.objects.all()) == [False, True, True, True]
    assert all(day.trainers.exists() for day in sessions)
    members = ProjectMember.objects.filter(project__cohort=cohort).count()
    assert members and all(day.attendances.count() == members for day in sessions)
    past = [day for day in sessions if day.date < D(2027, 2, 20)]
    assert past and all(day.status == TrainingSession.Status.HELD for day in past)
    marks = Attendance.objects.filter(session__in=past)
    assert not marks.filter(morning="").exists()
    assert {"present", "excused"} <= set(marks.values_list("morning", flat=True)) | set(
        marks.values_list("afternoon", flat=True)
    )
    assert not Attendance.objects.filter(session__date__gte=D(2027, 2, 20)).exclude(morning="").exists()
    assert "15 journées" in out.getvalue(), out.getvalue()

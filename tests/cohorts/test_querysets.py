import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from cohorts.models import Cohort, Programme
from tests.factories import (
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    StaffFactory,
    SuperuserFactory,
    UserFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def test_staff_see_only_the_programmes_their_structure_takes_part_in(programme, staff):
    other = ProgrammeFactory(partners=[PartnerStructureFactory()])
    assert list(Programme.objects.for_user(staff)) == [programme]
    assert other not in Programme.objects.for_user(staff)


def test_a_superuser_sees_every_programme(programme):
    other = ProgrammeFactory(partners=[PartnerStructureFactory()])
    assert set(Programme.objects.for_user(SuperuserFactory())) == {programme, other}


def test_people_without_a_role_or_a_login_see_no_programme(programme):
    assert not Programme.objects.for_user(AnonymousUser()).exists()
    assert not Programme.objects.for_user(UserFactory()).exists()
    inactive = StaffFactory(partner_structure=programme.partners.get(), is_active=False)
    assert not Programme.objects.for_user(inactive).exists()


def test_seasons_follow_their_programme(programme, staff, coach):
    mine = CohortFactory(programme=programme)
    CohortFactory(programme=ProgrammeFactory(partners=[PartnerStructureFactory()]))
    assert list(Cohort.objects.for_user(staff)) == [mine]
    assert list(Cohort.objects.for_user(coach)) == [mine]
    assert not Cohort.objects.for_user(CoachFactory()).exists()


def test_current_season_includes_its_first_and_last_day(programme):
    cohort = CohortFactory(programme=programme, start_date=D(2026, 1, 31))  # ends 30 April 2027
    assert list(Cohort.objects.current(D(2026, 1, 31))) == [cohort]
    assert list(Cohort.objects.current(D(2027, 4, 30))) == [cohort]
    assert not Cohort.objects.current(D(2026, 1, 30)).exists()
    assert not Cohort.objects.current(D(2027, 5, 1)).exists()
    assert cohort.phase(D(2026, 1, 30)) == Cohort.Phase.UPCOMING
    assert cohort.phase(D(2027, 5, 1)) == Cohort.Phase.PAST


def test_call_is_open_from_its_opening_to_its_closing_day_included(programme):
    cohort = CohortFactory(programme=programme, call_opens_on=D(2026, 3, 1), call_closes_on=D(2026, 4, 30))
    assert not Cohort.objects.call_open(D(2026, 2, 28)).exists()
    assert list(Cohort.objects.call_open(D(2026, 3, 1))) == [cohort]
    assert list(Cohort.objects.call_open(D(2026, 4, 30))) == [cohort]
    assert list(Cohort.objects.call_upcoming(D(2026, 2, 28))) == [cohort]
    assert cohort.call_is_open(D(2026, 4, 30)) and not cohort.call_is_open(D(2026, 5, 1))

"""Shared by the attendance, attendance sheet and calendar tests: a season's day, its trainer, and the others.

A test module that defines a fixture of the same name keeps its own.
"""

import datetime

import pytest

from tests.factories import (
    CohortFactory,
    StaffFactory,
    SuperuserFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
    VenueFactory,
)

SESSION_DAY = datetime.date(2026, 10, 13)


@pytest.fixture
def season(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027")


@pytest.fixture
def trainer_user(db):
    return UserFactory(first_name="Inès", last_name="Morel")


@pytest.fixture
def trainer(trainer_user):
    return TrainerFactory(name="Inès Morel", organisation="Scop Savoirs Partagés", user=trainer_user)


@pytest.fixture
def other_trainer_user(db):
    user = UserFactory()
    TrainerFactory(name="Paul Autre", user=user)
    return user


@pytest.fixture
def other_staff(db):
    """Staff of a structure that is no partner of this programme."""
    return StaffFactory()


@pytest.fixture
def superuser(db):
    return SuperuserFactory()


@pytest.fixture
def venue(structure):
    return VenueFactory(
        name="La Fabrique",
        address="3 place du Marché",
        postcode="26220",
        commune="Dieulefit",
        partner_structure=structure,
    )


@pytest.fixture
def session(season, trainer, venue):
    return TrainingSessionFactory(
        cohort=season,
        date=SESSION_DAY,
        title="Construire son modèle économique",
        venue=venue,
        trainers=[trainer],
    )

"""The migration that turns the actors typed per project into the programme's directory."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("projects", "0005_follow_ups")]
AFTER = [("projects", "0006_actor_directory_and_past_seasons")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_free_text_becomes_one_actor_per_programme_and_normalised_name(old_apps):
    Programme = old_apps.get_model("cohorts", "Programme")
    Cohort = old_apps.get_model("cohorts", "Cohort")
    Project = old_apps.get_model("projects", "Project")
    ActorMet = old_apps.get_model("projects", "ActorMet")
    day = datetime.date(2025, 9, 1)

    def season(name):
        programme = Programme.objects.create(name=name)
        return Cohort.objects.create(
            programme=programme,
            name=f"{name} 2025",
            start_date=day,
            end_date=day + datetime.timedelta(days=400),
            call_opens_on=day - datetime.timedelta(days=90),
            call_closes_on=day - datetime.timedelta(days=30),
        )

    ours, theirs = season("Vallée"), season("Ailleurs")
    garage = Project.objects.create(cohort=ours, name="Garage")
    cantine = Project.objects.create(cohort=ours, name="Cantine")
    elsewhere = Project.objects.create(cohort=theirs, name="Recyclerie")
    typed = [
        (garage, "Mairie de Crest", "local_authority", "La CAE"),
        (cantine, "  MAIRIE de  Crest. ", "public_service", ""),
        (cantine, "Mairie de Crèst", "local_authority", "Le garage"),
        (garage, "Crédit coopératif", "funder", ""),
        (elsewhere, "Mairie de Crest", "local_authority", ""),
    ]
    for n, (project, organisation, kind, introduced_by) in enumerate(typed):
        ActorMet.objects.create(
            project=project,
            organisation=organisation,
            kind=kind,
            met_on=day + datetime.timedelta(days=n),
            introduced_by=introduced_by,
        )

    apps = migrate(AFTER)
    Actor = apps.get_model("projects", "Actor")
    ActorMet = apps.get_model("projects", "ActorMet")
    assert sorted(Actor.objects.values_list("programme__name", "organisation", "kind")) == [
        ("Ailleurs", "Mairie de Crest", "local_authority"),
        ("Vallée", "Crédit coopératif", "funder"),
        # The first spelling met and its kind stay.
        ("Vallée", "Mairie de Crest", "local_authority"),
    ]
    mairie = Actor.objects.get(programme__name="Vallée", organisation="Mairie de Crest")
    assert sorted(ActorMet.objects.filter(actor=mairie).values_list("project__name", "note")) == [
        ("Cantine", ""),
        ("Cantine", "Le garage"),
        ("Garage", "La CAE"),
    ]
    assert ActorMet.objects.count() == 5  # every meeting kept

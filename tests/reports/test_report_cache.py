"""The season report's sections are kept rendered while the rows they are made of do not change: any change to
those rows shows on the next page; the key keeps apart languages, the staff's comments and the funders' page."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import reports.services as reports
from cohorts.models import PartnerCommitment
from projects.models import CoachingSession, ImportedCandidacyCount, Outcome, Project
from reports import cache
from tests.factories import CohortFactory, ProgrammeFactory
from tests.reports.season_data import fill_season
from trainings.models import Attendance

pytestmark = [pytest.mark.django_db, pytest.mark.skipif("connection.vendor != 'postgresql'")]


@pytest.fixture
def every_table_filled(filled_season, coach, structure, drome):
    """The filled seasons, and a row in the few tables `fill_season` leaves empty."""
    PartnerCommitment.objects.create(cohort=filled_season, partner_structure=structure, coaching_hours=10)
    ImportedCandidacyCount.objects.create(cohort=filled_season, territory=drome, sector="third_place", received=4)
    CoachingSession.objects.filter(project__cohort=filled_season).first().participants.add(coach)
    filled_season.programme.partners.add(structure)
    return filled_season


def test_the_fingerprint_reads_every_table_the_report_reads(every_table_filled):
    with CaptureQueriesContext(connection) as queries:
        cache.render_sections(every_table_filled, with_comments=True, limit=None, every_project_url=None)
    read = {table for query in queries for table in re.findall(r'(?:FROM|JOIN) "([a-z_]+)"', query["sql"])}
    assert read - {"reports_reportexport"} <= cache.read_tables()


def test_any_change_to_a_row_the_report_reads_gives_a_new_fingerprint(every_table_filled):
    for model, *_rest in cache.READ:
        row = model.objects.order_by("pk").first()
        assert row is not None, model
        before = cache.data_version(every_table_filled)
        # An update that changes no value still writes a new version of the row.
        model.objects.filter(pk=row.pk).update(**{model._meta.pk.name: F(model._meta.pk.name)})
        assert cache.data_version(every_table_filled) != before, model._meta.db_table


def test_the_rows_of_another_programmes_seasons_leave_the_fingerprint_alone(every_table_filled, coach):
    elsewhere = CohortFactory(programme=ProgrammeFactory())
    fill_season(elsewhere, coach=coach)
    before = cache.data_version(every_table_filled)
    Project.objects.filter(cohort=elsewhere).update(name="Ailleurs")
    Attendance.objects.filter(session__cohort=elsewhere).delete()
    assert cache.data_version(every_table_filled) == before


def report_page(client, cohort, **query):
    return client.get(reverse("reports:season_report", args=[cohort.pk]), query).content.decode()


def test_the_page_shows_a_change_made_after_it_was_read(client, filled_season, staff, coach):
    client.force_login(staff)
    assert "Nouveau nom de projet" not in report_page(client, filled_season)
    # Straight into the database, as a script or the admin's bulk actions would: no signal, no service.
    project = Project.objects.filter(cohort=filled_season).order_by("name").first()
    Project.objects.filter(pk=project.pk).update(name="Nouveau nom de projet")
    assert "Nouveau nom de projet" in report_page(client, filled_season)
    Outcome.objects.filter(project__cohort=filled_season).update(funds_raised=123456)
    assert "123\N{NO-BREAK SPACE}456 €" in html.unescape(report_page(client, filled_season))
    Attendance.objects.filter(session__cohort=filled_season).delete()
    page = report_page(client, filled_season)
    assert "75 %" not in page.split('id="journees"')[1].split("</section>")[0]


def test_the_staffs_comments_never_reach_the_funders_page_through_the_cache(client, filled_season, staff):
    client.force_login(staff)
    assert "Très concret, merci." in report_page(client, filled_season)
    last_day = timezone.localdate() + datetime.timedelta(days=30)
    share = reports.create_share(cohort=filled_season, label="Fondation X", expires_on=last_day, user=staff)
    page = client.get(reports.share_url(share)).content.decode()
    assert "Chiffres clés de la saison" in page and "Très concret, merci." not in page


def test_each_language_gets_its_own_page(client, filled_season, staff):
    client.force_login(staff)
    assert "Chiffres clés de la saison" in report_page(client, filled_season)
    english = client.get(
        reverse("reports:season_report", args=[filled_season.pk]), headers={"accept-language": "en"}
    ).content.decode()
    assert "Chiffres clés de la saison" not in english


def test_a_silent_cache_still_gives_the_report(client, filled_season, staff, monkeypatch):
    def silent(*args, **kwargs):
        raise TimeoutError("the cache does not answer")

    monkeypatch.setattr(cache.cache, "get", silent)
    monkeypatch.setattr(cache.cache, "set", silent)
    client.force_login(staff)
    response = client.get(reverse("reports:season_report", args=[filled_season.pk]))
    assert response.status_code == 200
    assert '<th scope="row">Candidatures reçues</th><td class="text-end num">9</td>' in response.content.decode()

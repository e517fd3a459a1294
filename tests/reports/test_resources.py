"""The season report's resources: what each partner structure committed against what it delivered."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cohorts.models import PartnerCommitment
from reports.resources import season_resources
from reports.services import cohort_for_report, report_charts, season_report
from tests.factories import (
    CoachAssignmentFactory,
    CoachFactory,
    CoachingSessionFactory,
    PartnerStructureFactory,
    ProjectFactory,
    TrainingSessionFactory,
    VenueFactory,
)
from tests.reports.season_data import fill_season

pytestmark = pytest.mark.django_db


@pytest.fixture
def incubator(programme):
    structure = PartnerStructureFactory(name="Alter'Incub")
    programme.partners.add(structure)
    return structure


def test_delivered_figures_come_from_meetings_held_days_and_assignments(season, coach, incubator):
    fill_season(season, coach=coach)  # coach's structure: 18 h of meetings, 2 held days at its venues, 1 coach
    PartnerCommitment.objects.create(
        cohort=season, partner_structure=coach.partner_structure, coaching_hours=20, days_hosted=3, coaches=1, money=0
    )
    PartnerCommitment.objects.create(
        cohort=season, partner_structure=incubator, coaching_hours=10, days_hosted=1, coaches=1, money=Decimal("5000")
    )
    # Alter'Incub's coach: two meetings of an hour with a project of the season, one of another season not counted.
    other_coach = CoachFactory(partner_structure=incubator)
    project = ProjectFactory(cohort=season)
    CoachAssignmentFactory(project=project, coach=other_coach, cohort=season)
    CoachingSessionFactory.create_batch(2, project=project, coach=other_coach, duration_minutes=60)
    CoachingSessionFactory(project=ProjectFactory(), coach=other_coach, duration_minutes=600)
    # A day at its venue: held counts, planned does not.
    venue = VenueFactory(partner_structure=incubator)
    TrainingSessionFactory(cohort=season, venue=venue, status="held")
    TrainingSessionFactory(cohort=season, venue=venue, status="planned")

    lines = {line.structure: line for line in season_resources(season)}
    assert list(lines) == ["Alter'Incub", "CAE Prisme"]
    prisme, alter = lines["CAE Prisme"], lines["Alter'Incub"]
    assert (prisme.committed_hours, prisme.delivered_hours) == (Decimal("20.0"), Decimal("18.00"))
    assert (prisme.committed_days, prisme.held_days, prisme.committed_coaches, prisme.coaches) == (3, 2, 1, 1)
    assert (alter.committed_hours, alter.delivered_hours) == (Decimal("10.0"), Decimal("2.00"))
    assert (alter.held_days, alter.coaches, alter.committed_money) == (1, 1, Decimal("5000.00"))


def test_a_structure_without_commitment_reads_a_dash(client, staff, season, coach):
    fill_season(season, coach=coach)
    line = season_resources(season)[0]
    assert line.committed_hours is None and line.delivered_hours == Decimal("18.00")
    client.force_login(staff)
    page = re.sub(r">\s+<", "><", client.get(reverse("reports:season_report", args=[season.pk])).content.decode())
    assert "Moyens des structures partenaires" in page
    assert '<th scope="row">CAE Prisme</th><td class="text-end num">—</td><td class="text-end num">18,0 h</td>' in page


def test_the_resources_reach_the_csv_the_spreadsheet_and_the_pdf(client, staff, season, coach):
    fill_season(season, coach=coach)
    PartnerCommitment.objects.create(
        cohort=season, partner_structure=coach.partner_structure, coaching_hours=20, days_hosted=3, coaches=1, money=800
    )
    client.force_login(staff)
    url = reverse("reports:season_report", args=[season.pk])
    response = client.get(url, {"format": "csv", "dataset": "moyens"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Structure", "Heures d'accompagnement engagées", "Heures d'accompagnement réalisées"]
    assert rows[1] == ["CAE Prisme", "20,0", "18,00", "3", "2", "1", "1", "800,00"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(url, {"format": "csv"}).streaming_content)))
    assert "moyens.csv" in archive.namelist()

    workbook = load_workbook(io.BytesIO(b"".join(client.get(url, {"format": "xlsx"}).streaming_content)))
    sheet = workbook["Moyens des structures"]
    assert [cell.value for cell in sheet[2]] == ["CAE Prisme", 20, 18, 3, 2, 1, 1, 800]

    report = season_report(cohort_for_report(type(season).objects.filter(pk=season.pk)).get())
    assert report.resources[0].committed_days == 3


def test_the_pdf_holds_the_resources(client, staff, season, coach):
    pytest.importorskip("weasyprint")
    fill_season(season, coach=coach)
    client.force_login(staff)
    response = client.get(reverse("reports:season_report", args=[season.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_chart_waits_for_hours_committed_or_delivered(season, coach):
    cohort = cohort_for_report(type(season).objects.filter(pk=season.pk))
    assert "resources" not in report_charts(season_report(cohort.get()))
    fill_season(season, coach=coach)
    assert "resources" in report_charts(season_report(cohort.get()))

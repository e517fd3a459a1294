"""The season report and its files show the projects months after the season: jobs and answer rates, 6, 12, 24."""

import csv
import datetime
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from projects.models import FollowUp, Outcome
from tests.factories import CohortFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def followed(programme, drome):
    """A season ended 31 March 2026, its three projects followed to 24 months."""
    cohort = CohortFactory(programme=programme, name="Saison 2025-2026", start_date=datetime.date(2025, 1, 1))
    projects = [
        ProjectFactory(cohort=cohort, name=name) for name in ("Garage du Diois", "Café des Baronnies", "Fournil")
    ]
    Outcome.objects.create(project=projects[0], status=Outcome.Status.LAUNCHED, jobs_fte=Decimal("1"))
    answers = {6: ["1.5", "0.5", None], 12: ["2", "1", "0"], 24: ["3.5", None, None]}
    for months, jobs in answers.items():
        for project, value in zip(projects, jobs, strict=True):
            answered = {}
            if value is not None:
                answered = {
                    "status": FollowUp.Status.RUNNING,
                    "legal_form": Outcome.LegalForm.SCIC,
                    "jobs_fte": Decimal(value),
                    "volunteers": 2,
                    "funds_raised": Decimal("1000"),
                    "answered_at": datetime.datetime(2028, 4, 2, tzinfo=datetime.UTC),
                }
            FollowUp.objects.create(
                project=project,
                months=months,
                due_on=datetime.date(2026, 3, 31),
                email="contact@exemple.fr",
                sent_at=datetime.datetime(2028, 4, 1, tzinfo=datetime.UTC),
                **answered,
            )
    return cohort


def test_the_report_page_shows_jobs_at_the_end_and_6_12_24_months_later(client, staff, followed):
    client.force_login(staff)
    page = " ".join(
        html.unescape(client.get(reverse("reports:season_report", args=[followed.pk])).content.decode()).split()
    )
    assert "Les projets dans le temps" in page
    for label, jobs in [
        ("Emplois 6 mois après la saison (ETP)", "2"),
        ("Emplois 12 mois après la saison (ETP)", "3"),
        ("Emplois 24 mois après la saison (ETP)", "3,5"),
    ]:
        assert f'<th scope="row">{label}</th><td class="text-end num">{jobs}</td>' in page, label
    assert '<th scope="row">Réponses au suivi à 12 mois (%)</th><td class="text-end num">100' in page


def test_the_season_comparison_shows_each_seasons_follow_ups(client, staff, followed):
    later = CohortFactory(programme=followed.programme, name="Saison 2026-2027", start_date=datetime.date(2026, 4, 1))
    client.force_login(staff)
    page = " ".join(
        html.unescape(client.get(reverse("reports:season_report", args=[later.pk])).content.decode()).split()
    )
    # This season first (not asked yet: —), then the earlier one.
    assert (
        '<th scope="row">Emplois 12 mois après la saison (ETP)</th><td class="text-end num">—</td><td class="text-end num">3</td>'
        in page
    )


def test_the_csv_and_pdf_carry_the_follow_ups(client, staff, followed):
    client.force_login(staff)
    url = reverse("reports:season_report", args=[followed.pk])
    response = client.get(url, {"format": "csv", "dataset": "suivi"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Projet", "Moment", "Date prévue"]
    assert len(rows) == 1 + 9
    assert any(row[:2] == ["Fournil", "12 mois après"] for row in rows)
    response = client.get(url, {"format": "pdf"})
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Les projets dans le temps" in text and "24 mois après" in text

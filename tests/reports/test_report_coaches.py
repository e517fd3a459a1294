"""Who coached whom, in the report of a season that has ended: from the assignment history, not from the
assignments still open — page, CSV, XLSX and PDF alike, with coaching hours whose parts add up."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from projects import services
from tests.factories import (
    CoachFactory,
    CoachingSessionFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProjectFactory,
)
from tests.reports.test_report_exports import export, read_csv

pytestmark = pytest.mark.django_db


def report_url(season):
    return reverse("reports:season_report", args=[season.pk])


START = datetime.date(2025, 1, 6)  # a 15-month season: it ends on 5 April 2026
REASSIGNED_ON = datetime.date(2025, 10, 1)


@pytest.fixture
def ended_season(programme, structure):
    rhizome = PartnerStructureFactory(name="Incubateur Rhizome")
    programme.partners.add(rhizome)
    anne = CoachFactory(partner_structure=structure, first_name="Anne", last_name="Martin")
    bruno = CoachFactory(partner_structure=rhizome, first_name="Bruno", last_name="Roux")
    season = CohortFactory(programme=programme, name="Saison 2025", start_date=START)
    garage = ProjectFactory(cohort=season, name="Garage solidaire")
    cantine = ProjectFactory(cohort=season, name="Cantine des Collines")
    ProjectFactory(cohort=season, name="Atelier vélo")  # never coached
    with time_machine.travel(START):
        services.assign_coach(project=garage, coach=anne)
        services.assign_coach(project=cantine, coach=bruno)
    with time_machine.travel(REASSIGNED_ON):
        services.assign_coach(project=cantine, coach=anne)  # Bruno held it 269 days, Anne 187 (both count 1 October)
    for coach, project, minutes, topics in [
        (anne, garage, 120, ["economic"]),
        (bruno, cantine, 60, ["personal"]),
        (bruno, cantine, 60, ["legal", "governance"]),
        (bruno, cantine, 60, []),
        (anne, cantine, 60, ["funding"]),
    ]:
        CoachingSessionFactory(project=project, coach=coach, duration_minutes=minutes, topics=topics)
    # The season ends; so do its assignments.
    for assignment in season.assignments.active():
        services.end_assignment(assignment=assignment, on=season.end_date)
    return season


@pytest.fixture(autouse=True)
def _after_the_season():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_each_project_is_attributed_to_who_held_it_longest_with_every_coachs_share(ended_season):
    coached = services.season_project_coaches(cohort=ended_season)
    by_name = {project.name: coached.get(project.pk) for project in ended_season.projects.all()}
    assert by_name["Atelier vélo"] is None
    garage, cantine = by_name["Garage solidaire"], by_name["Cantine des Collines"]
    assert (garage.main.name, garage.main.structure, garage.describe()) == (
        "Anne Martin",
        "CAE Prisme",
        "Anne Martin 100 %",
    )
    assert [(coach.name, coach.days, coach.minutes) for coach in cantine.coaches] == [
        ("Bruno Roux", 269, 180),
        ("Anne Martin", 187, 60),
    ]
    assert cantine.describe() == "Bruno Roux 75 %, Anne Martin 25 %"


def test_the_report_page_of_an_ended_season_names_the_coaches_and_structures(client, ended_season, staff):
    client.force_login(staff)
    page = client.get(report_url(ended_season)).content.decode()
    assert "Aucun accompagnement confié" not in page
    assert "Bruno Roux 75 %, Anne Martin 25 %" in page
    assert "Incubateur Rhizome" in page
    # One project in three had nobody: "Sans chargé·e" is a third, not everything.
    assert "Sans chargé·e d&#x27;accompagnement" in page or "Sans chargé·e d'accompagnement" in page
    assert "100 %" not in page.split("Par structure d", 1)[1].split("</table>", 1)[0]


def test_the_csv_and_xlsx_name_the_main_coach_their_structure_and_everyones_share(client, ended_season, staff):
    client.force_login(staff)
    _response, body = export(client, ended_season, "csv", dataset="projets")
    rows = read_csv(body)
    header = rows[0]
    coach, structure, shares = (
        header.index("Chargé·e d'accompagnement"),
        header.index("Structure d'accompagnement"),
        header.index("Chargé·es sur la saison (part de l'accompagnement)"),
    )
    by_project = {row[0]: (row[coach], row[structure], row[shares]) for row in rows[1:]}
    assert by_project == {
        "Atelier vélo": ("", "", ""),
        "Cantine des Collines": ("Bruno Roux", "Incubateur Rhizome", "Bruno Roux 75 %, Anne Martin 25 %"),
        "Garage solidaire": ("Anne Martin", "CAE Prisme", "Anne Martin 100 %"),
    }

    _response, body = export(client, ended_season, "xlsx")
    sheet = list(load_workbook(io.BytesIO(body))["Projets"].iter_rows(values_only=True))
    cantine = next(row for row in sheet if row[0] == "Cantine des Collines")
    assert cantine[sheet[0].index("Chargé·e d'accompagnement")] == "Bruno Roux"
    assert cantine[sheet[0].index("Structure d'accompagnement")] == "Incubateur Rhizome"


def test_the_pdf_names_the_coaches_and_structures(client, ended_season, staff):
    client.force_login(staff)
    _response, body = export(client, ended_season, "pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())
    assert "Bruno Roux" in text and "Anne Martin" in text and "Incubateur Rhizome" in text
    assert "Aucun accompagnement confié" not in text


def test_coaching_parts_add_up_to_the_total_on_the_page_and_in_every_file(client, ended_season, staff):
    # 6 h in all: 3.5 h technical (economic 2 h, funding 1 h, half of legal + governance), 1.5 h human
    # (personal 1 h, the other half), 1 h without a topic.
    client.force_login(staff)
    page = client.get(report_url(ended_season)).content.decode()
    for label, hours in [("Heures", "6,0"), ("dont sujets techniques", "3,5"), ("dont sujets humains", "1,5")]:
        assert f"{label}" in page and f"{hours} h" in page
    _response, body = export(client, ended_season, "xlsx")
    summary = {row[0]: row[1] for row in load_workbook(io.BytesIO(body))["Synthèse"].iter_rows(values_only=True) if row}
    parts = [
        summary["dont sujets techniques (heures)"],
        summary["dont sujets humains (heures)"],
        summary["dont rendez-vous sans sujet noté (heures)"],
    ]
    assert parts == [3.5, 1.5, 1]
    assert sum(parts) == summary["Heures d'accompagnement"] == 6

    _response, body = export(client, ended_season, "csv")
    meetings = read_csv(zipfile.ZipFile(io.BytesIO(body)).read("rendez-vous.csv"))
    header = meetings[0]
    duration = header.index("Durée (heures)")
    for row in meetings[1:]:
        values = [float(row[i].replace(",", ".")) for i in (duration, duration + 3, duration + 4, duration + 5)]
        assert values[1] + values[2] + values[3] == pytest.approx(values[0])

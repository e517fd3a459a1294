"""Past seasons brought in from a spreadsheet: who may, the dry run and its errors per line, all or nothing,
and the growth chart then covering the programme since its first season."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import Cohort
from projects.models import ImportedCandidacyCount, Outcome, Project, SeasonImport
from projects.services import season_import
from reports.charts import report_charts
from reports.figures import season_report
from tests.factories import (
    CandidacyFactory,
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    StaffFactory,
    SuperuserFactory,
    TerritoryFactory,
)
from tests.forms import submit

pytestmark = pytest.mark.django_db

COLUMNS = season_import.COLUMNS


@pytest.fixture
def territories(db):
    return TerritoryFactory(name="Drôme", department_code="26"), TerritoryFactory(name="Ardèche", department_code="07")


def line(season="Saison 2019-2020", start="01/09/2019", months="12", kind="candidatures", **values):
    row = dict.fromkeys(COLUMNS, "")
    row.update({"saison": season, "debut": start, "duree_mois": months, "ligne": kind, **values})
    return row


GOOD = [
    line(territoire="26", secteur="Tiers-lieu", recues="8", retenues="2"),
    line(territoire="Ardèche", secteur="mobility", recues="4", retenues="1"),
    line(
        kind="projet",
        projet="La Fabrique",
        territoire="26",
        secteur="Tiers-lieu",
        commune="Crest",
        bilan="Lancé",
        forme_juridique="SCIC",
        emplois_etp="2,5",
        fonds_obtenus="40000",
    ),
    line(season="Saison 2020-2021", start="2020-09-01", territoire="26", secteur="", recues="12", retenues="3"),
    line(season="Saison 2020-2021", start="2020-09-01", kind="projet", projet="Roue Libre", bilan="arrêté"),
]


def as_csv(rows, *, headers=COLUMNS, delimiter=";"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(column, "") for column in headers])
    return out.getvalue().encode("utf-8")


def as_xlsx(rows):
    dataset = tablib.Dataset(*[[row[column] for column in COLUMNS] for row in rows], headers=COLUMNS)
    return dataset.export("xlsx")


def upload(content, name="saisons.csv"):
    return SimpleUploadedFile(name, content)


def url(programme):
    return reverse("cohorts:season_import", args=[programme.pk])


def send(client, programme, content, *, name="saisons.csv", button="verifier"):
    """Open the page and send its form back with the file, pressing the dry run's or the import's button."""
    page = client.get(url(programme))
    return submit(client, page, files={"file": upload(content, name)}, button=button)


def nothing_written():
    assert not SeasonImport.objects.exists()
    assert not ImportedCandidacyCount.objects.exists()
    assert not Cohort.objects.exists() or not Cohort.objects.filter(name__startswith="Saison 20").exists()


def errors(response):
    return [(error.line, error.column, error.message) for error in response.context["plan"].errors]


# --- Who may -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, programme):
    for target in (url(programme), reverse("cohorts:season_import_template", args=[programme.pk])):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_coaches_are_refused_and_another_programmes_staff_get_a_404(client, programme, coach, territories):
    template = reverse("cohorts:season_import_template", args=[programme.pk])
    client.force_login(coach)
    assert client.get(url(programme)).status_code == 403
    assert client.post(url(programme), {"file": upload(as_csv(GOOD)), "importer": ""}).status_code == 403
    assert client.get(template).status_code == 403
    for other in (StaffFactory(partner_structure=PartnerStructureFactory()), CoachFactory()):
        ProgrammeFactory(partners=[other.partner_structure])
        client.force_login(other)
        assert client.get(url(programme)).status_code in (403, 404)
    client.force_login(StaffFactory(partner_structure=PartnerStructureFactory(name="Ailleurs")))
    assert client.get(url(programme)).status_code == 404
    assert client.post(url(programme), {"file": upload(as_csv(GOOD)), "importer": ""}).status_code == 404
    assert client.get(template).status_code == 404
    nothing_written()


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_staff_download_the_template_and_it_imports_as_it_is(client, staff, programme, territories, export_format):
    client.force_login(staff)
    response = client.get(reverse("cohorts:season_import_template", args=[programme.pk]), {"format": export_format})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="saisons-passees.{export_format}"'
    assert not errors(send(client, programme, response.content, name=f"modele.{export_format}"))


def test_superusers_open_the_page(client, programme):
    client.force_login(SuperuserFactory())
    assert client.get(url(programme)).status_code == 200


# --- The dry run, then the import -----------------------------------------------------------------


def test_the_dry_run_shows_what_would_be_created_and_writes_nothing(client, staff, programme, territories):
    client.force_login(staff)
    response = send(client, programme, as_csv(GOOD))
    plan = response.context["plan"]
    assert plan.ok and [season.name for season in plan.seasons] == ["Saison 2019-2020", "Saison 2020-2021"]
    assert (plan.seasons[0].received, plan.seasons[0].accepted, len(plan.seasons[0].projects)) == (12, 3, 1)
    body = response.content.decode()
    assert "Le fichier est juste (5 lignes)" in body and "La Fabrique — Lancé" in body
    nothing_written()


def test_the_import_creates_the_seasons_their_counts_projects_and_outcomes(client, staff, programme, territories):
    drome, ardeche = territories
    client.force_login(staff)
    response = send(client, programme, as_csv(GOOD), button="importer")
    assert response["Location"] == reverse("cohorts:cohort_list")
    first, second = Cohort.objects.filter(programme=programme).order_by("start_date")
    assert (first.name, first.start_date, first.end_date) == (
        "Saison 2019-2020",
        datetime.date(2019, 9, 1),
        datetime.date(2020, 8, 31),
    )
    assert set(first.territories.all()) == {drome, ardeche}
    assert first.season_import.imported_by == staff and first.season_import.file_name == "saisons.csv"
    assert sorted(first.imported_candidacy_counts.values_list("territory__name", "sector", "received", "accepted")) == [
        ("Ardèche", "mobility", 4, 1),
        ("Drôme", "third_place", 8, 2),
    ]
    fabrique = Project.objects.get(name="La Fabrique")
    assert (fabrique.cohort, fabrique.territory, fabrique.sector, fabrique.commune) == (
        first,
        drome,
        "third_place",
        "Crest",
    )
    assert (fabrique.outcome.status, fabrique.outcome.legal_form, fabrique.outcome.jobs_fte) == (
        "launched",
        "scic",
        Decimal("2.5"),
    )
    assert Outcome.objects.get(project__name="Roue Libre").status == "stopped"
    assert second.imported_candidacy_counts.get().territory == drome


def test_an_xlsx_file_is_read_like_a_csv(client, staff, programme, territories):
    rows = [dict(row) for row in GOOD]
    rows[0]["debut"] = datetime.datetime(2019, 9, 1)  # a date cell, as a spreadsheet keeps it
    rows[0]["recues"] = 8
    client.force_login(staff)
    response = send(client, programme, as_xlsx(rows), name="saisons.xlsx", button="importer")
    assert response.status_code == 302, (response.context["file_error"], response.context["plan"] and errors(response))
    assert Cohort.objects.filter(programme=programme).count() == 2


def test_the_growth_chart_then_covers_the_programme_since_its_first_season(client, staff, programme, territories):
    current = CohortFactory(programme=programme, name="Saison 2025-2026", start_date=datetime.date(2025, 9, 1))
    CandidacyFactory.create_batch(3, cohort=current, status="submitted")
    client.force_login(staff)
    send(client, programme, as_csv(GOOD), button="importer")
    report = season_report(current)
    assert [season.name for season in report.seasons] == ["Saison 2025-2026", "Saison 2020-2021", "Saison 2019-2020"]
    assert report.candidacies.received == [3, 12, 12]
    assert report.candidacies.accepted == [0, 3, 3]
    jobs = next(row for row in report.trend if row.label == "Emplois créés (ETP)")
    assert jobs.values == [0, 0, Decimal("2.5")]
    chart = report_charts(report)["candidacies"].svg
    assert "Saison 2019-2020" in chart and "Saison 2020-2021" in chart
    by_territory = {row.label: row.values for row in report.candidacies.by_territory}
    assert by_territory["Drôme (26)"][1:] == [12, 8]


# --- Errors, each with its line and column; nothing written ----------------------------------------


def test_every_wrong_line_is_told_with_its_column_and_nothing_is_written(client, staff, programme, territories):
    rows = [
        line(territoire="26", secteur="Tiers-lieu", recues="8", retenues="2"),
        line(start="31/02/2019", territoire="26", recues="1"),
        line(territoire="Isère", recues="1"),
        line(territoire="26", secteur="Spatial", recues="1"),
        line(territoire="07", recues="-3"),
        line(territoire="07", secteur="culture", recues="2", retenues="5"),
        line(kind="projet", projet="", emplois_etp="-1"),
        line(kind="autre"),
        line(season="Saison 2030", start="01/09/2030", territoire="26", recues="1"),
        line(start="01/10/2019", territoire="26", secteur="food", recues="1"),
        line(territoire="26", secteur="Tiers-lieu", recues="1"),
    ]
    client.force_login(staff)
    response = send(client, programme, as_csv(rows), button="importer")
    assert response.status_code == 200
    found = errors(response)
    assert [(number, column) for number, column, _message in found] == [
        (3, "debut"),
        (4, "territoire"),
        (5, "secteur"),
        (6, "recues"),
        (7, "retenues"),
        (8, "projet"),
        (8, "emplois_etp"),
        (9, "ligne"),
        (10, "debut"),
        (11, "debut"),
        (12, "territoire"),
    ]
    messages = dict(((number, column), message) for number, column, message in found)
    assert messages[(3, "debut")] == "« 31/02/2019 » n'est pas une date : écrivez-la comme 01/09/2021."
    assert messages[(4, "territoire")].startswith("Territoire inconnu « Isère »")
    assert messages[(7, "retenues")] == "Plus de candidatures retenues (5) que reçues (2)."
    assert "pas finie" in messages[(10, "debut")]
    assert "d'autres dates à la ligne 2" in messages[(11, "debut")]
    assert "La ligne 2 compte déjà" in messages[(12, "territoire")]
    body = response.content.decode()
    assert "11 erreurs : rien n&#x27;est enregistré." in body or "11 erreurs : rien n'est enregistré." in body
    nothing_written()


def test_a_season_the_programme_already_has_is_refused(client, staff, programme, territories):
    CohortFactory(programme=programme, name="Saison 2019-2020", start_date=datetime.date(2019, 9, 1))
    client.force_login(staff)
    response = send(client, programme, as_csv(GOOD), button="importer")
    assert errors(response)[0][:2] == (2, "saison")
    assert not SeasonImport.objects.exists() and Cohort.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (as_csv(GOOD, headers=[column for column in COLUMNS if column != "recues"]), "saisons.csv", "« recues »"),
        (b"%PDF-1.4 not a sheet", "saisons.pdf", "CSV ou XLSX"),
        (b"not a zip at all", "saisons.xlsx", "pas un vrai fichier XLSX"),
        ("saison;debut\n".encode("utf-16"), "saisons.csv", "UTF-8"),
        (b"x" * (season_import.MAX_FILE_BYTES + 1), "saisons.csv", "trop gros"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(
    client, staff, programme, territories, content, name, message
):
    client.force_login(staff)
    response = send(client, programme, content, name=name, button="importer")
    assert response.status_code == 200
    assert message in response.context["file_error"]
    nothing_written()


def test_too_many_lines_are_refused(client, staff, programme, territories, monkeypatch):
    monkeypatch.setattr(season_import, "MAX_LINES", 3)
    client.force_login(staff)
    response = send(client, programme, as_csv(GOOD), button="importer")
    assert "plus de 3 lignes" in response.context["file_error"]
    nothing_written()


def test_no_file_is_explained_in_french(client, staff, programme):
    client.force_login(staff)
    response = submit(client, client.get(url(programme)), button="verifier")
    assert response.context["form"].errors["file"] == ["Choisissez le fichier à reprendre."]


@pytest.mark.parametrize("seasons", [2, 20])
def test_the_dry_run_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, staff, programme, territories, seasons
):
    rows = []
    for year in range(2000, 2000 + seasons):
        season = {"season": f"Saison {year}", "start": f"01/01/{year}"}
        rows += [line(**season, territoire="26", recues="3"), line(**season, kind="projet", projet=f"Projet {year}")]
    client.force_login(staff)
    page = client.get(url(programme))
    # session, user, the programme, the territories, the programme's season names
    with django_assert_max_num_queries(5):
        response = submit(client, page, files={"file": upload(as_csv(rows))}, button="verifier")
    assert len(response.context["plan"].seasons) == seasons

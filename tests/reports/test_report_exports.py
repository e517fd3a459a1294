"""The season report as CSV, XLSX and PDF: the figures in the files are the database's, and every export
is recorded."""

import csv
import dataclasses
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from projects.models import Candidacy, CoachingSession, FollowUp, Project
from reports import datasets
from reports import services as reports
from reports.exports import csv_value
from reports.models import ReportExport
from reports.tasks import build_report_export
from tests.factories import (
    AttendanceFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    TrainingSessionFactory,
)
from trainings.models import Attendance, TrainingSession

pytestmark = pytest.mark.django_db


def export(client, cohort, export_format, **params):
    url = reverse("reports:season_report", args=[cohort.pk])
    response = client.get(url, {"format": export_format, **params})
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "French Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


# --- CSV -------------------------------------------------------------------------------------------


def test_csv_export_is_a_zip_of_one_french_csv_per_dataset(client, filled_season, staff):
    client.force_login(staff)
    response, body = export(client, filled_season, "csv")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == sorted(f"{key}.csv" for key in reports.DATASETS)

    candidacies = read_csv(archive.read("candidatures.csv"))
    assert candidacies[0][:3] == ["Référence", "Projet", "Envoyée le"]
    assert len(candidacies) - 1 == Candidacy.objects.received().filter(cohort=filled_season).count() == 9
    assert candidacies[1][2] == timezone.localdate().strftime("%d/%m/%Y")

    sessions = read_csv(archive.read("journees.csv"))
    first_day = TrainingSession.objects.filter(cohort=filled_season).order_by("date").first()
    assert sessions[1][0] == first_day.date.strftime("%d/%m/%Y")
    assert sessions[1][11] == "75,0"  # attendance rate with a decimal comma
    assert sessions[1][12] == "4,5"  # participant-days

    attendance = read_csv(archive.read("presences.csv"))
    assert len(attendance) - 1 == Attendance.objects.filter(session__cohort=filled_season).count()

    meetings = read_csv(archive.read("rendez-vous.csv"))
    assert len(meetings) - 1 == CoachingSession.objects.filter(project__cohort=filled_season).count()
    # Each meeting's technical, human and unspecified hours add up to its duration.
    assert {tuple(row[7:10]) for row in meetings[1:]} == {
        ("1,50", "0,00", "0,00"),
        ("0,00", "1,50", "0,00"),
        ("0,75", "0,75", "0,00"),
    }


def test_one_dataset_can_be_downloaded_as_a_single_csv(client, filled_season, staff):
    client.force_login(staff)
    response, body = export(client, filled_season, "csv", dataset="projets")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(body)
    assert len(rows) - 1 == Project.objects.filter(cohort=filled_season).count()
    launched = next(row for row in rows if row[13] == "Lancé")
    assert launched[15:18] == ["1,5", "3", "10000,00"]
    assert ReportExport.objects.get().dataset == "projets"


def test_csv_is_streamed(client, filled_season, staff):
    client.force_login(staff)
    response = client.get(reverse("reports:season_report", args=[filled_season.pk]), {"format": "csv"})
    assert response.streaming


# --- XLSX ------------------------------------------------------------------------------------------


def test_xlsx_has_a_summary_then_one_typed_sheet_per_dataset(client, filled_season, staff):
    client.force_login(staff)
    response, body = export(client, filled_season, "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == [
        "Synthèse",
        "Candidatures",
        "Projets",
        "Rendez-vous d'accompagnement",
        "Journées collectives",
        "Présences",
        "Formateur·rices",
        "Lieux",
        "Acteurs rencontrés",
        "Suivi après la saison",
        "Moyens des structures",
        "Acteurs partagés",
    ]

    summary = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Candidatures reçues"] == Candidacy.objects.received().filter(cohort=filled_season).count()
    assert summary["Projets accompagnés"] == Project.objects.filter(cohort=filled_season).count()
    minutes = sum(
        CoachingSession.objects.filter(project__cohort=filled_season).values_list("duration_minutes", flat=True)
    )
    assert summary["Heures d'accompagnement"] == minutes / 60 == 18
    assert summary["Journées collectives tenues"] == 2
    assert summary["Taux de présence aux journées (%)"] == 75
    assert summary["Journées-participants"] == 9
    assert summary["Honoraires versés aux formateur·rices locaux (€)"] == 400
    assert summary["Part de formateur·rices locaux (%)"] == 50
    assert summary["Emplois créés (ETP)"] == Decimal("1.5")
    # Six months later, every project was asked and every other one answered, with two jobs each.
    asked = FollowUp.objects.filter(project__cohort=filled_season, months=6)
    answered = asked.filter(answered_at__isnull=False).count()
    assert summary["Emplois 6 mois après la saison (ETP)"] == 2 * answered
    assert summary["Réponses au suivi à 6 mois (%)"] == pytest.approx(100 * answered / asked.count(), abs=0.01)
    assert summary["6 mois après"] == asked.count()
    assert summary["12 mois après"] == "Pas encore demandé."
    follow_ups = list(workbook["Suivi après la saison"].iter_rows(values_only=True))
    assert follow_ups[0][:3] == ("Projet", "Moment", "Date prévue")
    assert len(follow_ups) == 1 + asked.count()

    sessions = workbook["Journées collectives"]
    assert sessions.freeze_panes == "A2"
    assert sessions.auto_filter.ref == "A1:M4"
    # XlsxWriter stores the width Excel shows plus its cell padding: 32 characters wide.
    assert int(sessions.column_dimensions["B"].width) == 32
    first = next(sessions.iter_rows(min_row=2, max_row=2))
    assert isinstance(first[0].value, datetime.datetime)  # a real date, shown dd/mm/yyyy
    assert first[0].number_format == "DD/MM/YYYY"
    assert first[11].value == 75

    attendance = workbook["Présences"]
    assert attendance.max_row - 1 == Attendance.objects.filter(session__cohort=filled_season).count()
    projects = workbook["Projets"]
    assert [cell.value for cell in projects[1]][:2] == ["Projet", "Secteur"]


def test_xlsx_summary_shows_previous_seasons_side_by_side(client, filled_season, staff):
    client.force_login(staff)
    _response, body = export(client, filled_season, "xlsx")
    rows = list(load_workbook(io.BytesIO(body))["Synthèse"].iter_rows(values_only=True))
    header = next(row for row in rows if row[0] == "Saison après saison")
    assert header[1:3] == ("Saison 2026-2027", "Saison 2025-2026")
    received = [row for row in rows if row[0] == "Candidatures reçues"][-1]
    assert received[1:3] == (9, 9)


# --- PDF -------------------------------------------------------------------------------------------


def test_pdf_is_an_a4_document_with_the_partners_and_key_figures(client, filled_season, staff, structure):
    client.force_login(staff)
    response, body = export(client, filled_season, "pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(body))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
    cover = reader.pages[0].extract_text()
    assert filled_season.programme.name in cover
    assert structure.name in cover
    assert "1er septembre 2026" in cover
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Candidatures reçues" in text
    assert "Taux de présence aux journées (%)" in text and "75 %" in text
    assert "18,0 h" in text
    assert "Saison 2025-2026" in text
    assert f"Page 2 sur {len(reader.pages)}" in text


def test_pdf_tables_of_one_row_per_project_stop_after_a_bound_and_say_how_many_are_left_out(
    client, filled_season, staff, monkeypatch
):
    from reports import exports

    monkeypatch.setattr(exports, "PDF_PROJECT_ROWS", 0)
    client.force_login(staff)
    _response, body = export(client, filled_season, "pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())
    projects = Project.objects.filter(cohort=filled_season).count()
    left_out = f"et {projects} autre projet" if projects == 1 else f"et {projects} autres projets"
    assert text.count(left_out) == 3  # the projects, their coaching hours, their attendance
    assert "Candidatures reçues" in text  # the rest of the report is all there
    page = client.get(reverse("reports:season_report", args=[filled_season.pk])).content.decode()
    assert "dans les fichiers XLSX et CSV" not in page  # the page shows every row


# --- The export log --------------------------------------------------------------------------------


def test_every_export_is_recorded_with_who_when_which_season_and_format(client, filled_season, staff):
    client.force_login(staff)
    for export_format in ("csv", "xlsx", "pdf"):
        export(client, filled_season, export_format)
    recorded = list(ReportExport.objects.order_by("pk"))
    assert [item.format for item in recorded] == ["csv", "xlsx", "pdf"]
    assert {(item.requested_by, item.cohort) for item in recorded} == {(staff, filled_season)}
    assert all(item.requested_at and item.status == ReportExport.Status.DONE for item in recorded)
    page = client.get(reverse("reports:season_report", args=[filled_season.pk])).content.decode()
    assert "Derniers téléchargements de ce rapport" in page and "Excel (XLSX)" in page


# --- Big seasons: built by a Celery task -----------------------------------------------------------


@pytest.fixture
def big_season(settings, filled_season):
    settings.REPORT_BACKGROUND_ROWS = 10  # the small season counts as a big one
    return filled_season


def test_a_big_seasons_xlsx_is_built_in_the_background_and_downloaded_when_ready(
    client, big_season, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:season_report", args=[big_season.pk]), {"format": "xlsx"})
    recorded = ReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == recorded.get_absolute_url()
    assert recorded.in_background and recorded.status == ReportExport.Status.DONE and recorded.progress == 100
    assert recorded.file.name.startswith("rapports/")

    page = client.get(recorded.get_absolute_url())
    assert "Refresh" not in page
    download = reverse("reports:download", args=[recorded.pk])
    assert download in page.content.decode()
    response = client.get(download)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook["Synthèse"]["A1"].value.endswith("Saison 2026-2027")


def test_the_progress_page_refreshes_itself_while_the_export_waits(client, big_season, staff):
    client.force_login(staff)
    response = client.get(reverse("reports:season_report", args=[big_season.pk]), {"format": "pdf"})  # not committed
    recorded = ReportExport.objects.get()
    assert recorded.status == ReportExport.Status.PENDING
    page = client.get(response["Location"])
    assert page["Refresh"] == "3"
    assert "<progress" in page.content.decode()
    assert client.get(reverse("reports:download", args=[recorded.pk])).status_code == 404


def test_the_export_task_is_safe_to_run_twice(client, big_season, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("reports:season_report", args=[big_season.pk]), {"format": "pdf"})
    recorded = ReportExport.objects.get()
    name = recorded.file.name
    assert build_report_export.delay(recorded.pk).get() is False
    recorded.refresh_from_db()
    assert recorded.file.name == name


def test_only_the_person_who_asked_follows_and_downloads_a_background_export(
    client, big_season, staff, structure, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("reports:season_report", args=[big_season.pk]), {"format": "xlsx"})
    recorded = ReportExport.objects.get()
    for other in (StaffFactory(partner_structure=structure), StaffFactory()):
        client.force_login(other)
        assert client.get(recorded.get_absolute_url()).status_code == 404
        assert client.get(reverse("reports:download", args=[recorded.pk])).status_code == 404
    client.logout()
    assert client.get(recorded.get_absolute_url()).status_code == 302


def test_unfinished_background_exports_fail_and_old_files_are_deleted(db, settings):
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reports.models import ReportExport
    from reports.services import tidy_exports
    from tests.factories import CohortFactory, StaffFactory

    now = timezone.now()
    cohort, staff = CohortFactory(), StaffFactory()
    stuck = ReportExport.objects.create(
        cohort=cohort, requested_by=staff, format="xlsx", in_background=True, status=ReportExport.Status.RUNNING
    )
    recent = ReportExport.objects.create(
        cohort=cohort, requested_by=staff, format="pdf", in_background=True, status=ReportExport.Status.RUNNING
    )
    ReportExport.objects.filter(pk=stuck.pk).update(requested_at=now - datetime.timedelta(hours=3))
    built = ReportExport.objects.create(
        cohort=cohort, requested_by=staff, format="xlsx", in_background=True, status=ReportExport.Status.DONE
    )
    built.file.save("rapport.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    built.finished_at = now - datetime.timedelta(days=settings.REPORT_FILE_DAYS + 1)
    built.save()
    stored = built.file.name

    assert tidy_exports(now=now) == (1, 1)
    stuck.refresh_from_db(), recent.refresh_from_db(), built.refresh_from_db()
    assert stuck.status == ReportExport.Status.FAILED
    assert recent.status == ReportExport.Status.RUNNING
    assert built.file.name == "" and not built.file.storage.exists(stored)
    assert ReportExport.objects.count() == 3  # the log stays
    assert tidy_exports(now=now) == (0, 0)


# --- formulas ---------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_typed_text_that_starts_like_a_formula_comes_out_as_plain_text_in_csv_and_xlsx(
    client, filled_season, staff, start
):
    project = Project.objects.filter(cohort=filled_season).order_by("pk").first()
    project.name = start + 'HYPERLINK("http://evil.example","x")'
    project.save(update_fields=["name"])
    client.force_login(staff)

    _, body = export(client, filled_season, "csv", dataset="projets")
    names = [row[0] for row in read_csv(body)[1:]]
    assert "'" + project.name in names and project.name not in names

    _, body = export(client, filled_season, "xlsx")
    sheet = load_workbook(io.BytesIO(body))["Projets"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # XlsxWriter writes a carriage return as Excel's escape _x000D_, which Excel reads back as the character.
    ours = next(cell for cell in cells if (cell.value or "").replace("_x000D_", "\r") == "'" + project.name)
    assert ours.data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_numbers_and_dates_stay_typed_and_negative_numbers_keep_their_sign():
    assert (csv_value(-3), csv_value(Decimal("-1.5")), csv_value(-2.25)) == ("-3", "-1,5", "-2,25")
    assert csv_value(datetime.date(2026, 1, 2)) == "02/01/2026"
    assert csv_value(FORMULA) == "'" + FORMULA


# Cells a spreadsheet or a CSV reader could take for something else: formulas, separators, quotes, line breaks,
# nothing at all, letters beyond ASCII.
AWKWARD = [
    "=1+1",
    "+33 6",
    "-moins",
    "@cellule",
    "\tà la tabulation",
    "\rretour",
    "a;b",
    'dit "bonjour"',
    "deux\nlignes",
    "",
    "Zoé",
    "'déjà cité",
]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_attendance_csv_written_by_the_database_is_the_one_written_cell_by_cell(season, language):
    """The attendance's CSV comes from PostgreSQL (`Dataset.csv_cells`); byte for byte, it is what `csv_value`
    writes of the same rows."""
    days = [
        TrainingSessionFactory(cohort=season, title=title, date=datetime.date(2026, 10, 1) + datetime.timedelta(days=n))
        for n, title in enumerate(AWKWARD[:6])
    ]
    presences = [value for value, _label in Attendance.Presence.choices] + ["inconnu"]
    for n, name in enumerate(AWKWARD):
        member = ProjectMemberFactory(project=ProjectFactory(cohort=season, name=AWKWARD[-n - 1]), name=name)
        for m, day in enumerate(days):
            AttendanceFactory(
                session=day,
                member=member,
                response=[value for value, _label in Attendance.Response.choices][(n + m) % 3] if m else "=autre",
                morning=presences[(n + m) % len(presences)],
                afternoon=presences[(n + 2 * m) % len(presences)],
            )
    dataset = datasets.attendance(season)
    assert dataset.csv_cells is not None
    cell_by_cell = dataclasses.replace(dataset, csv_cells=None)
    with translation.override(language):
        written = b"".join(reports.stream_csv(dataset))
        assert written == b"".join(reports.stream_csv(cell_by_cell))
    rows = read_csv(written)
    assert len(rows) == 1 + len(AWKWARD) * len(days)
    assert {row[3] for row in rows[1:]} == {
        "'=1+1",
        "'+33 6",
        "'-moins",
        "'@cellule",
        "'\tà la tabulation",
        "'\rretour",
    } | set(AWKWARD[6:])

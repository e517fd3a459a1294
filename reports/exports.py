"""The season report as files: CSV (a zip of one file per dataset), XLSX and PDF; and the export log.

CSV is streamed row by row; XLSX is written by XlsxWriter's constant-memory mode (rows go to temporary
files, never all in memory) into a temporary file that is then streamed; PDF holds the figures and bounded
tables only. A big season's XLSX or PDF is built by a Celery task (`build_report_export`, below)
into a file stored through the storage API, and the person follows it on a progress page.
"""

import csv
import datetime
import io
import itertools
import logging
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from operator import call

import xlsxwriter
from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from incubator.periodic import periodic

from . import datasets as ds
from .charts import format_value, report_charts
from .figures import SeasonReport, first_projects, season_report
from .models import ReportExport

logger = logging.getLogger(__name__)

Format = ReportExport.Format
BOM = "\ufeff"
# CSV text is handed over this many rows at a time: a few hundred kilobytes at most.
CSV_ROWS_PER_CHUNK = 2000


def background_threshold() -> int:
    """Above this many rows (candidacies + attendance + meetings), an XLSX or PDF is built in the background."""
    return settings.REPORT_BACKGROUND_ROWS


def cohort_for_report(queryset):
    """What `season_report` reads from the season itself, fetched with it."""
    return queryset.select_related("programme").prefetch_related("territories", "programme__partners")


def file_name(cohort: Cohort, extension: str, dataset: str = "") -> str:
    parts = ["rapport", slugify(cohort.programme.name), slugify(cohort.name), dataset]
    return "-".join(part for part in parts if part) + f".{extension}"


# Text a spreadsheet would run as a formula starts with one of these; `neutralised` quotes it.
FORMULA_STARTS = ds.FORMULA_STARTS
neutralised = ds.neutralised


# --- CSV ---------------------------------------------------------------------------------------------


def csv_value(value) -> str:
    """A cell the way French Excel reads it: dd/mm/yyyy dates, decimal comma, Oui/Non."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        value = round(value, 2)
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return neutralised(str(value))


def text_first(convert: Callable) -> Callable:
    """`convert` for a text column: a string is only kept from reading as a formula; anything else is converted."""

    def converted(value):
        if value.__class__ is str:
            return "'" + value if value.startswith(FORMULA_STARTS) else value
        return convert(value)

    return converted


def csv_converter(kind: str) -> Callable:
    """`csv_value` for one column: the value its kind announces takes a short path, anything else the long one."""
    if kind == ds.TEXT:
        convert = text_first(csv_value)
    elif kind == ds.DATE:

        def convert(value):
            if value.__class__ is datetime.date:
                return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
            return csv_value(value)

    elif kind == ds.INTEGER:

        def convert(value):
            return str(value) if value.__class__ is int else csv_value(value)

    else:
        convert = csv_value
    return convert


def _csv_lines(writer, buffer: io.StringIO, rows: Iterator) -> Iterator[bytes]:
    """Rows of cells through the csv writer, `CSV_ROWS_PER_CHUNK` at a time."""
    while True:
        chunk = list(itertools.islice(rows, CSV_ROWS_PER_CHUNK))
        writer.writerows(chunk)
        if len(chunk) < CSV_ROWS_PER_CHUNK:
            break
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()


COPY_CSV = (
    "COPY (SELECT {cells} FROM ({rows}) AS dataset_rows ORDER BY {order}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')"
)


def _crlf(lines: list[bytes]) -> bytes:
    """Lines as COPY ends them (a line feed) ended as the csv writer ends them (CRLF)."""
    text = b"".join(lines)
    if text.count(b"\n") == len(lines):  # no cell holds a line feed: each one ends a line
        return text.replace(b"\n", b"\r\n")
    return b"".join(bytes(line[:-1]) + b"\r\n" for line in lines)


def _copied_lines(cells: ds.CsvCells) -> Iterator[bytes]:
    """A dataset's cells as CSV lines written by PostgreSQL's COPY, `CSV_ROWS_PER_CHUNK` at a time.

    The cells are written over the sorted rows, so that the sort handles the narrow raw values (PostgreSQL reads
    the order off the subquery: it does not sort twice). COPY quotes exactly as Python's csv writer does here (a
    cell holding `;`, `"`, a carriage return or a line feed, quotes doubled) and writes NULL as nothing; it ends
    each line with a line feed, and each block it sends is one line (libpq's rule).
    """
    rows, row_params = cells.rows.query.sql_with_params()
    statement = COPY_CSV.format(
        cells=", ".join(sql for sql, _params in cells.cells),
        rows=rows,
        order=", ".join(connection.ops.quote_name(name) for name in cells.order),
    )
    params = [param for _sql, cell_params in cells.cells for param in cell_params] + list(row_params)
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        lines = []
        for line in copy:
            lines.append(line)
            if len(lines) == CSV_ROWS_PER_CHUNK:
                yield _crlf(lines)
                lines.clear()
        if lines:
            yield _crlf(lines)


def csv_chunks(dataset: ds.Dataset) -> Iterator[bytes]:
    """The dataset as UTF-8 CSV, header first, `CSV_ROWS_PER_CHUNK` rows at a time (the BOM added by callers).

    Its cells are PostgreSQL's when the dataset has them written there (`Dataset.csv_cells`), else `csv_value`'s.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column.title) for column in dataset.columns])
    if dataset.csv_cells is not None and connection.vendor == "postgresql":
        yield buffer.getvalue().encode()
        yield from _copied_lines(dataset.csv_cells())
        return
    converters = [csv_converter(column.kind) for column in dataset.columns]
    rows = ([convert(value) for convert, value in zip(converters, row, strict=True)] for row in dataset.rows())
    yield from _csv_lines(writer, buffer, rows)


def stream_csv(dataset: ds.Dataset) -> Iterator[bytes]:
    yield BOM.encode()
    yield from csv_chunks(dataset)


class _Pipe:
    """An unseekable output for zipfile: what it writes is drained and sent as it comes."""

    def __init__(self):
        self.chunks = []

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def stream_csv_zip(datasets: Iterable[ds.Dataset]) -> Iterator[bytes]:
    """A zip of one CSV per dataset, produced while the rows are read: memory stays flat."""
    pipe = _Pipe()
    now = timezone.localtime().timetuple()[:6]
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for dataset in datasets:
            info = zipfile.ZipInfo(f"{dataset.key}.csv", date_time=now)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as entry:
                entry.write(BOM.encode())
                for chunk in csv_chunks(dataset):
                    entry.write(chunk)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()


# --- XLSX --------------------------------------------------------------------------------------------

XLSX_FORMATS = {
    ds.DATE: "DD/MM/YYYY",
    ds.INTEGER: "0",
    ds.DECIMAL: "0.0",
    ds.HOURS: "0.0",
    ds.PERCENT: "0.0",
    ds.EUROS: '#,##0.00 "€"',
}


def _sheet_title(title: str) -> str:
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return title[:31]


def _workbook(target):
    """A constant-memory workbook; text is always written as text (never a formula nor a link: see `neutralised`)."""
    options = {"constant_memory": True, "remove_timezone": True, "strings_to_formulas": False, "strings_to_urls": False}
    return xlsxwriter.Workbook(target, options)


def xlsx_value(value):
    """What `cell` writes of a value: yes/no in words, decimals to two places, numbers and dates typed, the
    rest as text that no spreadsheet runs."""
    if value is None or value.__class__ in (int, Decimal, datetime.date):
        return value
    if isinstance(value, bool):
        return neutralised(str(_("Oui") if value else _("Non")))
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, int | Decimal | datetime.date):
        return value
    return neutralised(str(value))


def xlsx_converter(kind: str) -> Callable:
    """`xlsx_value` for one column: the value its kind announces takes a short path, anything else the long one."""
    return text_first(xlsx_value) if kind == ds.TEXT else xlsx_value


def _cell_writers(workbook):
    """`cell(sheet, row, column, value, kind, font)`, `line(sheet, row, values, kind, font)` and
    `style(kind, font)` (the format of a kind of cell) for a workbook."""
    formats = {}

    def style(kind, font):
        key = (kind, font)
        if key not in formats:
            properties = {"num_format": XLSX_FORMATS[kind]} if kind in XLSX_FORMATS else {}
            if font == "bold":
                properties["bold"] = True
            elif font == "title":
                properties.update(bold=True, font_size=14)
            formats[key] = workbook.add_format(properties) if properties else None
        return formats[key]

    def cell(sheet, row, column, value, kind=ds.TEXT, font=None):
        """Write one value (`xlsx_value`), in the format of its kind when it is a number or a date."""
        value = xlsx_value(value)
        typed = kind if value is not None and not isinstance(value, str) else ds.TEXT
        if value is None:
            sheet.write_blank(row, column, None, style(ds.TEXT, font))
        elif isinstance(value, str):
            sheet.write_string(row, column, value, style(ds.TEXT, font))  # never a formula
        else:
            sheet.write(row, column, value, style(typed, font))

    def line(sheet, row, values, kind=ds.TEXT, font=None):
        for column, value in enumerate(values):
            cell(sheet, row, column, value, kind, font)

    return cell, line, style


# The values every converter gives back unchanged, whatever the column's kind — text only when it does not start
# like a formula: a row made of these alone is written as it comes, checked by `map` rather than value by value.
_AS_IS = frozenset({str, int, Decimal, datetime.date, type(None)})
_is_text = str.__instancecheck__


def _dataset_sheet(workbook, dataset: ds.Dataset, cell, line, style, *, title: str = ""):
    """One sheet for a dataset: a title line if given, its header, frozen, then typed rows as they come, filtered.

    Each column carries the format of its kind, which its cells without one of their own take: a row goes in
    with one `write_row`. Rows are written top to bottom only: constant-memory mode has already flushed any row
    above the current one.
    """
    sheet = workbook.add_worksheet(_sheet_title(str(dataset.title)))
    for index, column in enumerate(dataset.columns):
        sheet.set_column(index, index, column.width, style(column.kind, None))
    first_row = 0
    if title:
        cell(sheet, 0, 0, title, font="title")
        first_row = 2
    sheet.freeze_panes(first_row + 1, 0)
    line(sheet, first_row, [str(column.title) for column in dataset.columns], font="bold")
    converters = [xlsx_converter(column.kind) for column in dataset.columns]
    width = len(converters)
    write_row = sheet.write_row
    count = first_row
    for count, values in enumerate(dataset.rows(), start=first_row + 1):  # noqa: B007 — read after the loop
        if len(values) != width:
            raise ValueError(f"A row of {len(values)} values for {width} columns in {dataset.key!r}")
        if _AS_IS.issuperset(map(type, values)) and not any(
            map(str.startswith, filter(_is_text, values), itertools.repeat(FORMULA_STARTS))
        ):
            write_row(count, 0, values)  # what every converter would give back unchanged
        else:
            write_row(count, 0, list(map(call, converters, values)))
    sheet.autofilter(first_row, 0, count, len(dataset.columns) - 1)
    return sheet


def write_xlsx(report: SeasonReport, datasets: list[ds.Dataset], target, progress: Callable | None = None):
    """The summary sheet, then one sheet per dataset, written row by row into `target` (a path or file).

    XlsxWriter's constant-memory mode flushes each row to a temporary file once the next one starts, so the
    memory used does not grow with the season.
    """

    workbook = _workbook(target)
    cell, line, style = _cell_writers(workbook)

    cohort = report.cohort
    summary = workbook.add_worksheet(_sheet_title(_("Synthèse")))
    summary.set_column(0, 0, 52)
    summary.set_column(1, 7, 16)
    cell(summary, 0, 0, f"{cohort.programme.name} — {cohort.name}", font="title")
    line(summary, 1, [_("Structures partenaires"), ", ".join(partner.name for partner in report.partners)])
    line(summary, 2, [_("Territoires"), ", ".join(str(territory) for territory in report.territories)])
    cell(summary, 3, 0, _("Début de la saison"))
    cell(summary, 3, 1, cohort.start_date, ds.DATE)
    cell(summary, 3, 2, _("Fin"))
    cell(summary, 3, 3, cohort.end_date, ds.DATE)
    line(summary, 5, [_("Chiffres clés"), _("Valeur")], font="bold")
    row = 6
    for figure in report.key_figures:
        cell(summary, row, 0, str(figure.label))
        cell(summary, row, 1, figure.value, figure.kind)
        row += 1
    row += 1
    line(summary, row, [_("Saison après saison")] + [season.name for season in report.seasons], font="bold")
    for trend in report.trend:
        row += 1
        cell(summary, row, 0, str(trend.label))
        for column, value in enumerate(trend.values, start=1):
            cell(summary, row, column, value, trend.kind)
    row += 2
    headers = [_("Les projets dans le temps"), _("Projets interrogés"), _("Réponses"), _("Taux de réponse (%)")]
    line(
        summary,
        row,
        [*headers, _("Projets en activité"), _("Emplois (ETP)"), _("Bénévoles"), _("Fonds obtenus (€)")],
        font="bold",
    )
    for follow_up in report.follow_up:
        row += 1
        cell(summary, row, 0, str(follow_up.label))
        if not follow_up.asked:
            cell(summary, row, 1, _("Pas encore demandé."))
            continue
        for column, (value, kind) in enumerate(
            [
                (follow_up.asked, ds.INTEGER),
                (follow_up.answered, ds.INTEGER),
                (follow_up.answer_rate, ds.PERCENT),
                (follow_up.running, ds.INTEGER),
                (follow_up.jobs, ds.DECIMAL),
                (follow_up.volunteers, ds.INTEGER),
                (follow_up.funds, ds.EUROS),
            ],
            start=1,
        ):
            cell(summary, row, column, value, kind)

    for position, dataset in enumerate(datasets, start=1):
        _dataset_sheet(workbook, dataset, cell, line, style)
        if progress:
            progress(round(90 * position / len(datasets)))
    workbook.close()


def write_table_xlsx(title: str, dataset: ds.Dataset, target):
    """A workbook of one sheet: a title line, then the dataset as the season report's sheets show theirs."""
    workbook = _workbook(target)
    cell, line, style = _cell_writers(workbook)
    _dataset_sheet(workbook, dataset, cell, line, style, title=title)
    workbook.close()


# --- PDF ---------------------------------------------------------------------------------------------


def _css_string(text: str) -> str:
    """Text as a CSS string, safe inside a <style> element."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ") + '"'


# The PDF's tables of one row per project stop after this many rows, with a line saying how many are left out:
# the document (and the memory to lay it out) stays the same size however big the season; the XLSX and the CSV
# hold every row.
PDF_PROJECT_ROWS = 30


def bounded_for_pdf(report: SeasonReport, limit: int | None = None) -> SeasonReport:
    """The report with its per-project tables cut at `limit` rows (`PDF_PROJECT_ROWS`); totals and figures are
    those of every row."""
    return first_projects(report, PDF_PROJECT_ROWS if limit is None else limit)


def render_pdf(report: SeasonReport) -> bytes:
    """The funder's document: WeasyPrint with local files only, never the network. Its per-project tables are
    bounded (`bounded_for_pdf`), and so is the chart of hours per project drawn from the first of them."""
    import weasyprint  # loads Pango: only when a PDF is asked for

    cohort = report.cohort
    report = bounded_for_pdf(report)
    html = render_to_string(
        "reports/season_report_pdf.html",
        {
            "report": report,
            "cohort": cohort,
            "charts": report_charts(report),
            "page_counter": _css_string(_("Page %(page)s sur %(pages)s"))
            .replace("%(page)s", '" counter(page) "')
            .replace("%(pages)s", '" counter(pages) "'),
            "page_footer": _css_string(f"{cohort.programme.name} — {cohort.name}"),
            "generated_on": timezone.localdate(),
        },
    )
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)
    return weasyprint.HTML(string=html, base_url=str(settings.STATICFILES_DIRS[0]), url_fetcher=fetcher).write_pdf()


# --- The export log and its jobs ---------------------------------------------------------------------


def runs_in_background(cohort: Cohort, export_format: str) -> bool:
    """CSV always streams; XLSX and PDF of a big season are built by a worker."""
    return export_format != Format.CSV and ds.estimated_rows(cohort) > background_threshold()


@transaction.atomic
def request_export(*, cohort: Cohort, user, export_format: str, dataset: str = "") -> ReportExport:
    """Record who exports which season in which format, and start a background build when it is big.

    A streamed export is recorded as done when it starts; a background one is pending until its task
    runs. If the broker is down the export simply stays pending: nothing the person asked is lost.
    """
    background = runs_in_background(cohort, export_format)
    export = ReportExport.objects.create(
        cohort=cohort,
        requested_by=user,
        format=export_format,
        dataset=dataset,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        in_background=background,
        status=ReportExport.Status.PENDING if background else ReportExport.Status.DONE,
        progress=0 if background else 100,
        finished_at=None if background else timezone.now(),
    )
    if background:
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int):
    try:
        build_report_export.delay(export_id)
    except Exception:  # the broker is unreachable: the export stays pending and can be asked again
        logger.exception("Could not enqueue the report export %s", export_id)


def _set_progress(export_id: int, percent: int):
    ReportExport.objects.filter(pk=export_id).update(progress=min(percent, 100))


def write_export(export: ReportExport, target, progress: Callable | None = None):
    """Write an export's file (XLSX or PDF) into an open binary file."""
    cohort = cohort_for_report(Cohort.objects.filter(pk=export.cohort_id)).get()
    report = season_report(cohort)
    if progress:
        progress(5)
    if export.format == Format.XLSX:
        write_xlsx(report, ds.all_datasets(cohort), target, progress=progress)
    elif export.format == Format.PDF:
        target.write(render_pdf(report))
    else:
        for chunk in stream_csv_zip(ds.all_datasets(cohort)):
            target.write(chunk)


def build_export_file(export_id: int) -> ReportExport | None:
    """The background job: build the file into the storage, updating progress. Safe to run twice."""
    claimed = ReportExport.objects.filter(pk=export_id, status=ReportExport.Status.PENDING).update(
        status=ReportExport.Status.RUNNING, progress=1
    )
    if not claimed:  # already built, being built, or gone
        return None
    export = ReportExport.objects.select_related("cohort__programme").get(pk=export_id)
    extension = "zip" if export.format == Format.CSV else export.format
    try:
        with translation.override(export.language), tempfile.TemporaryFile() as target:
            write_export(export, target, progress=lambda percent: _set_progress(export_id, percent))
            target.seek(0)
            export.file.save(file_name(export.cohort, extension), File(target), save=False)
    except Exception:
        logger.exception("The report export %s failed", export_id)
        ReportExport.objects.filter(pk=export_id).update(status=ReportExport.Status.FAILED, finished_at=timezone.now())
        return None
    export.status, export.progress, export.finished_at = ReportExport.Status.DONE, 100, timezone.now()
    export.save(update_fields=["file", "status", "progress", "finished_at"])
    return export


def tidy_exports(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Nightly: a background export nobody finished (its worker died) is marked failed, so its page says
    so; the files built more than REPORT_FILE_DAYS ago are deleted (they hold personal data), the log stays.
    Returns (marked failed, files deleted)."""
    now = now or timezone.now()
    failed = ReportExport.objects.filter(
        in_background=True,
        status__in=[ReportExport.Status.PENDING, ReportExport.Status.RUNNING],
        requested_at__lt=now - datetime.timedelta(hours=settings.REPORT_STALE_HOURS),
    ).update(status=ReportExport.Status.FAILED, finished_at=now)
    deleted = 0
    old_files = ReportExport.objects.filter(finished_at__lt=now - datetime.timedelta(days=settings.REPORT_FILE_DAYS))
    for export in old_files.exclude(file=""):
        export.file.delete(save=False)
        export.save(update_fields=["file"])
        deleted += 1
    return failed, deleted


__all__ = [
    "build_export_file",
    "tidy_exports",
    "cohort_for_report",
    "csv_value",
    "file_name",
    "format_value",
    "render_pdf",
    "request_export",
    "runs_in_background",
    "stream_csv",
    "stream_csv_zip",
    "write_table_xlsx",
    "write_xlsx",
]


# --- The tasks: beside the service that enqueues them ------------------------------------------------


@shared_task
@periodic
def tidy_report_exports() -> None:
    failed, deleted = tidy_exports()
    logger.info("Report exports: %s marked failed, %s old files deleted", failed, deleted)


@shared_task(acks_late=True)
def build_report_export(export_id: int) -> bool:
    """Build a big season's report file into the storage. Safe to run twice: a built export is not redone."""
    export = build_export_file(export_id)
    logger.info("Report export %s: %s", export_id, "built" if export else "nothing to do")
    return export is not None

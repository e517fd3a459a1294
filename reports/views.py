"""Staff: a season's page with its figures, the season report, and its files."""

import tempfile

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from cohorts.models import Cohort
from incubator.access import StaffRequiredMixin
from projects.services import candidacy_figures

from . import services
from .models import ReportExport


class SeasonView(StaffRequiredMixin, DetailView):
    """A season's page for staff: its settings, its links, and its candidacies season after season."""

    template_name = "reports/season_detail.html"
    context_object_name = "cohort"

    def get_queryset(self):
        return (
            Cohort.objects.for_user(self.request.user)
            .select_related("programme")
            .prefetch_related("territories", "programme__partners")
        )

    def get_context_data(self, **kwargs):
        cohort = self.object
        # This season and the programme's earlier ones, most recent first: the partners watch the trend.
        seasons = Cohort.objects.filter(
            Q(pk=cohort.pk) | Q(programme=cohort.programme_id, start_date__lt=cohort.start_date)
        ).order_by("-start_date", "name")
        return super().get_context_data(figures=candidacy_figures(seasons), **kwargs)


def _attachment(response, filename):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def export_response(cohort: Cohort, export: ReportExport):
    """The file of an export made while the person waits: CSV streams, XLSX goes through a temporary file."""
    Format = ReportExport.Format
    if export.format == Format.CSV and export.dataset:
        dataset = services.DATASETS[export.dataset](cohort)
        response = StreamingHttpResponse(services.stream_csv(dataset), content_type="text/csv; charset=utf-8")
        return _attachment(response, services.file_name(cohort, "csv", export.dataset))
    if export.format == Format.CSV:
        response = StreamingHttpResponse(
            services.stream_csv_zip(services.all_datasets(cohort)), content_type="application/zip"
        )
        return _attachment(response, services.file_name(cohort, "zip"))
    report = services.season_report(cohort)
    if export.format == Format.XLSX:
        target = tempfile.TemporaryFile()  # closed by FileResponse once sent
        services.write_xlsx(report, services.all_datasets(cohort), target)
        target.seek(0)
        return FileResponse(
            target,
            as_attachment=True,
            filename=services.file_name(cohort, "xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return _attachment(
        HttpResponse(services.render_pdf(report), content_type="application/pdf"), services.file_name(cohort, "pdf")
    )


class SeasonReportView(StaffRequiredMixin, DetailView):
    """A season's report on screen, and as CSV, XLSX or PDF with `?format=`; every download is recorded."""

    template_name = "reports/season_report.html"
    context_object_name = "cohort"

    def get_queryset(self):
        return services.cohort_for_report(Cohort.objects.for_user(self.request.user))

    def get(self, request, *args, **kwargs):
        self.object = cohort = self.get_object()
        export_format = request.GET.get("format")
        if export_format is None:
            return self.render_to_response(self.get_context_data())
        dataset = request.GET.get("dataset", "")
        if export_format not in ReportExport.Format.values or (
            dataset and (export_format != ReportExport.Format.CSV or dataset not in services.DATASETS)
        ):
            messages.error(request, _("Ce format n'existe pas : choisissez CSV, XLSX ou PDF."))
            return redirect("reports:season_report", pk=cohort.pk)
        export = services.request_export(cohort=cohort, user=request.user, export_format=export_format, dataset=dataset)
        if export.in_background:
            return redirect(export)
        return export_response(cohort, export)

    def get_context_data(self, **kwargs):
        # The staff's own page: with what participants wrote after each day (never in the files for funders).
        report = services.season_report(self.object, with_comments=True)
        exports = self.object.exports.select_related("requested_by")[:10]
        return super().get_context_data(
            report=report,
            charts=services.report_charts(report),
            exports=exports,
            datasets=services.all_datasets(self.object),
            **kwargs,
        )


class ReportExportView(StaffRequiredMixin, DetailView):
    """A background export's progress, then its download link; the page refreshes itself until then."""

    template_name = "reports/report_export.html"
    context_object_name = "export"

    def get_queryset(self):
        return ReportExport.objects.for_user(self.request.user).select_related("cohort__programme")

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_finished:
            # Browsers reload on this header by themselves: the page follows the job without JavaScript.
            response["Refresh"] = "3"
        return response


class ReportDownloadView(StaffRequiredMixin, View):
    """The file a background export built, read from the storage by whoever asked for it."""

    def get(self, request, pk):
        exports = ReportExport.objects.for_user(request.user).filter(status=ReportExport.Status.DONE).exclude(file="")
        export = get_object_or_404(exports.select_related("cohort__programme"), pk=pk)
        extension = "zip" if export.format == ReportExport.Format.CSV else export.format
        return FileResponse(
            export.file.open("rb"), as_attachment=True, filename=services.file_name(export.cohort, extension)
        )


class NetworkView(StaffRequiredMixin, TemplateView):
    """Every programme and season of the person's structure side by side, and as CSV or XLSX with `?format=`.

    Which programmes: those of `Programme.objects.for_user` (the structure's own; every one for a superuser).
    The files hold figures per season only, no personal data: they are not logged like the season reports.
    """

    template_name = "reports/network.html"
    formats = {ReportExport.Format.CSV, ReportExport.Format.XLSX}

    def get(self, request, *args, **kwargs):
        figures = services.network(request.user)
        export_format = request.GET.get("format")
        if export_format is None:
            return self.render_to_response(
                self.get_context_data(network=figures, charts=services.network_charts(figures))
            )
        if export_format not in self.formats:
            messages.error(request, _("Ce format n'existe pas : choisissez CSV ou XLSX."))
            return redirect("cohorts:network")
        name = "-".join(part for part in ["reseau", slugify(figures.structure or "")] if part)
        dataset = services.network_dataset(figures)
        if export_format == ReportExport.Format.CSV:
            response = StreamingHttpResponse(services.stream_csv(dataset), content_type="text/csv; charset=utf-8")
            return _attachment(response, f"{name}.csv")
        target = tempfile.TemporaryFile()  # closed by FileResponse once sent
        title = _("Le réseau en un coup d'œil — %(structure)s") % {
            "structure": figures.structure or _("tous les programmes")
        }
        services.write_table_xlsx(str(title), dataset, target)
        target.seek(0)
        return FileResponse(
            target,
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

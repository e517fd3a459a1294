import tempfile

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from incubator.access import StaffRequiredMixin

from . import reports
from .forms import CohortForm, ProgrammeForm
from .models import Cohort, Programme, ReportExport


class CallView(DetailView):
    """Public: a season's call for applications, what it asks and what it brings."""

    template_name = "cohorts/call_detail.html"
    context_object_name = "cohort"
    queryset = Cohort.objects.select_related("programme").prefetch_related("territories", "programme__partners")

    def get_context_data(self, **kwargs):
        from projects.models import Criterion

        cohort = self.object
        next_call = None
        if not cohort.call_is_open():
            next_call = Cohort.objects.filter(programme=cohort.programme).call_upcoming().first()
        return super().get_context_data(criteria=Criterion.labels, next_call=next_call, **kwargs)


class ProgrammeListView(StaffRequiredMixin, ListView):
    """The staff's home: their programmes, each with its seasons."""

    template_name = "cohorts/cohort_list.html"
    context_object_name = "programmes"

    def get_queryset(self):
        return Programme.objects.for_user(self.request.user).prefetch_related(
            "partners",
            Prefetch("cohorts", queryset=Cohort.objects.prefetch_related("territories")),
        )


class UserFormMixin:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        messages.success(self.request, self.success_message)
        return super().form_valid(form)


class ProgrammeCreateView(StaffRequiredMixin, UserFormMixin, CreateView):
    model = Programme
    form_class = ProgrammeForm
    template_name = "cohorts/programme_form.html"
    success_message = _("Le programme a été créé.")

    def get_initial(self):
        structure = self.request.user.partner_structure
        return {"partners": [structure]} if structure else {}

    success_url = reverse_lazy("cohorts:cohort_list")


class ProgrammeUpdateView(StaffRequiredMixin, UserFormMixin, UpdateView):
    form_class = ProgrammeForm
    template_name = "cohorts/programme_form.html"
    success_message = _("Le programme a été enregistré.")

    def get_queryset(self):
        return Programme.objects.for_user(self.request.user)

    success_url = reverse_lazy("cohorts:cohort_list")


class CohortDetailView(StaffRequiredMixin, DetailView):
    template_name = "cohorts/cohort_detail.html"
    context_object_name = "cohort"

    def get_queryset(self):
        return (
            Cohort.objects.for_user(self.request.user)
            .select_related("programme")
            .prefetch_related("territories", "programme__partners")
        )

    def get_context_data(self, **kwargs):
        from projects.services import candidacy_figures

        cohort = self.object
        # This season and the programme's earlier ones, most recent first: the partners watch the trend.
        seasons = Cohort.objects.filter(
            Q(pk=cohort.pk) | Q(programme=cohort.programme_id, start_date__lt=cohort.start_date)
        ).order_by("-start_date", "name")
        return super().get_context_data(figures=candidacy_figures(seasons), **kwargs)


class CohortCreateView(StaffRequiredMixin, UserFormMixin, CreateView):
    form_class = CohortForm
    template_name = "cohorts/cohort_form.html"
    success_message = _("La saison a été créée.")

    def get_initial(self):
        # "New season" links from a programme pre-select it.
        return {"programme": self.request.GET.get("programme")}


class CohortUpdateView(StaffRequiredMixin, UserFormMixin, UpdateView):
    form_class = CohortForm
    template_name = "cohorts/cohort_form.html"
    success_message = _("La saison a été enregistrée.")

    def get_queryset(self):
        return Cohort.objects.for_user(self.request.user)


def _attachment(response, filename):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def export_response(cohort: Cohort, export: ReportExport):
    """The file of an export made while the person waits: CSV streams, XLSX goes through a temporary file."""
    Format = ReportExport.Format
    if export.format == Format.CSV and export.dataset:
        dataset = reports.DATASETS[export.dataset](cohort)
        response = StreamingHttpResponse(reports.stream_csv(dataset), content_type="text/csv; charset=utf-8")
        return _attachment(response, reports.file_name(cohort, "csv", export.dataset))
    if export.format == Format.CSV:
        response = StreamingHttpResponse(
            reports.stream_csv_zip(reports.all_datasets(cohort)), content_type="application/zip"
        )
        return _attachment(response, reports.file_name(cohort, "zip"))
    report = reports.season_report(cohort)
    if export.format == Format.XLSX:
        target = tempfile.TemporaryFile()  # closed by FileResponse once sent
        reports.write_xlsx(report, reports.all_datasets(cohort), target)
        target.seek(0)
        return FileResponse(
            target,
            as_attachment=True,
            filename=reports.file_name(cohort, "xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return _attachment(
        HttpResponse(reports.render_pdf(report), content_type="application/pdf"), reports.file_name(cohort, "pdf")
    )


class SeasonReportView(StaffRequiredMixin, DetailView):
    """A season's report on screen, and as CSV, XLSX or PDF with `?format=`; every download is recorded."""

    template_name = "cohorts/season_report.html"
    context_object_name = "cohort"

    def get_queryset(self):
        return reports.cohort_for_report(Cohort.objects.for_user(self.request.user))

    def get(self, request, *args, **kwargs):
        self.object = cohort = self.get_object()
        export_format = request.GET.get("format")
        if export_format is None:
            return self.render_to_response(self.get_context_data())
        dataset = request.GET.get("dataset", "")
        if export_format not in ReportExport.Format.values or (
            dataset and (export_format != ReportExport.Format.CSV or dataset not in reports.DATASETS)
        ):
            messages.error(request, _("Ce format n'existe pas : choisissez CSV, XLSX ou PDF."))
            return redirect("cohorts:season_report", pk=cohort.pk)
        export = reports.request_export(cohort=cohort, user=request.user, export_format=export_format, dataset=dataset)
        if export.in_background:
            return redirect(export)
        return export_response(cohort, export)

    def get_context_data(self, **kwargs):
        report = reports.season_report(self.object)
        exports = self.object.exports.select_related("requested_by")[:10]
        return super().get_context_data(
            report=report,
            charts=reports.report_charts(report),
            exports=exports,
            datasets=reports.all_datasets(self.object),
            **kwargs,
        )


class ReportExportView(StaffRequiredMixin, DetailView):
    """A background export's progress, then its download link; the page refreshes itself until then."""

    template_name = "cohorts/report_export.html"
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
            export.file.open("rb"), as_attachment=True, filename=reports.file_name(export.cohort, extension)
        )

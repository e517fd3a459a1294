"""Staff: a season's page with its figures, the season report, its files, and its links for funders; the
funders' own page behind such a link."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, TemplateView

from cohorts.models import Cohort
from incubator.access import StaffRequiredMixin
from projects.services import candidacy_figures

from . import services
from .forms import ReportShareForm
from .models import ReportExport, ReportShare, ReportShareVisit


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


# The report's pages show the first rows of their tables of one row per project, as the PDF does, and a link to
# every row: a big season's page stays readable, and its size does not grow with the projects.
PAGE_PROJECT_ROWS = 30
EVERY_PROJECT_URL = "?projets=tous"


def shown_projects(request) -> dict:
    """How many projects the page's tables show: the first `PAGE_PROJECT_ROWS` with a link to every one, or every
    one when asked (`?projets=tous`)."""
    if request.GET.get("projets") == "tous":
        return {"limit": None}
    return {"limit": PAGE_PROJECT_ROWS, "every_project_url": EVERY_PROJECT_URL}


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
        sections = services.report_sections(self.object, with_comments=True, **shown_projects(self.request))
        exports = self.object.exports.select_related("requested_by")[:10]
        return super().get_context_data(
            sections=sections,
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


# --- Links for funders ---------------------------------------------------------------------------------


class ReportSharesView(StaffRequiredMixin, View):
    """Staff of the season's programme: its links for funders, how often each was opened, a new one, a revocation.

    A new link and a revocation are posts to this page; it shows the result, or the form with what was typed.
    """

    template_name = "reports/report_share.html"

    def get_cohort(self):
        return get_object_or_404(
            Cohort.objects.for_user(self.request.user).select_related("programme"), pk=self.kwargs["pk"]
        )

    def get(self, request, pk):
        cohort = self.get_cohort()
        return self.render(cohort, ReportShareForm())

    def post(self, request, pk):
        cohort = self.get_cohort()
        if "revoke" in request.POST:
            shares = ReportShare.objects.for_user(request.user).filter(cohort=cohort)
            share = get_object_or_404(shares, pk=request.POST.get("revoke") or None)
            if services.revoke_share(share=share):
                messages.success(request, _("Le lien pour « %(label)s » ne fonctionne plus.") % {"label": share.label})
            else:
                messages.info(request, _("Ce lien était déjà révoqué."))
            return redirect("cohorts:report_share", pk=cohort.pk)
        form = ReportShareForm(request.POST)
        if not form.is_valid():
            return self.render(cohort, form)
        share = services.create_share(
            cohort=cohort,
            label=form.cleaned_data["label"],
            expires_on=form.cleaned_data["expires_on"],
            user=request.user,
        )
        messages.success(
            request,
            _("Le lien pour « %(label)s » est prêt : copiez-le ci-dessous et envoyez-le.") % {"label": share.label},
        )
        return redirect("cohorts:report_share", pk=cohort.pk)

    def render(self, cohort, form):
        shares = list(cohort.shares.with_views().select_related("created_by").order_by("-created_at", "-pk"))
        today = timezone.localdate()
        for share in shares:
            share.link = self.request.build_absolute_uri(services.share_url(share)) if share.is_valid(today) else ""
        context = {"cohort": cohort, "form": form, "shares": shares, "max_days": settings.REPORT_SHARE_MAX_DAYS}
        return render(self.request, self.template_name, context)


SHARE_FORMATS = {ReportShareVisit.What.PDF, ReportShareVisit.What.XLSX, ReportShareVisit.What.CSV}


def _private(response):
    """Search engines leave the page out, and no link on it tells another site its address."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_safe
def shared_report(request, token):
    """A season's report for a funder, behind its link: the page, or its PDF, XLSX or CSV with `?format=`."""
    if services.too_many_views(request):
        return _private(render(request, "reports/share_too_many.html", status=429))
    share = services.share_from_token(token)
    if share is None:
        return _private(render(request, "reports/share_invalid.html", status=404))
    cohort = share.cohort
    export_format = request.GET.get("format")
    if export_format is None:
        services.record_view(request, share=share, what=ReportShareVisit.What.PAGE)
        context = {
            "share": share,
            "cohort": cohort,
            # Without what participants wrote.
            "sections": services.report_sections(cohort, with_comments=False, **shown_projects(request)),
            "token": token,
        }
        return _private(render(request, "reports/shared_report.html", context))
    if export_format not in SHARE_FORMATS:
        return _private(redirect("reports:shared_report", token=token))
    services.record_view(request, share=share, what=export_format)
    made = services.funder_file(cohort, export_format)
    filename = services.file_name(cohort, made.extension)
    if isinstance(made.content, bytes):
        response = _attachment(HttpResponse(made.content, content_type=made.content_type), filename)
    elif hasattr(made.content, "read"):
        response = FileResponse(made.content, as_attachment=True, filename=filename, content_type=made.content_type)
    else:
        response = _attachment(StreamingHttpResponse(made.content, content_type=made.content_type), filename)
    return _private(response)

"""Staff bring a programme's past seasons in from a spreadsheet: a dry run, then the import, all or nothing.

The programme is fetched through `Programme.objects.for_user`: another programme's staff get a 404; coaches a 403.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from cohorts.models import Programme
from incubator.access import StaffRequiredMixin

from .. import services
from ..forms.season_import import SeasonImportForm
from ..services import season_import

IMPORT = "importer"  # the button that writes; any other press is a dry run


class ProgrammeStaffMixin(StaffRequiredMixin):
    def get_programme(self):
        return get_object_or_404(Programme.objects.for_user(self.request.user), pk=self.kwargs["programme_pk"])


class SeasonImportView(ProgrammeStaffMixin, View):
    template_name = "projects/season_import.html"

    def render_page(self, programme, form, plan=None, file_error=None, status=200):
        context = {"programme": programme, "form": form, "plan": plan, "file_error": file_error}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, programme_pk):
        return self.render_page(self.get_programme(), SeasonImportForm())

    def post(self, request, programme_pk):
        programme = self.get_programme()
        form = SeasonImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(programme, form)
        upload = form.cleaned_data["file"]
        try:
            rows = services.read_rows(upload)
        except services.ImportFileError as error:
            return self.render_page(programme, form, file_error=str(error))
        plan = services.plan_import(programme=programme, rows=rows)
        if IMPORT not in request.POST or not plan.ok:
            return self.render_page(programme, form, plan=plan)
        imported = services.import_seasons(programme=programme, plan=plan, file_name=upload.name, by=request.user)
        messages.success(
            request,
            _("%(seasons)s saison(s) reprise(s) : %(projects)s projet(s) et %(counts)s ligne(s) de candidatures.")
            % {"seasons": len(imported.cohorts), "projects": imported.projects, "counts": imported.counts},
        )
        return redirect("cohorts:cohort_list")


class SeasonImportTemplateView(ProgrammeStaffMixin, View):
    """The file to fill in, as CSV or XLSX (`?format=xlsx`)."""

    def get(self, request, programme_pk):
        self.get_programme()
        export_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        content_type = {
            "csv": "text/csv; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[export_format]
        response = HttpResponse(season_import.template(export_format), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="saisons-passees.{export_format}"'
        return response

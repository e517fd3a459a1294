from django.contrib import admin

from cohorts.admin import SeasonListFilter

from .models import ReportExport


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    """The log of season reports downloaded: they hold personal data."""

    list_display = ["cohort", "format", "dataset", "requested_by", "requested_at", "status"]
    list_filter = ["format", "status", ("cohort", SeasonListFilter)]
    list_select_related = ["cohort__programme", "requested_by"]
    date_hierarchy = "requested_at"

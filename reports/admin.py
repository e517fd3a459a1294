from django.contrib import admin

from cohorts.admin import SeasonListFilter

from .models import ReportExport, ReportShare, ReportShareVisit


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    """The log of season reports downloaded: they hold personal data."""

    list_display = ["cohort", "format", "dataset", "requested_by", "requested_at", "status"]
    list_filter = ["format", "status", ("cohort", SeasonListFilter)]
    list_select_related = ["cohort__programme", "requested_by"]
    date_hierarchy = "requested_at"


class ReportShareVisitInline(admin.TabularInline):
    model = ReportShareVisit
    fields = ["viewed_at", "what", "network"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportShare)
class ReportShareAdmin(admin.ModelAdmin):
    """Links given to funders; staff make and revoke them from the season report. The key never shows here."""

    list_display = ["label", "cohort", "expires_on", "created_by", "created_at", "revoked_at"]
    list_filter = [("cohort", SeasonListFilter)]
    list_select_related = ["cohort__programme", "created_by"]
    fields = ["cohort", "label", "expires_on", "created_by", "created_at", "revoked_at"]
    readonly_fields = ["cohort", "created_by", "created_at"]
    inlines = [ReportShareVisitInline]

    def has_add_permission(self, request):
        return False

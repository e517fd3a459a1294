from django.contrib import admin

from .models import Cohort, PartnerCommitment, Programme


class SeasonListFilter(admin.RelatedFieldListFilter):
    """A list filter on a season: every season named with its programme, read in one query however many."""

    def field_choices(self, field, request, model_admin):
        return [(season.pk, str(season)) for season in field.related_model.objects.select_related("programme")]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["partners"]
    search_fields = ["name"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "start_date", "end_date", "places", "call_opens_on", "call_closes_on"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    filter_horizontal = ["territories"]
    readonly_fields = ["end_date"]
    date_hierarchy = "start_date"


@admin.register(PartnerCommitment)
class PartnerCommitmentAdmin(admin.ModelAdmin):
    list_display = ["cohort", "partner_structure", "coaching_hours", "days_hosted", "coaches", "money"]
    list_filter = [("cohort", SeasonListFilter), "partner_structure"]
    list_select_related = ["cohort__programme", "partner_structure"]

from django.contrib import admin

from .models import Cohort, Programme


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

from django.contrib import admin

from cohorts.admin import SeasonListFilter

from .models import (
    Attendance,
    Mailing,
    MailingRecipient,
    Reminder,
    ReminderPolicy,
    Survey,
    Trainer,
    TrainingSession,
    Venue,
)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "territory", "capacity"]
    list_filter = ["kind", "territory"]
    search_fields = ["name", "commune"]


@admin.register(Trainer)
class TrainerAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "home_commune", "home_territory"]
    list_filter = ["home_territory"]
    search_fields = ["name", "organisation", "topics"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "date", "venue", "status"]
    list_filter = ["status", ("cohort", SeasonListFilter)]
    list_select_related = ["cohort__programme", "venue"]
    filter_horizontal = ["trainers"]
    date_hierarchy = "date"
    inlines = [AttendanceInline]


admin.site.register(Attendance)


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["programme", "offsets_days", "hour"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["session", "email", "kind", "audience", "created_at"]
    list_filter = ["kind", "audience"]
    search_fields = ["email"]
    list_select_related = ["session"]
    raw_id_fields = ["session", "member", "trainer", "mail"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["session", "member", "usefulness", "organisation", "answered_at"]
    list_select_related = ["session", "member"]
    raw_id_fields = ["session", "member", "mail"]


class MailingRecipientInline(admin.TabularInline):
    model = MailingRecipient
    extra = 0
    raw_id_fields = ["member", "mail"]


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["subject", "cohort", "audience", "session", "sent_by", "created_at"]
    list_filter = ["audience", ("cohort", SeasonListFilter)]
    list_select_related = ["cohort__programme", "session", "sent_by"]
    search_fields = ["subject"]
    raw_id_fields = ["session", "sent_by"]
    inlines = [MailingRecipientInline]


@admin.register(MailingRecipient)
class MailingRecipientAdmin(admin.ModelAdmin):
    list_display = ["mailing", "name", "email", "mail"]
    list_select_related = ["mailing", "mail"]
    search_fields = ["email", "name"]
    raw_id_fields = ["mailing", "member", "mail"]

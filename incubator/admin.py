from auditlog.admin import LogEntryAdmin
from auditlog.filters import ResourceTypeFilter
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.utils.html import format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import BeatSighting, Heartbeat, PartnerStructure, PeriodicRun, Territory, User


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "role", "partner_structure", "is_active"]
    list_filter = ["role", "is_reviewer", "partner_structure", "is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["partner_structure"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "phone"]}),
        (_("Programme"), {"fields": ["role", "partner_structure", "is_reviewer"]}),
        (_("Droits"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]}),
        (_("Programme"), {"fields": ["first_name", "last_name", "role", "partner_structure"]}),
    ]


@admin.register(PartnerStructure)
class PartnerStructureAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "town"]
    list_filter = ["kind"]
    search_fields = ["name", "town"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "department_code"]
    search_fields = ["name", "department_code"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["source", "seen_at"]


# --- The journal of every change (django-auditlog), for superusers -----------------------------------------


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class JournalAdmin(LogEntryAdmin):
    """auditlog's own admin (filters by action, kind of record and date, search, pages), in French words."""

    list_display = ["when", "resource_url", "what", "who", "fields_changed"]
    list_filter = ["action", ResourceTypeFilter, ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_repr", "actor__email", "actor__first_name", "actor__last_name"]
    readonly_fields = ["when", "who", "resource_url", "what", "details"]
    fieldsets = [(None, {"fields": ["when", "who", "resource_url", "what", "details"]})]

    @admin.display(description=_("le"), ordering="timestamp")
    def when(self, entry):
        return localtime(entry.timestamp).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=_("action"))
    def what(self, entry):
        return audit.describe_action(entry)

    @admin.display(description=_("par"))
    def who(self, entry):
        return audit.actor_label(entry)

    @admin.display(description=_("champs modifiés"))
    def fields_changed(self, entry):
        return ", ".join(audit.changed_labels(entry)) or "—"

    @admin.display(description=_("modifications"))
    def details(self, entry):
        (described,) = audit.describe([entry])
        hidden = _("modifié (contenu non conservé)")
        rows = ((c.label, hidden if c.hidden else f"{c.before} → {c.after}") for c in described.changes)
        return format_html_join("", "<p>{} : {}</p>", rows) or "—"


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    """What beat ran, and how many copies a second beat sent for nothing (incubator/periodic.py)."""

    list_display = ["task", "sent_at", "beat", "runs", "duplicates_skipped"]
    readonly_fields = ["task", "sent_at", "beat", "runs", "duplicates_skipped"]


@admin.register(BeatSighting)
class BeatSightingAdmin(admin.ModelAdmin):
    list_display = ["identity", "first_seen_at", "last_seen_at"]
    readonly_fields = ["identity", "first_seen_at", "last_seen_at"]

from auditlog.apps import AuditlogConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubatorConfig(AppConfig):
    name = "incubator"
    verbose_name = _("Partenariat")


class JournalConfig(AuditlogConfig):
    """django-auditlog, under the name the site gives its audit trail."""

    verbose_name = _("Journal des modifications")

    def ready(self):
        super().ready()
        from auditlog.models import LogEntry

        # auditlog ships no French: its model is named here for the admin's pages.
        LogEntry._meta.verbose_name = _("entrée du journal")
        LogEntry._meta.verbose_name_plural = _("entrées du journal")

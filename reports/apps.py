from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Rapports de saison")

    def ready(self):
        from incubator.audit import track

        from .models import ReportShare

        # The key is the link's secret: the trail says a link was made or revoked, for whom, never its address.
        track(ReportShare, exclude=["key"])

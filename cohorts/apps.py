from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Programmes et saisons")

    def ready(self):
        # Imported here because Django needs the apps loaded first.
        from incubator.audit import track

        from .models import PartnerCommitment

        # What a structure said it would bring is its word to the others: who changed it, and when, is kept.
        track(PartnerCommitment)

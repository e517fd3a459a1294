"""Seasons held before the site: brought in from a spreadsheet, their candidacies kept as counts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from incubator.models import Territory

from .candidacy import Sector


class SeasonImport(models.Model):
    """A past season brought in from a file: who did it, when, from which file."""

    cohort = models.OneToOneField(
        Cohort, verbose_name=_("saison"), on_delete=models.CASCADE, related_name="season_import"
    )
    file_name = models.CharField(_("fichier"), max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("saison reprise d'un fichier")
        verbose_name_plural = _("saisons reprises d'un fichier")

    def __str__(self):
        return f"{self.cohort} ({self.file_name})"


class ImportedCandidacyCount(models.Model):
    """How many candidacies a past season received and accepted, for one territory and sector.

    A count rather than invented candidacies: nobody's answers are made up, and the figures add these to the
    candidacies the site received.
    """

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("saison"), on_delete=models.CASCADE, related_name="imported_candidacy_counts"
    )
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sector = models.CharField(_("secteur"), max_length=30, choices=Sector.choices, blank=True)
    received = models.PositiveIntegerField(_("candidatures reçues"))
    accepted = models.PositiveIntegerField(_("candidatures retenues"), default=0)

    class Meta:
        ordering = ["cohort", "territory", "sector"]
        verbose_name = _("candidatures reprises d'un fichier")
        verbose_name_plural = _("candidatures reprises d'un fichier")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accepted__lte=models.F("received")), name="imported_count_accepted_within_received"
            ),
            # One count per territory and sector, « no territory » included (two partial indexes: SQLite
            # has no NULLS NOT DISTINCT).
            models.UniqueConstraint(
                fields=["cohort", "territory", "sector"],
                condition=models.Q(territory__isnull=False),
                name="imported_count_one_per_territory_and_sector",
            ),
            models.UniqueConstraint(
                fields=["cohort", "sector"],
                condition=models.Q(territory__isnull=True),
                name="imported_count_one_per_sector_without_territory",
            ),
        ]

    def __str__(self):
        return f"{self.cohort} — {self.received}"

"""The log of season reports downloaded, and the files built in the background."""

import pathlib
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort


def report_export_path(instance, filename):
    # A random name: the file holds personal data and its address must not be guessable.
    return f"rapports/{uuid.uuid4().hex}{pathlib.PurePath(filename).suffix.lower()[:10]}"


class ReportExportQuerySet(models.QuerySet):
    def for_user(self, user):
        """Exports a person may follow and download: their own, of a season they still work on.

        Each file holds personal data; a colleague makes (and is recorded for) their own export.
        """
        if not (user.is_authenticated and user.is_programme_staff):
            return self.none()
        exports = self.filter(cohort__in=Cohort.objects.for_user(user))
        return exports if user.is_superuser else exports.filter(requested_by=user)


class ReportExport(models.Model):
    """One download of a season report: who asked for which season, in which format, and when.

    Small exports stream straight to the browser; a big season's is built by a Celery task into a file
    stored through the storage API, with its progress here.
    """

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")
        PDF = "pdf", _("PDF")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    cohort = models.ForeignKey(Cohort, verbose_name=_("saison"), on_delete=models.PROTECT, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.PROTECT,  # the log outlives nobody: accounts are deactivated, never deleted
        related_name="report_exports",
    )
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    dataset = models.CharField(_("jeu de données"), max_length=40, blank=True)
    # A background export is written in the language of the person who asked for it.
    language = models.CharField(_("langue"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    in_background = models.BooleanField(_("préparé en arrière-plan"), default=False)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0, validators=[MaxValueValidator(100)])
    file = models.FileField(_("fichier"), upload_to=report_export_path, max_length=255, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    objects = ReportExportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("export de rapport")
        verbose_name_plural = _("exports de rapport")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_export_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.cohort} — {self.get_format_display()} — {self.requested_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self):
        return reverse("reports:export", kwargs={"pk": self.pk})

    @property
    def is_finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED}

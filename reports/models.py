"""The log of season reports downloaded, the files built in the background, and the links shared with funders."""

import pathlib
import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort


def report_export_path(instance, filename):
    # A random name: the file holds personal data and its address must not be guessable.
    return f"rapports/{uuid.uuid4().hex}{pathlib.PurePath(filename).suffix.lower()[:10]}"


def new_share_key() -> str:
    return secrets.token_urlsafe(32)


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


class ReportShareQuerySet(models.QuerySet):
    def for_user(self, user):
        """Links a person may see and revoke: staff, on the seasons of their programmes."""
        if not (user.is_authenticated and user.is_programme_staff):
            return self.none()
        return self.filter(cohort__in=Cohort.objects.for_user(user))

    def valid(self, today=None):
        """Links that still open the report: not revoked, and not past their last day."""
        return self.filter(revoked_at__isnull=True, expires_on__gte=today or timezone.localdate())

    def with_views(self):
        """Each link with how often it was opened, and when last: one query for a whole list."""
        return self.annotate(visits_count=models.Count("visits"), last_visit_at=models.Max("visits__viewed_at"))


class ReportShare(models.Model):
    """A read-only link to a season's report, for a funder or a partner who has no account.

    The address carries a signed token around `key`, a random secret: a forged or damaged address, or one made
    for another page, opens nothing. Staff choose the last day it works, and can revoke it sooner.
    """

    cohort = models.ForeignKey(Cohort, verbose_name=_("saison"), on_delete=models.PROTECT, related_name="shares")
    label = models.CharField(
        _("pour qui"),
        max_length=120,
        help_text=_("Le nom de la structure ou de la personne qui reçoit le lien, par exemple « Fondation X »."),
    )
    key = models.CharField(max_length=64, unique=True, default=new_share_key, editable=False)
    expires_on = models.DateField(
        _("valable jusqu'au"), help_text=_("Le lien ne fonctionne plus le lendemain de cette date.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.PROTECT,  # accounts are deactivated, never deleted
        related_name="report_shares",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ReportShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lien de partage du rapport")
        verbose_name_plural = _("liens de partage du rapport")
        constraints = [
            models.CheckConstraint(condition=~models.Q(label=""), name="report_share_label_not_empty"),
        ]

    def __str__(self):
        return f"{self.cohort} — {self.label}"

    def is_valid(self, today=None) -> bool:
        return self.revoked_at is None and self.expires_on >= (today or timezone.localdate())

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return _("Révoqué")
        return _("Actif") if self.is_valid() else _("Expiré")


class ReportShareVisit(models.Model):
    """One opening of a share link: its page or one of its files. The visitor's address is cut to its network
    (IPv4 /24, IPv6 /48) before it is stored: enough to tell offices apart, not to name anybody."""

    class What(models.TextChoices):
        PAGE = "page", _("Page du rapport")
        PDF = "pdf", _("PDF")
        XLSX = "xlsx", _("Excel (XLSX)")
        CSV = "csv", _("CSV")

    share = models.ForeignKey(ReportShare, verbose_name=_("lien"), on_delete=models.CASCADE, related_name="visits")
    viewed_at = models.DateTimeField(_("le"), default=timezone.now)
    what = models.CharField(_("quoi"), max_length=10, choices=What.choices)
    network = models.CharField(_("réseau"), max_length=50, blank=True)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = _("consultation d'un lien de partage")
        verbose_name_plural = _("consultations des liens de partage")
        indexes = [models.Index(fields=["share", "viewed_at"], name="report_share_view_when")]

    def __str__(self):
        return f"{self.share} — {self.get_what_display()} — {self.viewed_at:%d/%m/%Y %H:%M}"

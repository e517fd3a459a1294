"""Programmes and their seasons (cohorts)."""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator.models import PartnerStructure, Territory


def season_end_date(start: datetime.date, months: int) -> datetime.date:
    """The last day of a season of `months` months starting on `start`.

    A season ends the day before the same day of the month comes round again; when that day does not
    exist (a season starting on 31 January), it ends on the last day of the month instead.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    days_in_month = calendar.monthrange(year, month)[1]
    if start.day > days_in_month:
        return datetime.date(year, month, days_in_month)
    return datetime.date(year, month, start.day) - datetime.timedelta(days=1)


class Criterion(models.TextChoices):
    """The selection criteria of the programme, each scored from 0 to 5."""

    COLLECTIVE = "collective", _("Dimension collective")
    ECONOMIC_MODEL = "economic_model", _("Modèle économique hybride")
    ANCHORING = "anchoring", _("Ancrage territorial")
    NEED = "need", _("Réponse à un besoin social ou environnemental")
    TEAM = "team", _("Équipe")
    FEASIBILITY = "feasibility", _("Faisabilité")


class ProgrammeQuerySet(models.QuerySet):
    def for_user(self, user):
        """The programmes a person works on: those their partner structure takes part in."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if not user.role or user.partner_structure_id is None:
            return self.none()
        return self.filter(partners=user.partner_structure_id)


class Programme(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    description = models.TextField(_("présentation"), blank=True)
    partners = models.ManyToManyField(
        PartnerStructure, verbose_name=_("structures partenaires"), related_name="programmes"
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self):
        return self.name


class CohortQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(programme__in=Programme.objects.for_user(user))

    def current(self, today=None):
        today = today or timezone.localdate()
        return self.filter(start_date__lte=today, end_date__gte=today)

    def call_open(self, today=None):
        today = today or timezone.localdate()
        return self.filter(call_opens_on__lte=today, call_closes_on__gte=today)

    def call_upcoming(self, today=None):
        today = today or timezone.localdate()
        return self.filter(call_opens_on__gt=today).order_by("call_opens_on")


class Cohort(models.Model):
    """A season of the programme: projects are selected, coached and trained together."""

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("À venir")
        CURRENT = "current", _("En cours")
        PAST = "past", _("Terminée")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("nom"), max_length=120, help_text=_("Par exemple « Saison 2026-2027 »."))
    start_date = models.DateField(_("date de début"))
    duration_months = models.PositiveSmallIntegerField(
        _("durée en mois"), default=15, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    end_date = models.DateField(_("date de fin"), editable=False)
    territories = models.ManyToManyField(Territory, verbose_name=_("territoires"), related_name="cohorts")
    places = models.PositiveSmallIntegerField(
        _("nombre de places"),
        default=6,
        validators=[MinValueValidator(1)],
        help_text=_("Nombre de projets accompagnés pendant la saison."),
    )
    max_projects_per_coach = models.PositiveSmallIntegerField(
        _("projets par chargé·e d'accompagnement, au plus"), default=3, validators=[MinValueValidator(1)]
    )
    call_opens_on = models.DateField(_("ouverture de l'appel à candidatures"))
    call_closes_on = models.DateField(_("clôture de l'appel à candidatures"))

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("saison")
        verbose_name_plural = _("saisons")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_name_unique_per_programme"),
            models.CheckConstraint(
                condition=models.Q(duration_months__gte=1, duration_months__lte=36),
                name="cohort_duration_between_1_and_36_months",
            ),
            models.CheckConstraint(condition=models.Q(places__gte=1), name="cohort_has_places"),
            models.CheckConstraint(
                condition=models.Q(max_projects_per_coach__gte=1), name="cohort_coach_takes_projects"
            ),
            models.CheckConstraint(
                condition=models.Q(call_closes_on__gte=models.F("call_opens_on")),
                name="cohort_call_closes_after_it_opens",
                violation_error_message=_("L'appel à candidatures doit se clore après son ouverture."),
            ),
        ]

    def __str__(self):
        return f"{self.programme} — {self.name}"

    def save(self, *args, **kwargs):
        self.end_date = season_end_date(self.start_date, self.duration_months)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"start_date", "duration_months"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "end_date"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reports:season", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        if self.call_opens_on and self.call_closes_on and self.call_closes_on < self.call_opens_on:
            raise ValidationError({"call_closes_on": _("L'appel à candidatures doit se clore après son ouverture.")})

    def phase(self, today=None):
        today = today or timezone.localdate()
        if today < self.start_date:
            return self.Phase.UPCOMING
        if today > self.end_date:
            return self.Phase.PAST
        return self.Phase.CURRENT

    def call_is_open(self, today=None):
        today = today or timezone.localdate()
        return self.call_opens_on <= today <= self.call_closes_on


class PartnerCommitmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(cohort__in=Cohort.objects.for_user(user))


class PartnerCommitment(models.Model):
    """What one partner structure commits to bring to a season: the article's advice is to say it plainly.

    What each structure actually brought is measured elsewhere (meetings, days, assignments); this row holds
    the word given.
    """

    cohort = models.ForeignKey(Cohort, verbose_name=_("saison"), on_delete=models.CASCADE, related_name="commitments")
    partner_structure = models.ForeignKey(
        PartnerStructure, verbose_name=_("structure partenaire"), on_delete=models.PROTECT, related_name="commitments"
    )
    coaching_hours = models.DecimalField(
        _("heures d'accompagnement"),
        max_digits=7,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Heures de rendez-vous individuels que la structure s'engage à assurer."),
    )
    days_hosted = models.PositiveSmallIntegerField(
        _("journées collectives accueillies"),
        default=0,
        help_text=_("Journées tenues dans les lieux de la structure."),
    )
    coaches = models.PositiveSmallIntegerField(_("chargé·es d'accompagnement"), default=0)
    money = models.DecimalField(
        _("apport financier (€)"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = PartnerCommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "partner_structure__name"]
        verbose_name = _("moyens engagés")
        verbose_name_plural = _("moyens engagés")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "partner_structure"], name="commitment_one_per_structure_per_season"
            ),
            models.CheckConstraint(
                condition=models.Q(coaching_hours__gte=0, money__gte=0), name="commitment_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.partner_structure} — {self.cohort}"

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .coaching import Outcome
from .project import Project

JOBS_MAX = Decimal("999.9")
VOLUNTEERS_MAX = 100_000
FUNDS_MAX = Decimal("9999999999.99")


class FollowUp(models.Model):
    """Where a project stands 6, 12 or 24 months after its season: asked once by mail, reminded once.

    The unique constraint on project × months makes the mail go once, even when two sweeps run at the same
    moment; the contact may change the answer for a while after giving it (`services.follow_ups.CHANGE_DAYS`).
    """

    class Months(models.IntegerChoices):
        SIX = 6, _("6 mois après")
        TWELVE = 12, _("12 mois après")
        TWENTY_FOUR = 24, _("24 mois après")

    class Status(models.TextChoices):
        RUNNING = "running", _("Il tourne : le projet a démarré son activité")
        PREPARING = "preparing", _("Il avance : l'activité n'a pas encore démarré")
        PAUSED = "paused", _("Il est en pause")
        STOPPED = "stopped", _("Il est arrêté")

    project = models.ForeignKey(Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("mois après la saison"), choices=Months.choices)
    due_on = models.DateField(_("date prévue"))
    email = models.EmailField(_("envoyé à"), blank=True)  # blanked when the person's data is erased
    sent_at = models.DateTimeField(_("envoyé le"))
    mail = models.OneToOneField(
        "outbox.OutgoingMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_up"
    )
    reminded_at = models.DateTimeField(_("relancé le"), null=True, blank=True)
    reminder_mail = models.OneToOneField(
        "outbox.OutgoingMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_up_reminder"
    )
    status = models.CharField(_("où en est le projet"), max_length=20, choices=Status.choices, blank=True)
    legal_form = models.CharField(_("forme juridique"), max_length=20, choices=Outcome.LegalForm.choices, blank=True)
    jobs_fte = models.DecimalField(
        _("emplois (équivalent temps plein)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(JOBS_MAX)],
    )
    volunteers = models.PositiveIntegerField(
        _("bénévoles"), null=True, blank=True, validators=[MaxValueValidator(VOLUNTEERS_MAX)]
    )
    funds_raised = models.DecimalField(
        _("fonds obtenus (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(FUNDS_MAX)],
    )
    sentence = models.CharField(_("en une phrase"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    changed_at = models.DateTimeField(_("modifié le"), null=True, blank=True)

    class Meta:
        ordering = ["project", "months"]
        verbose_name = _("suivi après la saison")
        verbose_name_plural = _("suivis après la saison")
        constraints = [
            models.UniqueConstraint(fields=["project", "months"], name="follow_up_once_per_project_and_milestone"),
            models.CheckConstraint(condition=models.Q(months__in=[6, 12, 24]), name="follow_up_months_6_12_24"),
            models.CheckConstraint(
                condition=models.Q(jobs_fte__isnull=True) | models.Q(jobs_fte__gte=0),
                name="follow_up_jobs_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(funds_raised__isnull=True) | models.Q(funds_raised__gte=0),
                name="follow_up_funds_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | (
                    ~models.Q(status="")
                    & models.Q(jobs_fte__isnull=False, volunteers__isnull=False, funds_raised__isnull=False)
                ),
                name="follow_up_answer_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.project} — {self.get_months_display()}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

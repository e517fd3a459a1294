"""One-to-one coaching: who coaches which project, their meetings, next steps, milestones and outcomes."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Programme

from .project import Project


class CoachAssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_on__isnull=True)

    def leads(self):
        return self.filter(role=CoachAssignment.Role.LEAD)

    def seconds(self):
        return self.filter(role=CoachAssignment.Role.SECOND)


class CoachAssignment(models.Model):
    """A coach following a project during its season. Reassigning ends the old row: history is kept.

    A project has one lead coach and may have a second one (the pair, usually the other partner structure's
    coach); both see and edit the project.
    """

    class Role(models.TextChoices):
        LEAD = "lead", _("Référent·e")
        SECOND = "second", _("En second")

    project = models.ForeignKey(Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="assignments")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chargé·e d'accompagnement"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    # The project's season, kept here so the per-coach cap is a question about one table.
    cohort = models.ForeignKey(Cohort, verbose_name=_("saison"), on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.LEAD)
    started_on = models.DateField(_("début"), default=timezone.localdate)
    ended_on = models.DateField(_("fin"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CoachAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("accompagnement confié")
        verbose_name_plural = _("accompagnements confiés")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "role"],
                condition=models.Q(ended_on__isnull=True),
                name="assignment_one_active_per_project_and_role",
            ),
            models.UniqueConstraint(
                fields=["project", "coach"],
                condition=models.Q(ended_on__isnull=True),
                name="assignment_one_active_role_per_coach_and_project",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.coach} → {self.project}"


class MeetingFormat(models.TextChoices):
    ON_SITE = "on_site", _("Sur le lieu du projet")
    VENUE = "venue", _("Dans un lieu partenaire")
    VIDEO = "video", _("En visio")
    PHONE = "phone", _("Au téléphone")


class Topic(models.TextChoices):
    ECONOMIC = "economic", _("Modèle économique")
    LEGAL = "legal", _("Modèle juridique")
    FUNDING = "funding", _("Financement")
    GOVERNANCE = "governance", _("Gouvernance")
    MARKETING = "marketing", _("Commercialisation, communication")
    HUMAN_RESOURCES = "human_resources", _("Ressources humaines")
    PERSONAL = "personal", _("Posture, confiance en soi")

    @classmethod
    def human(cls):
        """Topics about people rather than the project's mechanics (the article's 'accompagnement humain')."""
        return {cls.HUMAN_RESOURCES, cls.PERSONAL, cls.GOVERNANCE}

    @classmethod
    def technical(cls):
        return set(cls) - cls.human()


class CoachingSession(models.Model):
    """A one-to-one meeting between a coach and a project team."""

    project = models.ForeignKey(Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="meetings")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chargé·e d'accompagnement"),
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée en minutes"), default=90, validators=[MinValueValidator(5)]
    )
    format = models.CharField(_("format"), max_length=20, choices=MeetingFormat.choices, default=MeetingFormat.ON_SITE)
    topics = models.JSONField(_("sujets abordés"), default=list, blank=True)
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_(
            "Lues par l'équipe du programme et les chargé·es d'accompagnement seulement, jamais par le projet."
        ),
    )
    # Who took part: the meeting's coach always, the pair's other coach when they came too. Each participant is
    # credited an equal share of the meeting's time (see `workspace.coaching_totals`), so coaches' hours add up
    # to the season's.
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chargé·es d'accompagnement présent·es"),
        related_name="coaching_sessions_attended",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("rendez-vous d'accompagnement")
        verbose_name_plural = _("rendez-vous d'accompagnement")
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_minutes__gte=5), name="meeting_lasts_at_least_5_minutes")
        ]

    def __str__(self):
        return f"{self.project} — {self.date:%d/%m/%Y}"

    def get_topics_display(self):
        labels = dict(Topic.choices)
        return [labels[topic] for topic in self.topics if topic in labels]


class NextStepQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


class NextStep(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="next_steps")
    meeting = models.ForeignKey(
        CoachingSession,
        verbose_name=_("rendez-vous"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_steps",
    )
    description = models.CharField(_("prochaine étape"), max_length=300)
    owner = models.CharField(_("qui s'en charge"), max_length=200, blank=True)
    due_on = models.DateField(_("pour le"), null=True, blank=True)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)

    objects = NextStepQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        verbose_name = _("prochaine étape")
        verbose_name_plural = _("prochaines étapes")

    def __str__(self):
        return self.description


class MilestoneTemplate(models.Model):
    """A programme's default milestones, copied to each of its projects."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="milestone_templates"
    )
    name = models.CharField(_("étape clé"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    target_month = models.PositiveSmallIntegerField(
        _("mois visé dans la saison"), null=True, blank=True, help_text=_("1 pour le premier mois de la saison.")
    )

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("étape clé par défaut")
        verbose_name_plural = _("étapes clés par défaut")

    def __str__(self):
        return self.name


class Milestone(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("étape clé"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    target_on = models.DateField(_("visée pour le"), null=True, blank=True)
    done_on = models.DateField(_("atteinte le"), null=True, blank=True)

    class Meta:
        ordering = ["project", "order", "pk"]
        verbose_name = _("étape clé")
        verbose_name_plural = _("étapes clés")

    def __str__(self):
        return self.name


class Outcome(models.Model):
    """Where a project stands at the end of its season, and what its people gained."""

    class Status(models.TextChoices):
        LAUNCHED = "launched", _("Lancé")
        CONTINUING = "continuing", _("Se poursuit")
        PAUSED = "paused", _("En pause")
        STOPPED = "stopped", _("Arrêté")

    class LegalForm(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        SCOP = "scop", _("SCOP")
        SCIC = "scic", _("SCIC")
        ESS_COMPANY = "ess_company", _("Société commerciale de l'ESS")
        CAE = "cae", _("Hébergé dans la CAE")
        NONE = "none", _("Pas encore de forme juridique")

    project = models.OneToOneField(Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="outcome")
    status = models.CharField(_("où en est le projet"), max_length=20, choices=Status.choices)
    legal_form = models.CharField(
        _("forme juridique"), max_length=20, choices=LegalForm.choices, default=LegalForm.NONE
    )
    jobs_fte = models.DecimalField(
        _("emplois créés (équivalent temps plein)"),
        max_digits=5,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    volunteers = models.PositiveIntegerField(_("bénévoles"), default=0)
    funds_raised = models.DecimalField(
        _("fonds obtenus (€)"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    skills_gained = models.TextField(
        _("compétences et confiance gagnées"),
        blank=True,
        help_text=_("Même si le projet s'arrête : ce que les personnes ont appris et peuvent valoriser."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bilan de fin de saison")
        verbose_name_plural = _("bilans de fin de saison")
        constraints = [
            models.CheckConstraint(condition=models.Q(jobs_fte__gte=0), name="outcome_jobs_not_negative"),
            models.CheckConstraint(condition=models.Q(funds_raised__gte=0), name="outcome_funds_not_negative"),
        ]

    def __str__(self):
        return f"{self.project} — {self.get_status_display()}"

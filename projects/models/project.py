import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from incubator.models import Territory

from .candidacy import Candidacy, Sector


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user):
        """Projects a person may open: staff, those of their programmes; a coach, those they coach now."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_programme_staff:
            return self.filter(cohort__in=Cohort.objects.for_user(user))
        if user.is_coach:
            return self.filter(assignments__coach=user, assignments__ended_on__isnull=True)
        return self.none()

    def readable_by(self, user):
        """Projects a person may read: those they may open, and for a coach in a programme whose coaches read
        each other's projects (as a pair does), every project of the seasons where they coach one now."""
        if not (user.is_authenticated and user.is_active and user.is_coach) or user.is_programme_staff:
            return self.for_user(user)
        own_seasons = Cohort.objects.filter(
            programme__coaches_read_season_projects=True,
            assignments__coach=user,
            assignments__ended_on__isnull=True,
        )
        return self.filter(models.Q(pk__in=self.for_user(user).values("pk")) | models.Q(cohort__in=own_seasons))

    def unassigned(self):
        # A project waits for somebody while it has no lead coach, whether or not it has a second one.
        active = models.Count(
            "assignments", filter=models.Q(assignments__ended_on__isnull=True, assignments__role="lead")
        )
        return self.alias(active_assignments=active).filter(active_assignments=0)


class Project(models.Model):
    """A collective project accompanied during a season, born from an accepted candidacy."""

    cohort = models.ForeignKey(Cohort, verbose_name=_("saison"), on_delete=models.PROTECT, related_name="projects")
    candidacy = models.OneToOneField(
        Candidacy,
        verbose_name=_("candidature"),
        on_delete=models.PROTECT,
        related_name="project",
        null=True,
        blank=True,
    )
    name = models.CharField(_("nom"), max_length=200)
    summary = models.TextField(_("présentation"), blank=True)
    sector = models.CharField(_("secteur"), max_length=30, choices=Sector.choices, blank=True)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, null=True, blank=True
    )
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("projet")
        verbose_name_plural = _("projets")

    def __str__(self):
        return self.name


class ProjectMember(models.Model):
    """A person of the project's team: invited to the collective days, receives their reminders."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("nom et prénom"), max_length=200)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    role = models.CharField(_("rôle dans le projet"), max_length=200, blank=True)
    # The secret part of the member's calendar feed address; a new one revokes the old address.
    calendar_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("membre du projet")
        verbose_name_plural = _("membres du projet")

    def __str__(self):
        return self.name

"""Staff notes: what the programme's staff and a project's coaches write for each other about a candidacy or a
project. Never shown to applicants or members, never exported, erased with the person they are about."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort

from .candidacy import Candidacy
from .project import Project


class StaffNoteQuerySet(models.QuerySet):
    def for_user(self, user):
        """Notes a person may read: staff, those of their programmes; a coach, those of the candidacies and
        projects they coach now (lead or second). Coaches who only read a project see none of its notes."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_programme_staff:
            seasons = Cohort.objects.for_user(user)
            return self.filter(models.Q(candidacy__cohort__in=seasons) | models.Q(project__cohort__in=seasons))
        if user.is_coach:
            coached = Project.objects.filter(assignments__coach=user, assignments__ended_on__isnull=True)
            return self.filter(models.Q(project__in=coached) | models.Q(candidacy__project__in=coached))
        return self.none()


class StaffNote(models.Model):
    """A private note on a candidacy or on a project (exactly one of the two)."""

    candidacy = models.ForeignKey(
        Candidacy,
        verbose_name=_("candidature"),
        on_delete=models.CASCADE,
        related_name="staff_notes",
        null=True,
        blank=True,
    )
    project = models.ForeignKey(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="staff_notes", null=True, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur·rice"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="staff_notes",
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("écrite le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = StaffNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("note de l'équipe")
        verbose_name_plural = _("notes de l'équipe")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(candidacy__isnull=False, project__isnull=True)
                | models.Q(candidacy__isnull=True, project__isnull=False),
                name="staff_note_on_a_candidacy_or_a_project",
            )
        ]

    def __str__(self):
        # Never the text: this is what the audit trail and the admin show.
        return _("Note du %(date)s") % {"date": self.created_at.strftime("%d/%m/%Y") if self.created_at else "—"}

    @property
    def edited(self) -> bool:
        return (self.updated_at - self.created_at).total_seconds() > 1

"""The territory's actors: one directory per programme, and the meetings that link its projects to them."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Programme
from incubator.models import Territory

from .project import Project


def actor_key(name: str) -> str:
    """The name two spellings of one organisation share: no accents, no case, no punctuation, single spaces.

    « Mairie de Crest », « MAIRIE DE CREST » and « Mairie  de Crest. » are one actor; the directory's merge
    handles what this cannot (« Mairie Crest »).
    """
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())


class ActorQuerySet(models.QuerySet):
    def for_user(self, user):
        """The actors of the programmes a person works on: its staff and its coaches share one directory."""
        return self.filter(programme__in=Programme.objects.for_user(user))

    def with_counts(self):
        # A grouped query drops Meta.ordering: the directory's order is said again.
        return self.annotate(
            projects_count=models.Count("meetings__project", distinct=True),
            meetings_count=models.Count("meetings", distinct=True),
        ).order_by("organisation", "pk")


class Actor(models.Model):
    """An organisation of the territory that the programme's projects meet: a council, a funder, a company…"""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", _("Collectivité")
        ASSOCIATION = "association", _("Association")
        COMPANY = "company", _("Entreprise")
        FUNDER = "funder", _("Financeur")
        PUBLIC_SERVICE = "public_service", _("Service public")
        OTHER = "other", _("Autre")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="actors"
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    # Kept in step with `organisation` by save(): two spellings of one name are one actor.
    name_key = models.CharField(max_length=200, editable=False)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact = models.TextField(
        _("contact"), blank=True, help_text=_("La personne à joindre, son téléphone ou son adresse e-mail.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "pk"]
        verbose_name = _("acteur du territoire")
        verbose_name_plural = _("acteurs du territoire")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name_key"],
                name="actor_one_name_per_programme",
                violation_error_message=_("Cet acteur est déjà dans l'annuaire du programme."),
            )
        ]

    def __str__(self):
        return self.organisation

    def save(self, *args, **kwargs):
        self.organisation = " ".join(self.organisation.split())
        self.name_key = actor_key(self.organisation)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "organisation" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


class ActorMet(models.Model):
    """A project's team met an actor: the programme's « décloisonnement », counted for funders.

    Who made the introduction is another actor of the directory or another project, or neither.
    """

    project = models.ForeignKey(Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="actors_met")
    actor = models.ForeignKey(Actor, verbose_name=_("acteur"), on_delete=models.PROTECT, related_name="meetings")
    met_on = models.DateField(_("rencontré le"), default=timezone.localdate)
    introduced_by_actor = models.ForeignKey(
        Actor,
        verbose_name=_("mis en relation par un acteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions",
    )
    introduced_by_project = models.ForeignKey(
        Project,
        verbose_name=_("mis en relation par un projet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-met_on", "pk"]
        verbose_name = _("rencontre avec un acteur du territoire")
        verbose_name_plural = _("rencontres avec des acteurs du territoire")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(introduced_by_actor__isnull=True) | models.Q(introduced_by_project__isnull=True),
                name="actor_met_one_introducer",
                violation_error_message=_("Une mise en relation vient d'un acteur ou d'un projet, pas des deux."),
            ),
        ]

    def __str__(self):
        return f"{self.project} → {self.actor}"

    @property
    def introducer(self):
        return self.introduced_by_actor or self.introduced_by_project

    def clean(self):
        super().clean()
        if self.introduced_by_project_id and self.introduced_by_project_id == self.project_id:
            raise ValidationError({"introduced_by_project": _("Un projet ne se met pas en relation lui-même.")})

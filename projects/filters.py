"""Filters of the staff's candidacy list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from incubator.models import Territory

from .models import Actor, Candidacy, Sector, actor_key
from .services.statistics import RECEIVED_STATUSES


def seasons(request):
    # Only the seasons of the person's programmes: another programme's season is not a valid choice.
    return Cohort.objects.for_user(request.user).select_related("programme")


class CandidacyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="search",
        max_length=200,
        help_text=_("Nom du projet, référence, personne à contacter, présentation."),
    )
    season = django_filters.ModelChoiceFilter(
        label=_("Saison"),
        field_name="cohort",
        queryset=seasons,
        empty_label=_("Toutes les saisons"),
        error_messages={"invalid_choice": _("Cette saison n'est pas dans la liste : choisissez-en une autre.")},
    )
    status = django_filters.ChoiceFilter(
        label=_("État"),
        choices=[(status.value, status.label) for status in RECEIVED_STATUSES],
        empty_label=_("Tous les états"),
    )
    territory = django_filters.ModelChoiceFilter(
        label=_("Territoire"),
        queryset=Territory.objects.all(),
        empty_label=_("Tous les territoires"),
    )
    sector = django_filters.ChoiceFilter(label=_("Secteur"), choices=Sector.choices, empty_label=_("Tous les secteurs"))

    class Meta:
        model = Candidacy
        fields = ["q", "season", "status", "territory", "sector"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def selected_season(self):
        """The season the list is narrowed to, once the filters are valid; None for every season."""
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("season")
        return None


class ActorFilter(django_filters.FilterSet):
    """Filters of a programme's directory of actors."""

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="search",
        max_length=200,
        help_text=_("Nom de l'organisation, commune, contact."),
    )
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Actor.Kind.choices, empty_label=_("Tous les types"))
    territory = django_filters.ModelChoiceFilter(
        label=_("Territoire"), queryset=Territory.objects.all(), empty_label=_("Tous les territoires")
    )

    class Meta:
        model = Actor
        fields = ["q", "kind", "territory"]

    def search(self, queryset, name, value):
        for word in value.split():
            key = actor_key(word)
            queryset = queryset.filter(
                Q(name_key__contains=key)
                | Q(organisation__icontains=word)
                | Q(commune__icontains=word)
                | Q(contact__icontains=word)
            )
        return queryset

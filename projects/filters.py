"""Filters of the staff's candidacy list."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from incubator.models import Territory

from .models import Actor, Candidacy, Sector, actor_key
from .services.statistics import RECEIVED_STATUSES


def seasons(request):
    # Only the seasons of the person's programmes: another programme's season is not a valid choice.
    return Cohort.objects.for_user(request.user).select_related("programme")


def html_attrs(attrs):
    # As django/forms/widgets/attrs.html writes them: in order, True as a bare name, False left out.
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )


class Select(forms.Select):
    """Django's <select>, written here rather than by a template per option: the same HTML, in a fraction of the
    time, for the filters' lists of seasons and territories that every view of the list renders. (Its name is
    Django's own, as crispy-forms names the widget's CSS class after it.)"""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>\n',
                ((option["value"], html_attrs(option["attrs"]), option["label"]) for option in options),
            )
            if group_name:
                rendered = format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, rendered)
            parts.append(rendered)
        return format_html(
            '<select name="{}"{}>{}\n</select>', widget["name"], html_attrs(widget["attrs"]), mark_safe("".join(parts))
        )


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
        widget=Select,
        error_messages={"invalid_choice": _("Cette saison n'est pas dans la liste : choisissez-en une autre.")},
    )
    status = django_filters.ChoiceFilter(
        label=_("État"),
        choices=[(status.value, status.label) for status in RECEIVED_STATUSES],
        empty_label=_("Tous les états"),
        widget=Select,
    )
    territory = django_filters.ModelChoiceFilter(
        label=_("Territoire"),
        queryset=Territory.objects.all(),
        empty_label=_("Tous les territoires"),
        widget=Select,
    )
    sector = django_filters.ChoiceFilter(
        label=_("Secteur"), choices=Sector.choices, empty_label=_("Tous les secteurs"), widget=Select
    )

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

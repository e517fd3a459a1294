"""The programme's directory of actors: an actor's card, a meeting noted from a project, a merge of duplicates."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.forms import DateInput
from incubator.models import Territory

from ..models import Actor, Project, actor_key
from .coaching import DATE_ERRORS

KIND_CHOICES = [("", _("Choisissez")), *Actor.Kind.choices]


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ActorForm(forms.ModelForm):
    """An actor's card in the directory. Two spellings of a name already there are refused, with the reason."""

    class Meta:
        model = Actor
        fields = ["organisation", "kind", "commune", "territory", "contact"]
        error_messages = {
            "organisation": {"required": _("Indiquez le nom de l'organisation.")},
            "kind": {"required": _("Choisissez le type d'acteur.")},
        }
        help_texts = {"organisation": _("Par exemple : mairie de Crest, Mission locale, Crédit coopératif.")}
        widgets = {"contact": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["kind"].choices = KIND_CHOICES
        self.fields["territory"].queryset = Territory.objects.all()
        self.fields["territory"].empty_label = _("Pas de territoire précis")
        self.helper = _helper()

    def clean_organisation(self):
        organisation = " ".join(self.cleaned_data["organisation"].split())
        same = Actor.objects.filter(programme=self.programme, name_key=actor_key(organisation))
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            raise forms.ValidationError(
                _(
                    "« %(name)s » est déjà dans l'annuaire du programme : ouvrez sa fiche plutôt que d'en créer une autre."
                ),
                params={"name": organisation},
            )
        return organisation


class ActorMetForm(forms.Form):
    """A meeting noted from a project's page: an actor of the directory, or a new one typed in."""

    actor = forms.ModelChoiceField(
        label=_("Acteur de l'annuaire"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("Un acteur qui n'est pas encore dans l'annuaire"),
        help_text=_("Choisissez-le dans la liste, ou laissez ce choix et écrivez son nom ci-dessous."),
        error_messages={"invalid_choice": _("Cet acteur n'est plus dans l'annuaire : choisissez-en un autre.")},
    )
    organisation = forms.CharField(
        label=_("Ou le nom d'un nouvel acteur"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : mairie de Crest, Mission locale, Crédit coopératif."),
    )
    kind = forms.ChoiceField(label=_("Type du nouvel acteur"), choices=KIND_CHOICES, required=False)
    commune = forms.CharField(label=_("Commune du nouvel acteur"), max_length=120, required=False)
    met_on = forms.DateField(
        label=_("Rencontré le"),
        widget=DateInput,
        initial=timezone.localdate,
        error_messages={**DATE_ERRORS, "required": _("Indiquez la date de la rencontre.")},
    )
    introduced_by_actor = forms.ModelChoiceField(
        label=_("Mis en relation par un acteur"),
        queryset=Actor.objects.none(),
        required=False,
        empty_label=_("Aucun"),
        error_messages={"invalid_choice": _("Cet acteur n'est plus dans l'annuaire : choisissez-en un autre.")},
    )
    introduced_by_project = forms.ModelChoiceField(
        label=_("Ou par un autre projet"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("Aucun"),
        error_messages={"invalid_choice": _("Ce projet n'est pas dans la liste : choisissez-en un autre.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce qui s'est dit, ce qui en est sorti, qui a fait le lien si ce n'est ni un acteur ni un projet."),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        programme = project.cohort.programme
        actors = Actor.objects.filter(programme=programme)
        self.fields["actor"].queryset = actors
        self.fields["introduced_by_actor"].queryset = actors
        self.fields["introduced_by_project"].queryset = (
            Project.objects.filter(cohort__programme=programme).exclude(pk=project.pk).select_related("cohort")
        )
        self.fields["introduced_by_project"].label_from_instance = lambda other: f"{other.name} ({other.cohort.name})"
        self.helper = _helper()

    def clean_met_on(self):
        met_on = self.cleaned_data["met_on"]
        if met_on and met_on > timezone.localdate():
            raise forms.ValidationError(_("Cette rencontre est dans le futur : notez-la après."))
        return met_on

    def clean(self):
        cleaned = super().clean()
        actor, organisation = cleaned.get("actor"), " ".join(cleaned.get("organisation", "").split())
        cleaned["organisation"] = organisation
        if actor is None and "actor" not in self.errors:
            if not organisation:
                self.add_error("actor", _("Choisissez un acteur de l'annuaire, ou écrivez le nom d'un nouvel acteur."))
            else:
                # A name already in the directory, spelled another way, is that actor.
                known = self.fields["actor"].queryset.filter(name_key=actor_key(organisation)).first()
                if known is not None:
                    cleaned["actor"] = known
                elif not cleaned.get("kind"):
                    self.add_error("kind", _("Choisissez le type du nouvel acteur."))
        if cleaned.get("introduced_by_actor") and cleaned.get("introduced_by_project"):
            self.add_error(
                "introduced_by_project",
                _("Une mise en relation vient d'un acteur ou d'un projet, pas des deux : gardez-en un."),
            )
        introducer = cleaned.get("introduced_by_actor")
        if introducer is not None and introducer == cleaned.get("actor"):
            self.add_error("introduced_by_actor", _("Un acteur ne se présente pas lui-même : choisissez-en un autre."))
        return cleaned

    def new_actor(self) -> dict | None:
        """The new actor's fields, when none of the directory was chosen."""
        if self.cleaned_data["actor"] is not None:
            return None
        return {
            "organisation": self.cleaned_data["organisation"],
            "kind": self.cleaned_data["kind"],
            "commune": self.cleaned_data["commune"],
        }

    def meeting_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("actor", "met_on", "introduced_by_actor", "introduced_by_project", "note")
        }


class ActorMergeForm(forms.Form):
    """Two or more actors, the one to keep among them."""

    actors = forms.ModelMultipleChoiceField(
        label=_("Les fiches à réunir"),
        queryset=Actor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Cochez au moins deux fiches à réunir."),
            "invalid_choice": _("Une des fiches n'est plus dans l'annuaire : recommencez depuis la liste."),
            "invalid_pk_value": _("Une des fiches n'est plus dans l'annuaire : recommencez depuis la liste."),
        },
    )
    keep = forms.ModelChoiceField(
        label=_("La fiche à garder"),
        queryset=Actor.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_(
            "Les rencontres des autres fiches lui sont rattachées ; ses champs vides sont complétés par les leurs."
        ),
        error_messages={
            "required": _("Choisissez la fiche à garder."),
            "invalid_choice": _("Choisissez la fiche à garder parmi celles cochées."),
        },
    )

    def __init__(self, *args, programme, selected, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the cards picked on the list are offered: the page stays short on a phone.
        # Plain digits only: "²" or "١" pass `isdigit` but are no id.
        chosen = [int(pk) for pk in selected if str(pk).isascii() and str(pk).isdigit()]
        actors = Actor.objects.filter(programme=programme, pk__in=chosen).with_counts().order_by("organisation", "pk")
        self.fields["actors"].queryset = actors
        self.fields["keep"].queryset = actors
        self.fields["actors"].label_from_instance = self.fields["keep"].label_from_instance = _actor_label

    def clean(self):
        cleaned = super().clean()
        actors, keep = cleaned.get("actors"), cleaned.get("keep")
        if actors is not None and len(actors) < 2:
            self.add_error("actors", _("Cochez au moins deux fiches à réunir."))
        elif actors is not None and keep is not None and keep not in actors:
            self.add_error("keep", _("Choisissez la fiche à garder parmi celles cochées."))
        return cleaned


def _actor_label(actor):
    place = f", {actor.commune}" if actor.commune else ""
    meetings = getattr(actor, "meetings_count", None)
    met = "" if meetings is None else " — " + str(_("%(count)s rencontre(s)") % {"count": meetings})
    return f"{actor.organisation} ({actor.get_kind_display()}{place}){met}"

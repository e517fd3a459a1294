"""Staff forms for planning: venues, trainers, the season calendar, a day's details."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cohorts.forms import DateInput
from incubator.dates import format_date
from incubator.models import PartnerStructure

from .models import Mailing, Trainer, TrainingSession, Venue
from .services import AFTERNOON, LAST, MORNING, placeholder_errors


class TimeInput(forms.TimeInput):
    """The browser's own time picker."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def _check_slots(form, slots, *, lunch=None) -> None:
    """Each half-day ends after it starts, the afternoon after the morning; errors go on the end field."""
    data = form.cleaned_data
    for start, end, message in slots:
        if data.get(start) and data.get(end) and data[end] <= data[start]:
            form.add_error(end, message)
        elif bool(data.get(start)) != bool(data.get(end)) and start in data and end in data:
            form.add_error(end if data.get(start) else start, _("Indiquez l'heure de début et l'heure de fin."))
    if lunch:
        morning_end, afternoon_start = lunch
        if (
            data.get(morning_end)
            and data.get(afternoon_start)
            and data[afternoon_start] < data[morning_end]
            and afternoon_start not in form.errors
        ):
            form.add_error(afternoon_start, _("L'après-midi commence après la fin de la matinée."))


SLOTS = [
    ("morning_start", "morning_end", _("La matinée doit finir après avoir commencé.")),
    ("afternoon_start", "afternoon_end", _("L'après-midi doit finir après avoir commencé.")),
]


class OwnedEntryForm(forms.ModelForm):
    """A venue or a trainer is kept by a partner structure: staff add to their own; a superuser chooses."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_superuser:
            self.fields["partner_structure"].queryset = PartnerStructure.objects.order_by("name")
        else:
            del self.fields["partner_structure"]
            if self.instance.partner_structure_id is None:
                self.instance.partner_structure_id = user.partner_structure_id
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Enregistrer")))


class VenueForm(OwnedEntryForm):
    class Meta:
        model = Venue
        fields = [
            "name",
            "kind",
            "address",
            "postcode",
            "commune",
            "territory",
            "latitude",
            "longitude",
            "capacity",
            "step_free_access",
            "public_transport",
            "parking",
            "accessibility_notes",
            "contact_name",
            "contact_phone",
            "partner_structure",
        ]
        widgets = {"accessibility_notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "latitude": _("Facultatif : sans coordonnées, le lien vers la carte cherche l'adresse."),
        }

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None) and not self.errors:
            self.add_error("longitude", _("Indiquez la latitude et la longitude, ou aucune des deux."))
        return data


class TrainerForm(OwnedEntryForm):
    class Meta:
        model = Trainer
        fields = [
            "name",
            "organisation",
            "email",
            "phone",
            "home_commune",
            "home_territory",
            "topics",
            "daily_rate",
            "partner_structure",
        ]
        help_texts = {
            "home_territory": _("Laissez vide si la personne vit hors des territoires du programme."),
        }


WEEKDAYS = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]
NTHS = [(1, _("premier")), (2, _("deuxième")), (3, _("troisième")), (4, _("quatrième")), (LAST, _("dernier"))]


class CalendarForm(forms.Form):
    """A rule such as "the second Tuesday of each month" and the venues to take in turn."""

    nth = forms.TypedChoiceField(label=_("Chaque mois, le…"), choices=NTHS, coerce=int, initial=2)
    weekday = forms.TypedChoiceField(label=_("Jour de la semaine"), choices=WEEKDAYS, coerce=int, initial=1)
    skip_august = forms.BooleanField(label=_("Pas de journée en août"), required=False, initial=True)
    venues = forms.ModelMultipleChoiceField(
        label=_("Lieux, pris à tour de rôle"),
        queryset=Venue.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les lieux se succèdent dans l'ordre de la liste, un par mois."),
        error_messages={"required": _("Choisissez au moins un lieu.")},
    )
    title = forms.CharField(label=_("Titre des journées"), max_length=200, initial=_("Journée collective"))
    morning_start = forms.TimeField(label=_("Début du matin"), widget=TimeInput, initial=MORNING[0])
    morning_end = forms.TimeField(label=_("Fin du matin"), widget=TimeInput, initial=MORNING[1])
    afternoon_start = forms.TimeField(label=_("Début de l'après-midi"), widget=TimeInput, initial=AFTERNOON[0])
    afternoon_end = forms.TimeField(label=_("Fin de l'après-midi"), widget=TimeInput, initial=AFTERNOON[1])

    def __init__(self, *args, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venues"].queryset = venues

    def clean(self):
        data = super().clean()
        _check_slots(self, SLOTS, lunch=("morning_end", "afternoon_start"))
        return data

    def rule(self) -> dict:
        data = self.cleaned_data
        return {
            "weekday": data["weekday"],
            "nth": data["nth"],
            "skip_august": data["skip_august"],
            "venues": list(data["venues"]),
            "title": data["title"],
            "morning": (data["morning_start"], data["morning_end"]),
            "afternoon": (data["afternoon_start"], data["afternoon_end"]),
        }


class SessionForm(forms.ModelForm):
    """One day of the season; cancelling has its own button, with a confirmation."""

    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "topic",
            "date",
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
            "venue",
            "trainers",
            "description",
            "what_to_bring",
            "capacity",
            "status",
        ]
        widgets = {
            "date": DateInput,
            "morning_start": TimeInput,
            "morning_end": TimeInput,
            "afternoon_start": TimeInput,
            "afternoon_end": TimeInput,
            "trainers": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "what_to_bring": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            choice for choice in TrainingSession.Status.choices if choice[0] != TrainingSession.Status.CANCELLED
        ]
        # The day's programme chooses among its own structures' venues and trainers; what it already uses stays.
        partners = PartnerStructure.objects.filter(programmes=self.instance.cohort.programme_id)
        self.fields["venue"].queryset = Venue.objects.filter(
            models.Q(partner_structure__in=partners) | models.Q(pk=self.instance.venue_id)
        ).select_related("territory")
        chosen = self.instance.trainers.all() if self.instance.pk else Trainer.objects.none()
        self.fields["trainers"].queryset = Trainer.objects.filter(
            models.Q(partner_structure__in=partners) | models.Q(pk__in=chosen.values("pk"))
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Enregistrer")))

    def clean_date(self):
        day: datetime.date = self.cleaned_data["date"]
        cohort = self.instance.cohort
        if not cohort.start_date <= day <= cohort.end_date:
            raise forms.ValidationError(
                _("Choisissez une date pendant la saison, du %(start)s au %(end)s."),
                params={"start": format_date(cohort.start_date), "end": format_date(cohort.end_date)},
            )
        if TrainingSession.objects.filter(cohort=cohort, date=day).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("Une autre journée de la saison a déjà lieu le %(date)s."), params={"date": format_date(day)}
            )
        return day

    def clean(self):
        data = super().clean()
        _check_slots(self, SLOTS, lunch=("morning_end", "afternoon_start"))
        return data


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, session):
        return f"{format_date(session.date, 'j F Y')} — {session.title}"


class MailingForm(forms.Form):
    """A message to some of a season's people; its placeholders must make sense for them."""

    SUBJECT_MAX = 200
    BODY_MAX = 10000

    audience = forms.ChoiceField(
        label=_("À qui écrire ?"),
        choices=Mailing.Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez à qui écrire.")},
    )
    session = SessionChoiceField(
        label=_("Journée collective"),
        queryset=TrainingSession.objects.none(),
        required=False,
        empty_label=_("— choisir une journée —"),
        help_text=_("Seulement pour écrire aux invité·es d'une journée."),
        error_messages={"invalid_choice": _("Choisissez une journée de la saison dans la liste.")},
    )
    subject = forms.CharField(
        label=_("Objet"),
        max_length=SUBJECT_MAX,
        error_messages={"required": _("Écrivez l'objet du message.")},
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Écrivez le message.")},
        help_text=_(
            "Mots remplacés pour chaque personne : {prénom} ; {projet} et {lien} (sa page personnelle, ou sa "
            "réponse à la journée) pour les membres et les invité·es ; {journée} pour les invité·es d'une journée."
        ),
    )
    # Drawn when the preview is shown; the confirmation brings it back (see services.mailings).
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = TrainingSession.objects.filter(cohort=cohort).exclude(
            status=TrainingSession.Status.CANCELLED
        )

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience in Mailing.DAY_AUDIENCES and not data.get("session") and "session" not in self.errors:
            self.add_error("session", _("Choisissez la journée dont vous voulez écrire aux invité·es."))
        if audience:
            for name in ("subject", "body"):
                for error in placeholder_errors(data.get(name, ""), audience=audience):
                    self.add_error(name, error)
        return data


# --- For people without an account ---------------------------------------------------------------------


class SurveyForm(forms.Form):
    """The word after a day: two marks from 1 to 5, and a comment if the person has one."""

    SCORES = [(score, str(score)) for score in range(1, 6)]
    COMMENT_MAX = 2000

    usefulness = forms.TypedChoiceField(
        label=_("Cette journée vous a-t-elle été utile ?"),
        help_text=_("De 1 (pas du tout) à 5 (tout à fait)."),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une note de 1 à 5 pour l'utilité de la journée.")},
    )
    organisation = forms.TypedChoiceField(
        label=_("La journée était-elle bien organisée ?"),
        help_text=_("Lieu, horaires, repas, accueil : de 1 (pas du tout) à 5 (tout à fait)."),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une note de 1 à 5 pour l'organisation de la journée.")},
    )
    comment = forms.CharField(
        label=_("Un mot de plus ? (facultatif)"),
        help_text=_("Ce qui vous a plu, ce qui manquait, une idée pour la prochaine fois."),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Envoyer mon avis")))


class AttestationCheckForm(forms.Form):
    code = forms.CharField(
        label=_("Code de vérification"),
        help_text=_("Il est imprimé en bas de l'attestation, par exemple K7PM-X2QD-9B3F."),
        max_length=40,
        error_messages={"required": _("Tapez le code imprimé sur l'attestation.")},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        # Always the page without a code in its address: the typed code is the one checked.
        self.helper.form_action = reverse("trainings:attestation_check")
        self.helper.add_input(Submit("verifier", _("Vérifier")))

"""Where a project stands months after its season: the contact's answer, through a signed link."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import FollowUp, Outcome
from ..models.follow_up import FUNDS_MAX, JOBS_MAX, VOLUNTEERS_MAX


class FollowUpForm(forms.Form):
    """Status, legal form, jobs, volunteers, funds raised and one sentence; no account needed."""

    SENTENCE_MAX = 300

    status = forms.ChoiceField(
        label=_("Où en est le projet aujourd'hui ?"),
        choices=FollowUp.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Dites où en est le projet aujourd'hui.")},
    )
    legal_form = forms.ChoiceField(
        label=_("Sa forme juridique"),
        choices=[("", _("Choisissez")), *Outcome.LegalForm.choices],
        error_messages={"required": _("Choisissez une forme juridique, ou « Pas encore de forme juridique ».")},
    )
    jobs_fte = forms.DecimalField(
        label=_("Emplois aujourd'hui (équivalent temps plein)"),
        help_text=_(
            "Les emplois salariés du projet. Par exemple 1,5 pour un temps plein et un mi-temps ; 0 s'il n'y en a pas."
        ),
        min_value=0,
        max_value=JOBS_MAX,
        max_digits=4,
        decimal_places=1,
        localize=True,
        error_messages={
            "required": _("Indiquez le nombre d'emplois, 0 s'il n'y en a pas."),
            "invalid": _("Saisissez un nombre, par exemple 1,5."),
            "min_value": _("Le nombre d'emplois ne peut pas être négatif."),
            "max_value": _("Ce nombre est trop grand : 999,9 au plus."),
            "max_digits": _("Ce nombre est trop grand : 999,9 au plus."),
            "max_whole_digits": _("Ce nombre est trop grand : 999,9 au plus."),
            "max_decimal_places": _("Un seul chiffre après la virgule, par exemple 1,5."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    volunteers = forms.IntegerField(
        label=_("Bénévoles actifs"),
        help_text=_("0 s'il n'y en a pas."),
        min_value=0,
        max_value=VOLUNTEERS_MAX,
        error_messages={
            "required": _("Indiquez le nombre de bénévoles, 0 s'il n'y en a pas."),
            "invalid": _("Saisissez un nombre entier, par exemple 4."),
            "min_value": _("Le nombre de bénévoles ne peut pas être négatif."),
            "max_value": _("Ce nombre est trop grand : 100 000 au plus."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    funds_raised = forms.DecimalField(
        label=_("Fonds obtenus depuis le début (€)"),
        help_text=_("Subventions, prêts, dons, apports : le total, 0 s'il n'y en a pas."),
        min_value=0,
        max_value=FUNDS_MAX,
        max_digits=12,
        decimal_places=2,
        localize=True,
        error_messages={
            "required": _("Indiquez les fonds obtenus, 0 s'il n'y en a pas."),
            "invalid": _("Saisissez un montant en euros, par exemple 12500 ou 12500,50."),
            "min_value": _("Un montant obtenu ne peut pas être négatif."),
            "max_value": _("Ce montant est trop grand."),
            "max_digits": _("Ce montant est trop grand."),
            "max_whole_digits": _("Ce montant est trop grand."),
            "max_decimal_places": _("Deux chiffres après la virgule au plus (les centimes)."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    sentence = forms.CharField(
        label=_("En une phrase, quoi de neuf ? (facultatif)"),
        required=False,
        max_length=SENTENCE_MAX,
        error_messages={"max_length": _("Une phrase suffit : 300 caractères au plus.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Envoyer ma réponse")))

    @classmethod
    def initial_from(cls, follow_up: FollowUp) -> dict:
        if not follow_up.is_answered:
            return {}
        return {name: getattr(follow_up, name) for name in cls.base_fields}

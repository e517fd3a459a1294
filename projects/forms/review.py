"""Staff and reviewers: the scoring grid, the conflict of interest, the decision and the decision e-mails."""

import re

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Candidacy, Criterion, DecisionMessage

Status = Candidacy.Status

SCORE_ERRORS = {
    "required": _("Donnez une note de 0 à 5 à ce critère."),
    "invalid": _("Une note est un nombre entier de 0 à 5."),
    "min_value": _("Une note va de 0 à 5 : %(limit_value)s au moins."),
    "max_value": _("Une note va de 0 à 5 : %(limit_value)s au plus."),
}


class ReviewForm(forms.Form):
    """A score from 0 to 5 and a comment for every criterion: a grid is complete or not saved."""

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion, label in Criterion.choices:
            self.fields[f"score_{criterion}"] = forms.IntegerField(
                label=_("%(criterion)s : note sur 5") % {"criterion": label},
                min_value=0,
                max_value=5,
                error_messages=SCORE_ERRORS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "score-input"}),
            )
            self.fields[f"comment_{criterion}"] = forms.CharField(
                label=_("%(criterion)s : commentaire") % {"criterion": label},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if review is not None and not self.is_bound:
            for score in review.scores.all():
                self.initial[f"score_{score.criterion}"] = score.score
                self.initial[f"comment_{score.criterion}"] = score.comment
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def criteria(self):
        """(label, score field, comment field) per criterion, for the template."""
        return [
            (label, self[f"score_{criterion}"], self[f"comment_{criterion}"]) for criterion, label in Criterion.choices
        ]

    def scores(self) -> dict[str, int]:
        return {criterion: self.cleaned_data[f"score_{criterion}"] for criterion in Criterion.values}

    def comments(self) -> dict[str, str]:
        return {criterion: self.cleaned_data[f"comment_{criterion}"] for criterion in Criterion.values}


class ConflictForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Je déclare un conflit d'intérêts : je ne noterai pas cette candidature."),
        error_messages={"required": _("Cochez la case pour déclarer le conflit d'intérêts.")},
    )
    note = forms.CharField(
        label=_("Précision (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Par exemple : « je connais personnellement l'équipe »."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


# What the decision buttons say, in the order the workflow goes.
DECISION_LABELS = {
    Status.UNDER_REVIEW: _("Mettre à l'étude"),
    Status.SHORTLISTED: _("Présélectionner"),
    Status.ACCEPTED: _("Retenir le projet"),
    Status.REJECTED: _("Ne pas retenir"),
}


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("Décision"),
        choices=list(DECISION_LABELS.items()),
        error_messages={
            "required": _("Choisissez une décision parmi les boutons proposés."),
            "invalid_choice": _("Cette décision n'existe pas : choisissez parmi les boutons proposés."),
        },
    )
    note = forms.CharField(
        label=_("Note pour l'historique (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Visible par l'équipe et les évaluateur·rices, pas par la personne qui candidate."),
    )
    confirm_over_capacity = forms.BooleanField(required=False)


PLACEHOLDERS = ("projet", "saison", "reference", "lien_suivi")
BRACED = re.compile(r"\{([^{}]*)\}")


def _check_placeholders(text: str) -> str:
    unknown = sorted({name for name in BRACED.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise forms.ValidationError(
            _(
                "%(unknown)s : ce repère n'est pas connu. Les repères possibles sont {projet}, {saison}, "
                "{reference} et {lien_suivi}."
            ),
            params={"unknown": ", ".join(f"{{{name}}}" for name in unknown)},
        )
    return text


class DecisionMessagesForm(forms.Form):
    """The subject and text of the three decision e-mails of a programme."""

    def __init__(self, *args, texts: dict[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, _label in DecisionMessage.KINDS:
            subject, body = texts[kind]
            self.fields[f"{kind}_subject"] = forms.CharField(
                label=_("Objet"),
                max_length=DecisionMessage._meta.get_field("subject").max_length,
                initial=subject,
                validators=[_check_placeholders],
            )
            self.fields[f"{kind}_body"] = forms.CharField(
                label=_("Texte"),
                max_length=10000,
                initial=body,
                widget=forms.Textarea(attrs={"rows": 12}),
                validators=[_check_placeholders],
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def sections(self):
        """(decision label, subject field, body field) per decision, for the template."""
        return [(label, self[f"{kind}_subject"], self[f"{kind}_body"]) for kind, label in DecisionMessage.KINDS]

    def texts(self) -> dict[str, tuple[str, str]]:
        return {
            kind: (self.cleaned_data[f"{kind}_subject"], self.cleaned_data[f"{kind}_body"])
            for kind, _label in DecisionMessage.KINDS
        }

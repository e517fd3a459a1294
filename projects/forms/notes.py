from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import StaffNote

MAX_NOTE_LENGTH = 5000


class StaffNoteForm(forms.ModelForm):
    text = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Lue par l'équipe du programme et les chargé·es d'accompagnement du projet, jamais par les personnes "
            "qui candidatent ni par les membres du projet."
        ),
        error_messages={
            "required": _("Écrivez la note avant de l'enregistrer."),
            "max_length": _("Une note tient en %(limit_value)d caractères au plus (celle-ci en a %(show_value)d)."),
        },
    )

    class Meta:
        model = StaffNote
        fields = ["text"]

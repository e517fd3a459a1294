from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.forms import DateInput
from incubator.dates import format_date

from .models import ReportShare
from .sharing import last_day_allowed


class ReportShareForm(forms.ModelForm):
    """A new link for a funder: who it is for, and its last day (in the future, within a year by default)."""

    class Meta:
        model = ReportShare
        fields = ["label", "expires_on"]
        widgets = {"expires_on": DateInput}
        error_messages = {
            "label": {"required": _("Indiquez pour qui est ce lien, par exemple « Fondation X ».")},
            "expires_on": {
                "required": _("Indiquez jusqu'à quand le lien fonctionne."),
                "invalid": _("Cette date n'est pas valable : choisissez-la dans le calendrier."),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].widget.attrs["placeholder"] = _("Fondation X")
        self.helper = FormHelper()
        self.helper.add_input(Submit("create", _("Créer le lien")))

    def clean_label(self):
        label = self.cleaned_data["label"].strip()
        if not label:
            raise forms.ValidationError(self.fields["label"].error_messages["required"])
        return label

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("Choisissez une date à venir, à partir de demain."))
        if day > last_day_allowed(today):
            raise forms.ValidationError(
                _("Un lien fonctionne au plus jusqu'au %(day)s : choisissez une date plus proche.")
                % {"day": format_date(last_day_allowed(today), "j F Y")}
            )
        return day

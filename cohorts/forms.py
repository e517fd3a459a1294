from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Cohort, Programme


class DateInput(forms.DateInput):
    """The browser's own date picker, which phones handle well."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["name", "description", "partners", "second_coach_counts_in_cap", "coaches_read_season_projects"]
        widgets = {"partners": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Enregistrer")))

    def clean_partners(self):
        partners = self.cleaned_data["partners"]
        if not self.user.is_superuser and self.user.partner_structure not in partners:
            raise forms.ValidationError(
                _(
                    "Votre structure (%(structure)s) doit rester partenaire du programme pour que vous puissiez le gérer."
                ),
                params={"structure": self.user.partner_structure},
            )
        return partners


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = [
            "programme",
            "name",
            "start_date",
            "duration_months",
            "territories",
            "places",
            "max_projects_per_coach",
            "call_opens_on",
            "call_closes_on",
        ]
        widgets = {
            "start_date": DateInput,
            "call_opens_on": DateInput,
            "call_closes_on": DateInput,
            "territories": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.for_user(user)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Enregistrer")))

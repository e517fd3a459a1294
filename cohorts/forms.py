from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Cohort, PartnerCommitment, Programme


class DateInput(forms.DateInput):
    """The browser's own date picker, which phones handle well."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["name", "description", "partners"]
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


class CommitmentForm(forms.ModelForm):
    """What one structure commits for a season. The structure itself is fixed: the page shows one row per partner."""

    structure = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = PartnerCommitment
        fields = ["coaching_hours", "days_hosted", "coaches", "money"]
        widgets = {
            "coaching_hours": forms.NumberInput(attrs={"step": "0.5", "min": "0", "inputmode": "decimal"}),
            "days_hosted": forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
            "coaches": forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
            "money": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].initial = self.instance.partner_structure_id
        for name in self.Meta.fields:
            self.fields[name].help_text = ""  # the page explains each column once, above the rows

    def clean(self):
        cleaned = super().clean()
        if self.instance.partner_structure_id is None or cleaned.get("structure") != self.instance.partner_structure_id:
            raise forms.ValidationError(
                _("Les structures du programme ont changé depuis l'ouverture de cette page : rechargez-la.")
            )
        return cleaned


class BaseCommitmentFormSet(forms.BaseFormSet):
    """Every row is an initial row: a row left as shown is saved as shown, never dropped as "empty"."""

    def __init__(self, *args, commitments, **kwargs):
        self.commitments = commitments
        super().__init__(*args, initial=[{} for _ in commitments], **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        in_range = index is not None and index < len(self.commitments)
        kwargs["instance"] = self.commitments[index] if in_range else PartnerCommitment()
        return kwargs

    def clean(self):
        count = len(self.commitments)
        if self.initial_form_count() != count or self.total_form_count() != count:
            raise forms.ValidationError(
                _("Les structures du programme ont changé depuis l'ouverture de cette page : rechargez-la.")
            )


def commitment_formset(*, commitments: list[PartnerCommitment], data=None):
    """One form per structure, never more nor fewer: a page posted with rows added or missing is refused."""
    formset_class = forms.formset_factory(CommitmentForm, formset=BaseCommitmentFormSet, extra=0)
    return formset_class(data=data, commitments=commitments, prefix="moyens")

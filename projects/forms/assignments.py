from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.models import User

from ..models import CoachAssignment, Project


class AssignmentForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Projet"), queryset=Project.objects.none())
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=CoachAssignment.Role.choices,
        initial=CoachAssignment.Role.LEAD,
        widget=forms.RadioSelect,
        error_messages={"required": _("Dites si la personne sera référente du projet ou en second.")},
    )
    coach = forms.ModelChoiceField(
        label=_("Chargé·e d'accompagnement"),
        queryset=None,
        error_messages={"required": _("Choisissez la personne qui accompagnera ce projet.")},
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(cohort=cohort)
        self.fields["coach"].queryset = User.objects.coaches_of(cohort.programme_id)

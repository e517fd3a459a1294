"""Staff: find what is held about one person, then hand it over or erase it."""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.utils.translation import gettext_lazy as _


class PersonalDataForm(forms.Form):
    """One form behind the three buttons (search, download, erase); erasing needs the box ticked."""

    SEARCH, EXPORT, ERASE = "search", "export", "erase"
    ACTIONS = {SEARCH, EXPORT, ERASE}

    email = forms.EmailField(
        label=_("Adresse e-mail de la personne"),
        help_text=_("Celle qui a servi à candidater, ou celle d'un membre d'une équipe."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    confirm = forms.BooleanField(
        label=_("Je confirme l'effacement. Il est définitif : rien ne pourra être récupéré."),
        required=False,
    )

    def __init__(self, *args, action=SEARCH, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action if action in self.ACTIONS else self.SEARCH
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form tag carries the token
        # The confirmation box belongs to the erase form, further down the page, next to what it erases.
        self.helper.layout = Layout(
            Field("email"),
            StrictButton(_("Rechercher"), type="submit", name="action", value=self.SEARCH, css_class="btn-primary"),
        )

    def clean(self):
        cleaned_data = super().clean()
        if self.action == self.ERASE and not cleaned_data.get("confirm"):
            self.add_error("confirm", _("Cochez la case pour confirmer l'effacement."))
        return cleaned_data

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Log in with an e-mail address: the keyboard on a phone shows '@' and nothing is capitalised."""

    username = forms.EmailField(
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "autocapitalize": "none"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez les deux, en particulier les majuscules du mot de passe."
        ),
        "inactive": _("Ce compte est désactivé. Écrivez à l'équipe du programme pour le réactiver."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = self.username_field.verbose_name.capitalize()

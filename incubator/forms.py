from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from outbox import emails


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


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, with its mail written to the outbox rather than sent inside the request.

    Django's own `send_mail` talks to the SMTP server while the person waits and only logs a failure: the page
    says the link is on its way when it never will be. Through the outbox, a worker sends it, tries again when
    the server is away, and a mail that fails for good is shown to the superusers, who can send it again.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        html_body = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        emails.send_after_commit(to=[to_email], subject=subject, body=body, html_body=html_body)

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ..models.conversation import MESSAGE_MAX_LENGTH

# Said when a signed link posted its share of messages for now (`CONVERSATION_ANSWER_RATES`).
TOO_MANY_MESSAGES = _(
    "Beaucoup de messages sont partis de ce lien en peu de temps. Réessayez dans une heure ; "
    "votre message reste ci-dessous, rien n'est perdu."
)


class MessageTextarea(forms.Textarea):
    def __init__(self, **kwargs):
        super().__init__(attrs={"rows": 5}, **kwargs)


class MessageField(forms.CharField):
    # No maxlength in the page: a browser would cut a long paste without a word; the form says it instead.
    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class MessageForm(forms.Form):
    """One message of a conversation: the team's, an applicant's or a member's."""

    body = MessageField(
        label=_("Votre message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=MessageTextarea,
        error_messages={
            "required": _("Écrivez votre message avant de l'envoyer."),
            "max_length": _(
                "Votre message est trop long : %(limit_value)s caractères au plus (il en compte %(show_value)s). "
                "Raccourcissez-le, ou envoyez-le en deux fois."
            ),
        },
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["body"].label = label
        self.fields["body"].help_text = _("%(limit)s caractères au plus.") % {
            "limit": number_format(MESSAGE_MAX_LENGTH, force_grouping=True)
        }
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

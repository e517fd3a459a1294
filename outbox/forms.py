from django import forms


class ResendForm(forms.Form):
    """The resend button's one field: which failed mail, as a number a primary key can hold."""

    mail = forms.IntegerField(min_value=1, max_value=2**63 - 1)

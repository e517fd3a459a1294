"""The file of past seasons a programme's staff bring in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..services.season_import import MAX_FILE_BYTES


class SeasonImportForm(forms.Form):
    file = forms.FileField(
        label=_("Le fichier des saisons passées"),
        help_text=_("Un tableur CSV ou XLSX rempli à partir du modèle, %(size)s Mo au plus.")
        % {"size": MAX_FILE_BYTES // 2**20},
        error_messages={
            "required": _("Choisissez le fichier à reprendre."),
            "empty": _("Ce fichier est vide."),
            "invalid": _("Ce fichier ne se lit pas : choisissez-le à nouveau."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

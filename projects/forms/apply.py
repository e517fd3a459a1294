"""The public application form: the candidacy, its team, its documents, and gentle anti-abuse."""

import time
from pathlib import Path

import filetype
from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core import signing
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from incubator.models import Territory

from .. import tokens
from ..models import Attachment, Candidacy, CandidacyMember

ACCEPTED_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
# Answers a candidacy needs before it can be sent (a draft may lack any of them).
REQUIRED_TO_SUBMIT = [
    "project_name",
    "summary",
    "need",
    "collective_dimension",
    "economic_model",
    "territory",
    "commune",
    "anchoring",
    "sector",
    "stage",
    "expectations",
    "contact_name",
    "contact_email",
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several files at once, each checked by its content rather than by its name."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors, cleaned = [], []
        for upload in uploads:
            try:
                cleaned.append(self.clean_one(super().clean(upload, initial)))
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned

    def clean_one(self, upload):
        name = Path(upload.name).name
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("« %(name)s » pèse %(size)s : c'est plus que les %(max)s permis par document."),
                params={
                    "name": name,
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
                },
            )
        upload.seek(0)
        kind = filetype.guess(upload.read(8192))
        upload.seek(0)
        if kind is None or kind.mime not in ACCEPTED_TYPES:
            raise forms.ValidationError(
                _(
                    "« %(name)s » n'est pas un document PDF, ODT, DOCX, JPEG ou PNG lisible. "
                    "Enregistrez-le dans l'un de ces formats puis ajoutez-le de nouveau."
                ),
                params={"name": name},
            )
        upload.detected_content_type = kind.mime
        # A document keeps the applicant's name, with the extension its content really has.
        upload.name = f"{Path(name).stem[:200]}{ACCEPTED_TYPES[kind.mime]}"
        return upload


class CandidacyForm(forms.ModelForm):
    consent = forms.BooleanField(
        label=_("J'accepte que les informations de cette candidature soient traitées pour la sélection des projets."),
        required=False,
    )
    documents = DocumentsField(
        label=_("Documents (facultatif)"),
        required=False,
        help_text=_(
            "PDF, ODT, DOCX, JPEG ou PNG ; 10 Mo au plus par document, 5 documents et 25 Mo en tout, "
            "20 Mo au plus ajoutés en une fois."
        ),
    )
    remove_documents = forms.ModelMultipleChoiceField(
        label=_("Retirer ces documents"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Robots fill every field; people never see this one.
    website = forms.CharField(label=_("Laissez ce champ vide"), required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Candidacy
        fields = [
            "project_name",
            "summary",
            "need",
            "collective_dimension",
            "economic_model",
            "sector",
            "territory",
            "commune",
            "anchoring",
            "stage",
            "expectations",
            "heard_from",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "need": forms.Textarea(attrs={"rows": 4}),
            "collective_dimension": forms.Textarea(attrs={"rows": 4}),
            "economic_model": forms.Textarea(attrs={"rows": 4}),
            "anchoring": forms.Textarea(attrs={"rows": 3}),
            "expectations": forms.Textarea(attrs={"rows": 3}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {
            "summary": _("Ce que vous voulez faire, avec qui, où."),
            "collective_dimension": _("Qui porte le projet avec vous ? Comment prenez-vous les décisions ?"),
            "economic_model": _(
                "D'où viendront les ressources : ventes, subventions, bénévolat, dons… Un mélange est bienvenu."
            ),
            "anchoring": _(
                "Les habitants, associations, collectivités ou entreprises avec qui vous êtes déjà en lien."
            ),
            "contact_email": _(
                "Nous y enverrons le lien pour reprendre votre brouillon, puis les nouvelles de votre candidature."
            ),
        }

    def __init__(self, *args, submitting: bool, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        territories = cohort.territories.all() or Territory.objects.all()
        territory = self.fields["territory"]
        territory.queryset = territories
        territory.empty_label = _("Choisissez")
        # The options are the territories read once here: drawing the list does not read them again.
        options = territory.iterator(territory)
        territory.widget.choices = [("", territory.empty_label), *map(options.choice, territories)]
        for name in ("sector", "stage", "heard_from"):
            self.fields[name].choices = [("", _("Choisissez")), *self.fields[name].choices[1:]]
        for name in REQUIRED_TO_SUBMIT:
            # The browser does not insist (a draft may be incomplete); the server does, on sending.
            self.fields[name].required = False
            self.fields[name].widget.is_required = False
            self.fields[name].marked_required = True  # starred all the same: sending needs it
            self.fields[name].widget.attrs["aria-required"] = "true"
        self.fields["consent"].marked_required = True
        self.fields["contact_email"].required = True
        if self.instance.pk:
            self.fields["remove_documents"].queryset = self.instance.attachments.all()
            self.initial.setdefault("consent", self.instance.consent_at is not None)
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time(), salt=tokens.FORM_STARTED)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _(
                    "Votre envoi n'a pas pu être pris en compte : le champ « Laissez ce champ vide » a été rempli. "
                    "Videz-le, puis envoyez de nouveau."
                ),
                code="robot",
            )
        if self.submitting:
            self._check_complete(cleaned)
            if self.instance.pk is None:
                # A saved draft came back through the link mailed to its author: no robot's haste to fear.
                self._check_fill_time(cleaned)
        self._check_document_count(cleaned)
        self._check_document_volume(cleaned)
        return cleaned

    def _check_complete(self, cleaned):
        for name in REQUIRED_TO_SUBMIT:
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Cette réponse est nécessaire pour envoyer la candidature."))
        if not cleaned.get("consent"):
            self.add_error(
                "consent",
                _("Pour envoyer la candidature, cochez cette case : sans elle, nous ne pouvons pas l'étudier."),
            )

    def _check_fill_time(self, cleaned):
        try:
            started = signing.loads(cleaned.get("started") or "", salt=tokens.FORM_STARTED)
        except signing.BadSignature:
            started = None
        if started is None or time.time() - float(started) < settings.APPLY_MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _(
                    "Le formulaire a été envoyé très vite après son ouverture, comme le ferait un robot. "
                    "Relisez vos réponses, puis envoyez-le de nouveau."
                ),
                code="robot",
            )

    def _check_document_count(self, cleaned):
        kept = len(self.fields["remove_documents"].queryset) - len(cleaned.get("remove_documents") or [])
        if kept + len(cleaned.get("documents") or []) > settings.ATTACHMENT_MAX_COUNT:
            self.add_error(
                "documents",
                _("Une candidature a %(max)s documents au plus : retirez-en avant d'en ajouter d'autres.")
                % {"max": settings.ATTACHMENT_MAX_COUNT},
            )

    def _check_document_volume(self, cleaned):
        """What one post carries, and what the candidacy keeps in all, stay within bounds."""
        new = sum(upload.size for upload in cleaned.get("documents") or [])
        if new > settings.ATTACHMENT_MAX_REQUEST_BYTES:
            self.add_error(
                "documents",
                _(
                    "Ces documents pèsent %(size)s ensemble : c'est plus que les %(max)s qui peuvent être ajoutés "
                    "en une fois. Ajoutez-les en plusieurs fois, en enregistrant le brouillon entre deux."
                )
                % {"size": filesizeformat(new), "max": filesizeformat(settings.ATTACHMENT_MAX_REQUEST_BYTES)},
            )
            return
        removed = {attachment.pk for attachment in cleaned.get("remove_documents") or []}
        kept = sum(
            attachment.size for attachment in self.fields["remove_documents"].queryset if attachment.pk not in removed
        )
        if kept + new > settings.ATTACHMENT_MAX_TOTAL_BYTES:
            self.add_error(
                "documents",
                _(
                    "Avec ces documents, la candidature pèserait %(size)s : c'est plus que les %(max)s permis en "
                    "tout. Retirez-en un ou réduisez leur taille (un PDF compressé, une photo plus petite)."
                )
                % {"size": filesizeformat(kept + new), "max": filesizeformat(settings.ATTACHMENT_MAX_TOTAL_BYTES)},
            )

    def model_fields(self) -> dict:
        """What can be kept of the answers, even when some are not valid yet."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


MEMBER_FIELDS = ("name", "email", "phone", "role")


class MemberForm(forms.ModelForm):
    class Meta:
        model = CandidacyMember
        fields = list(MEMBER_FIELDS)  # a copy: the inline formset appends its foreign key to this list
        widgets = {"phone": forms.TextInput(attrs={"type": "tel"})}


class BaseMemberFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, submitting: bool = False, **kwargs):
        self.submitting = submitting
        super().__init__(*args, **kwargs)
        for index, form in enumerate(self.forms):
            # One person is needed to send; the other rows may stay empty, so only the first name is starred.
            form.fields["name"].marked_required = index == 0

    def clean(self):
        super().clean()
        if self.submitting and not self.members():
            raise forms.ValidationError(_("Présentez au moins une personne de l'équipe."))

    def members(self) -> list[dict]:
        """The team as the page shows it: every saved person (changed or not) and every new row filled in,
        less those ticked for removal. A saved person keeps their `id`."""
        team = []
        for form in self.forms:
            saved = form.instance.pk is not None
            if not form.is_valid() or form.cleaned_data.get("DELETE") or not (saved or form.has_changed()):
                continue
            member = {name: form.cleaned_data.get(name, "") for name in MEMBER_FIELDS}
            member["id"] = form.instance.pk if saved else None
            team.append(member)
        return team


MemberFormSet = forms.inlineformset_factory(
    Candidacy, CandidacyMember, form=MemberForm, formset=BaseMemberFormSet, extra=2, can_delete=True, max_num=12
)

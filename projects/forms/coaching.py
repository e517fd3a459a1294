"""What coaches record: meetings and their next steps, milestones, the season's outcome; and the
programme's default milestones, which staff edit."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.forms import DateInput

from ..models import CoachingSession, MeetingFormat, Milestone, MilestoneTemplate, NextStep, Outcome, Topic

MAX_NEXT_STEPS = 3  # per meeting: a short list gets done, and fits a phone screen
MAX_MEETING_MINUTES = 12 * 60
MAX_TARGET_MONTH = 36  # the longest season a programme can have

DATE_ERRORS = {"invalid": _("Saisissez une date valide, par exemple 14/03/2026.")}


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _not_in_future(day, message):
    if day and day > timezone.localdate():
        raise forms.ValidationError(message)
    return day


class MeetingForm(forms.ModelForm):
    date = forms.DateField(
        label=_("Date du rendez-vous"),
        initial=timezone.localdate,
        widget=DateInput,
        error_messages={**DATE_ERRORS, "required": _("Indiquez la date du rendez-vous.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Durée en minutes"),
        initial=90,
        min_value=5,
        max_value=MAX_MEETING_MINUTES,
        error_messages={
            "required": _("Indiquez la durée du rendez-vous, en minutes."),
            "invalid": _("Une durée est un nombre entier de minutes, par exemple 90."),
            "min_value": _("Un rendez-vous dure au moins %(limit_value)s minutes."),
            "max_value": _("Un rendez-vous dure au plus %(limit_value)s minutes (12 heures)."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 5, "step": 5}),
        help_text=_("Par exemple 90 pour une heure et demie."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=MeetingFormat.choices,
        initial=MeetingFormat.ON_SITE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le format du rendez-vous.")},
    )
    topics = forms.MultipleChoiceField(
        label=_("Sujets abordés"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Ce sujet n'existe pas : choisissez parmi la liste.")},
    )

    class Meta:
        model = CoachingSession
        fields = ["date", "duration_minutes", "format", "topics", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, coaches=None, author=None, **kwargs):
        """`coaches`: who may have taken part (the project's pair, and whoever already did); the question is asked
        only when there are two or more. `author`: ticked by default on a new meeting."""
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        coaches = list(coaches or [])
        if len(coaches) > 1:
            if self.instance.pk:
                initial = [person.pk for person in self.instance.participants.all()] or [self.instance.coach_id]
            else:
                initial = [author.pk] if author else []
            self.fields["participants"] = forms.ModelMultipleChoiceField(
                label=_("Qui était là"),
                queryset=get_user_model().objects.filter(pk__in=[person.pk for person in coaches]),
                initial=initial,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Le temps du rendez-vous est partagé à parts égales entre les personnes présentes."),
                error_messages={"invalid_choice": _("Cette personne n'accompagne pas ce projet.")},
            )

    def clean_date(self):
        return _not_in_future(
            self.cleaned_data["date"],
            _("Ce rendez-vous est dans le futur : notez-le une fois qu'il a eu lieu."),
        )

    def meeting_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def participants(self):
        """Who took part as ticked, or None when the form did not ask (a project with one coach)."""
        if "participants" not in self.fields:
            return None
        return list(self.cleaned_data["participants"])


class NextStepForm(forms.ModelForm):
    class Meta:
        model = NextStep
        fields = ["description", "owner", "due_on"]
        widgets = {"due_on": DateInput}
        labels = {"description": _("Prochaine étape"), "owner": _("Qui s'en charge"), "due_on": _("Pour le")}
        error_messages = {"due_on": DATE_ERRORS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank line is fine (the formset skips it); a line with anything in it needs its description.
        self.fields["description"].required = False

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not self.has_changed():
            return cleaned  # a blank line, even in the place of a step removed meanwhile: nothing to save
        if not cleaned.get("description") and "description" not in self.errors:
            if self.instance.pk:
                # A saved step is never removed by emptying its line by mistake: the box says it.
                self.add_error("description", _("Décrivez l'étape, ou cochez « Supprimer » pour la retirer."))
            else:
                self.add_error("description", _("Décrivez l'étape, ou videz la ligne."))
        return cleaned


class RemovedMeanwhileMixin:
    """For a model formset whose page may stay open while one of its rows is removed elsewhere (another tab,
    a colleague).

    Django would refuse such a row's hidden id with an error nobody can see or fix, so the page could never be
    saved again. Instead the row becomes a new line with what it holds, and the person is told once
    (`removed_meanwhile_message`): sent again, the line is saved anew; emptied or ticked for removal, it goes.
    """

    removed_meanwhile_message = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.removed_meanwhile, self.without_row = self._forget_removed_rows() if self.is_bound else (set(), set())

    def _forget_removed_rows(self) -> tuple[set[int], set[int]]:
        """The rows whose object went since the page was shown (told once), and every saved row now without one."""
        pk_name = self.model._meta.pk.name
        existing = {str(pk) for pk in self.get_queryset().values_list("pk", flat=True)}
        removed, without_row = set(), set()
        data = self.data.copy()
        # A broken count of lines (a robot's, or a damaged page) leaves fewer forms than saved rows: count those.
        for index in range(min(self.initial_form_count(), self.total_form_count())):
            name = f"{self.add_prefix(index)}-{pk_name}"
            if data.get(name) in existing:
                continue
            without_row.add(index)
            if data.get(name):
                data[name] = ""
                removed.add(index)
        if removed:
            self.data = data
        return removed, without_row

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if i in self.without_row:
            form.fields[self.model._meta.pk.name].required = False
        return form

    def clean(self):
        super().clean()
        for index in self.removed_meanwhile:
            form = self.forms[index]
            if form.has_changed() and not self._should_delete_form(form):
                form.add_error(None, self.removed_meanwhile_message)

    def lines_without_row(self) -> list:
        """The valid forms of rows removed meanwhile that the person keeps: new objects to save."""
        return [
            self.forms[index]
            for index in sorted(self.without_row)
            if self.forms[index].has_changed() and not self._should_delete_form(self.forms[index])
        ]


class BaseNextStepFormSet(RemovedMeanwhileMixin, forms.BaseModelFormSet):
    removed_meanwhile_message = _(
        "Cette étape a été retirée entre-temps, dans un autre onglet ou par une autre personne. "
        "Enregistrez de nouveau pour la garder, ou videz la ligne."
    )

    def changes(self) -> tuple[list[dict], list[NextStep]]:
        """(steps to save, with `id` for existing ones; steps to remove), from a valid formset."""
        saved, removed = [], []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    removed.append(form.instance)
                continue
            if form.has_changed():
                step = {name: form.cleaned_data[name] for name in NextStepForm.Meta.fields}
                saved.append({"id": form.instance.pk, **step} if form.instance.pk else step)
        return saved, removed


def next_step_formset(*, data=None, meeting=None):
    """Three blank lines for a new meeting; a meeting's own steps, and lines to reach three, when editing."""
    queryset = meeting.next_steps.all() if meeting else NextStep.objects.none()
    existing = len(queryset)
    formset_class = forms.modelformset_factory(
        NextStep,
        form=NextStepForm,
        formset=BaseNextStepFormSet,
        extra=max(MAX_NEXT_STEPS - existing, 1 if meeting else 0),
        can_delete=meeting is not None,
        can_delete_extra=False,
        max_num=max(MAX_NEXT_STEPS, existing + 1),
        validate_max=True,
    )
    return formset_class(data=data, queryset=queryset, prefix="etapes")


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["target_on", "done_on"]
        widgets = {"target_on": DateInput, "done_on": DateInput}
        error_messages = {"target_on": DATE_ERRORS, "done_on": DATE_ERRORS}

    def clean_done_on(self):
        return _not_in_future(
            self.cleaned_data["done_on"],
            _("Une étape clé ne peut pas être atteinte dans le futur : laissez la date vide d'ici là."),
        )


def milestone_formset(*, project, data=None):
    """The project's milestones, dates only; no line can be added (a forged form count is refused)."""
    queryset = project.milestones.all()
    formset_class = forms.modelformset_factory(
        Milestone, form=MilestoneForm, extra=0, max_num=len(queryset), validate_max=True, edit_only=True
    )
    return formset_class(data=data, queryset=queryset, prefix="jalons")


class OutcomeForm(forms.ModelForm):
    jobs_fte = forms.DecimalField(
        label=_("Emplois créés (équivalent temps plein)"),
        initial=0,
        min_value=0,
        max_digits=5,
        decimal_places=1,
        localize=True,
        error_messages={
            "required": _("Indiquez le nombre d'emplois créés, 0 s'il n'y en a pas."),
            "invalid": _("Saisissez un nombre, par exemple 1,5."),
            "min_value": _("Le nombre d'emplois ne peut pas être négatif."),
            "max_digits": _("Ce nombre est trop grand : 9999,9 au plus."),
            "max_whole_digits": _("Ce nombre est trop grand : 9999,9 au plus."),
            "max_decimal_places": _("Un seul chiffre après la virgule, par exemple 1,5."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Par exemple 1,5 pour un temps plein et un mi-temps."),
    )
    volunteers = forms.IntegerField(
        label=_("Bénévoles"),
        initial=0,
        min_value=0,
        max_value=2147483647,
        error_messages={
            "required": _("Indiquez le nombre de bénévoles, 0 s'il n'y en a pas."),
            "invalid": _("Saisissez un nombre entier."),
            "min_value": _("Le nombre de bénévoles ne peut pas être négatif."),
            "max_value": _("Ce nombre est trop grand."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )
    funds_raised = forms.DecimalField(
        label=_("Fonds obtenus (€)"),
        initial=0,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        localize=True,
        error_messages={
            "required": _("Indiquez les fonds obtenus, 0 s'il n'y en a pas."),
            "invalid": _("Saisissez un montant en euros, par exemple 12500 ou 12500,50."),
            "min_value": _("Un montant obtenu ne peut pas être négatif."),
            "max_digits": _("Ce montant est trop grand."),
            "max_whole_digits": _("Ce montant est trop grand."),
            "max_decimal_places": _("Deux chiffres après la virgule au plus (les centimes)."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    class Meta:
        model = Outcome
        fields = ["status", "legal_form", "jobs_fte", "volunteers", "funds_raised", "skills_gained"]
        widgets = {"skills_gained": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "status": {"required": _("Dites où en est le projet.")},
            "legal_form": {"required": _("Choisissez une forme juridique, ou « Pas encore de forme juridique ».")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Choisissez")), *Outcome.Status.choices]
        self.helper = _helper()


class MilestoneTemplateForm(forms.ModelForm):
    target_month = forms.IntegerField(
        label=_("Mois visé dans la saison"),
        required=False,
        min_value=1,
        max_value=MAX_TARGET_MONTH,
        error_messages={
            "invalid": _("Un mois est un nombre entier, 1 pour le premier mois de la saison."),
            "min_value": _("Le premier mois de la saison est le mois 1."),
            "max_value": _("Une saison dure %(limit_value)s mois au plus."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": MAX_TARGET_MONTH}),
    )
    order = forms.IntegerField(
        label=_("Ordre"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=_("Vide : à la fin de la liste."),
        error_messages={
            "invalid": _("L'ordre est un nombre entier, par exemple 1."),
            "min_value": _("L'ordre est un nombre positif."),
            "max_value": _("Ce nombre est trop grand."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )

    class Meta:
        model = MilestoneTemplate
        fields = ["name", "order", "target_month"]
        error_messages = {"name": {"required": _("Donnez un nom à l'étape clé, ou cochez « Supprimer ».")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.initial.get("name"):
            self.initial["order"] = None  # a blank line goes to the end of the list unless told otherwise

    def has_changed(self):
        # A line filled in from the built-in list is saved as it is, even untouched.
        return super().has_changed() or (self.instance.pk is None and bool(self.initial.get("name")))


class BaseMilestoneTemplateFormSet(RemovedMeanwhileMixin, forms.BaseModelFormSet):
    removed_meanwhile_message = _(
        "Cette étape clé a été retirée entre-temps, dans un autre onglet ou par une autre personne. "
        "Enregistrez de nouveau pour la garder, ou cochez « Supprimer »."
    )

    saved_meanwhile = False

    def clean(self):
        super().clean()
        if self.saved_meanwhile:
            # Saving the built-in list again over the one a colleague saved would double every line.
            raise forms.ValidationError(
                _(
                    "Pendant que vous prépariez cette liste, une autre personne a enregistré celle du programme. "
                    "Rien n'est enregistré ici : rechargez la page pour partir de la sienne."
                )
            )

    def save_for(self, programme):
        # Django saves new objects from the extra lines only: a line whose template went meanwhile is one too.
        instances = self.save(commit=False) + [form.save(commit=False) for form in self.lines_without_row()]
        for template in self.deleted_objects:
            template.delete()
        kept = [form for form in self.forms if form.cleaned_data and form not in self.deleted_forms]
        last = max((form.cleaned_data.get("order") or 0 for form in kept), default=0)
        for template in instances:
            template.programme = programme
            if template.order is None:
                last += 1
                template.order = last
            template.save()


def milestone_template_formset(*, programme, data=None, defaults=()):
    """The programme's default milestones with blank lines to add some; prefilled with `defaults` if it has none."""
    queryset = programme.milestone_templates.all()
    # A post is read against the page it comes from, not against the list as it is now: the built-in list was
    # shown when the page had no saved line.
    showed_defaults = not len(queryset) if data is None else data.get("jalons-INITIAL_FORMS") == "0"
    initial = list(defaults) if showed_defaults else []
    formset_class = forms.modelformset_factory(
        MilestoneTemplate,
        form=MilestoneTemplateForm,
        formset=BaseMilestoneTemplateFormSet,
        extra=len(initial) + 2,
        can_delete=True,
    )
    formset = formset_class(data=data, queryset=queryset, initial=initial, prefix="jalons")
    formset.saved_meanwhile = data is not None and showed_defaults and bool(defaults) and len(queryset) > 0
    return formset

"""Forms are drawn in Python for speed, with exactly the markup of the templates they replace: Django's widget
and error-list templates, character for character, and crispy-bootstrap5's field template, whitespace aside."""

import datetime
import re
from pathlib import Path

import crispy_bootstrap5
import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.template import Context, Engine, Template
from django.utils.safestring import mark_safe

from incubator.form_rendering import FormRenderer

GROUPED = [
    ("", "Choisissez"),
    ("Sud", [("26", "Drôme & <Ardèche>"), ("84", "Vaucluse")]),
    ("Nord", [("59", 'Nord "Pas-de-Calais"')]),
    (7, 7),
]

WIDGETS = [
    (
        forms.TextInput(attrs={"class": "a b", "aria-required": "true", "autofocus": True, "hidden": False}),
        "Léa & <Co>",
    ),
    (forms.TextInput(attrs={"placeholder": 'Un "nom"', "maxlength": 200}), None),
    (forms.TextInput(), mark_safe("<b>sûr</b>")),
    (forms.EmailInput(attrs={"autocomplete": "email"}), "lea@exemple.fr"),
    (forms.NumberInput(attrs={"min": 0, "step": "0.5"}), 12),
    (forms.NumberInput(), 1.5),
    (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 4, 10)),
    (forms.DateTimeInput(), datetime.datetime(2026, 4, 10, 9, 30)),
    (forms.TimeInput(), datetime.time(9, 30)),
    (forms.PasswordInput(render_value=True), "secret&"),
    (forms.PasswordInput(), "secret"),
    (forms.HiddenInput(), "signé:1"),
    (forms.URLInput(), "https://exemple.fr/?a=1&b=2"),
    (forms.SearchInput(), "ressourcerie"),
    (forms.TextInput(attrs={"type": "tel"}), "06 00 00 00 00"),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(attrs={"class": "form-check-input"}), False),
    (forms.FileInput(attrs={"accept": ".pdf"}), None),
    (forms.Textarea(attrs={"rows": 4}), "Deux lignes\n<script>alert(1)</script> & plus"),
    (forms.Textarea(), ""),
    (forms.Textarea(), None),
    (forms.Select(choices=GROUPED), "84"),
    (forms.Select(choices=[("", "—"), ("a", "A")], attrs={"aria-required": "true"}), None),
    (forms.SelectMultiple(choices=GROUPED), ["26", "59"]),
    (forms.NullBooleanSelect(), True),
    (forms.RadioSelect(choices=[("a", "A"), ("b", "B")]), "a"),
    (forms.CheckboxSelectMultiple(choices=[("a", "A"), ("b", "B")]), ["b"]),
    (forms.ClearableFileInput(), None),
    (forms.SplitDateTimeWidget(), datetime.datetime(2026, 4, 10, 9, 30)),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda item: type(item).__name__)
def test_every_widget_is_drawn_exactly_as_djangos_templates_draw_it(widget, value):
    attrs = {"id": "id_answer", "aria-describedby": "id_answer_helptext"}
    fast = widget.render("answer", value, attrs=attrs, renderer=FormRenderer())
    stock = widget.render("answer", value, attrs=attrs, renderer=DjangoTemplates())
    assert fast == stock


@pytest.mark.parametrize("field_id", ["id_answer", None])
def test_error_lists_are_drawn_exactly_as_djangos_templates_draw_them(field_id):
    messages = ["Cette réponse est <nécessaire>.", mark_safe("<em>Deux</em>")]
    for errors in (messages, []):
        fast = ErrorList(errors, field_id=field_id, renderer=FormRenderer())
        stock = ErrorList(errors, field_id=field_id, renderer=DjangoTemplates())
        assert str(fast) == str(stock)
        assert fast.as_ul() == stock.as_ul()
    assert ErrorList(messages, error_class="nonfield", renderer=FormRenderer()).as_ul() == (
        ErrorList(messages, error_class="nonfield", renderer=DjangoTemplates()).as_ul()
    )


class Everything(forms.Form):
    name = forms.CharField(label="Nom & prénom", help_text="Comme <b>sur</b> vos papiers.")
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"class": "mine"}))
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Facultatif.")
    kind = forms.ChoiceField(choices=GROUPED)
    agree = forms.BooleanField(label="J'accepte", help_text="Sans quoi rien ne part.")
    optional_agree = forms.BooleanField(required=False)
    format = forms.ChoiceField(choices=[("site", "Sur place"), ("visio", "En visio")], widget=forms.RadioSelect)
    topics = forms.MultipleChoiceField(
        choices=[("a", "Finances"), ("b", "Juridique")], widget=forms.CheckboxSelectMultiple, required=False
    )
    document = forms.FileField(required=False, help_text="PDF.")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


def _crispy_bootstrap5_field():
    """crispy-bootstrap5's own `bootstrap5/field.html`, which templates/bootstrap5/field.html replaces."""
    engine = Engine(
        dirs=[Path(crispy_bootstrap5.__file__).parent / "templates"],
        libraries={
            "crispy_forms_field": "crispy_forms.templatetags.crispy_forms_field",
            "crispy_forms_filters": "crispy_forms.templatetags.crispy_forms_filters",
            "l10n": "django.templatetags.l10n",
        },
    )
    return engine.get_template("bootstrap5/field.html")


def _markup(html: str) -> str:
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


def _helpers():
    yield None
    yield FormHelper()
    inline = FormHelper()
    inline.help_text_inline = True
    inline.error_text_inline = False
    yield inline
    horizontal = FormHelper()
    horizontal.form_class = "form-horizontal"
    horizontal.label_class = "col-lg-2"
    horizontal.field_class = "col-lg-8"
    yield horizontal
    bare = FormHelper()
    bare.form_show_labels = False
    bare.form_show_errors = False
    yield bare


@pytest.mark.parametrize("bound", [False, True], ids=["blank", "with errors"])
@pytest.mark.parametrize("helper_index", range(5))
def test_every_field_is_drawn_as_crispy_bootstrap5_draws_it(bound, helper_index):
    stock_template = _crispy_bootstrap5_field()

    def form():
        data = {"name": "", "email": "pas-une-adresse", "kind": "84", "format": "visio"} if bound else None
        made = Everything(data, auto_id="id_%s")
        made.helper = list(_helpers())[helper_index]
        if made.helper is None:
            del made.helper
        return made

    ours, through_template, theirs = form(), form(), form()
    loaded = Template("{% load crispy_fields %}{{ field|as_crispy_field }}")
    for name in ours.fields:
        drawn = loaded.render(Context({"field": ours[name]}))
        # crispy's own filter renders templates/bootstrap5/field.html, as `{% crispy form %}` does.
        assert _markup(as_crispy_field(through_template[name])) == _markup(drawn), name
        helper = getattr(theirs, "helper", None)
        context = {"field": theirs[name], "form_show_errors": True, "form_show_labels": True}
        context |= {"label_class": "", "field_class": ""}
        if helper is not None:
            context |= helper.get_attributes("bootstrap5")
        stock = stock_template.render(Context(context))
        # The site's star is hidden from screen readers: the label says "required" through aria-required.
        stock = stock.replace(
            '<span class="asteriskField">*</span>', '<span class="asteriskField" aria-hidden="true">*</span>'
        )
        assert _markup(drawn) == _markup(stock), name


def test_a_field_drawn_twice_keeps_one_set_of_bootstrap_classes():
    form = Everything({"name": ""})
    as_crispy_field(form["name"])
    assert 'class="textinput form-control is-invalid"' in as_crispy_field(form["name"])


def _plain_helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _laid_out_helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout("name")
    return helper


def _tagged_helper():
    helper = FormHelper()
    helper.form_action = "/envoyer/"
    return helper


class PlainForm(forms.Form):
    name = forms.CharField(label="Nom <et> prénom", help_text="Comme sur vos papiers & ailleurs", max_length=20)
    agree = forms.BooleanField(label="J'accepte")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)


@pytest.mark.parametrize("data", [None, {}, {"name": "x" * 30, "note": "a   <b>   >   < /><"}])
@pytest.mark.parametrize("make_helper", [_plain_helper, _laid_out_helper, _tagged_helper, FormHelper])
def test_the_crispy_tag_of_crispy_fields_draws_what_crispys_own_draws(data, make_helper):
    form = PlainForm(data)
    form.helper = make_helper()
    if data is not None:
        form.full_clean()
        form.add_error(None, "Une erreur <de formulaire>")
    context = {"form": form, "csrf_token": "jeton"}
    crispys = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context(context))
    ours = Template("{% load crispy_forms_tags crispy_fields %}{% crispy form %}").render(Context(context))
    assert ours == crispys

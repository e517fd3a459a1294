"""How the site draws form widgets and error lists: Django's own markup, written out in Python for the common ones.

A page with a form renders dozens of widgets; through Django's templates each one costs a template with an
`{% include %}` of its attributes (and one more per `<option>`), which made form pages several times slower
than the page around them. `FormRenderer` produces, character for character, what Django's stock templates
`django/forms/widgets/{input,textarea,select,select_option}.html` and `django/forms/errors/list/ul.html`
produce (tests/incubator/test_form_rendering.py compares both on every widget kind), and hands every other
template (radio buttons, file inputs with a current file, the admin's widgets, whole forms) to those templates
as before.
"""

from html import escape as html_escape

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
INPUTS = frozenset(
    f"{WIDGETS}{kind}.html"
    for kind in (
        "input",
        "text",
        "email",
        "number",
        "password",
        "url",
        "tel",
        "search",
        "date",
        "datetime",
        "time",
        "hidden",
        "color",
        "file",
        "checkbox",
    )
)
TEXTAREA = f"{WIDGETS}textarea.html"
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
ERROR_LISTS = frozenset(("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"))


def shown(value) -> str:
    """`{{ value }}` in a template: local time, localised, escaped unless already safe."""
    if isinstance(value, SafeData):
        return value
    if type(value) is str:
        return html_escape(value)  # what Django's `escape` does to a string, without its lazy-string wrapper
    return conditional_escape(localize(template_localtime(value)))


def formatted(value) -> str:
    """`{{ value|stringformat:'s' }}` in a template: not localised, escaped unless already safe."""
    text = str(value)  # what "%s" % value gives, a tuple included (the filter turns it into a string first)
    return text if isinstance(value, SafeData) else html_escape(text)


def attributes(attrs: dict) -> str:
    """Django's `django/forms/widgets/attrs.html`: False leaves the attribute out, True writes its name alone."""
    return "".join(
        f" {shown(name)}" if value is True else f' {shown(name)}="{formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget: dict) -> str:
    value = widget["value"]
    shown_value = "" if value is None else f' value="{formatted(value)}"'
    return f'<input type="{shown(widget["type"])}" name="{shown(widget["name"])}"{shown_value}{attributes(widget["attrs"])}>'


def textarea_html(widget: dict) -> str | None:
    value = widget["value"]
    if value and not isinstance(value, str):
        return None  # a value that would be localised: the template knows how
    return f'<textarea name="{shown(widget["name"])}"{attributes(widget["attrs"])}>\n{shown(value) if value else ""}</textarea>'


def select_html(widget: dict) -> str | None:
    parts = [f'<select name="{shown(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None  # a widget with options of its own kind
            parts.append(
                f'\n  <option value="{formatted(option["value"])}"{attributes(option["attrs"])}>'
                f"{shown(option['label'])}</option>\n"  # the option's template ends with a new line
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def error_list_html(errors, error_class) -> str:
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    id_attribute = f' id="{shown(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{shown(error)}</li>" for error in errors)
    return f'<ul class="{shown(error_class)}"{id_attribute}>{items}</ul>'


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with the widgets every form uses drawn without a template."""

    def render(self, template_name, context, request=None):
        html = None
        if template_name in INPUTS:
            html = input_html(context["widget"])
        elif template_name == TEXTAREA:
            html = textarea_html(context["widget"])
        elif template_name == SELECT:
            html = select_html(context["widget"])
        elif template_name in ERROR_LISTS and set(context) == {"errors", "error_class"}:
            html = error_list_html(context["errors"], context["error_class"])
        if html is None:
            return super().render(template_name, context, request=request)
        return SafeString(html.strip())

"""`{% bootstrap_field %}`: crispy-bootstrap5's `bootstrap5/field.html`, written out in Python.

Every field crispy draws (`|as_crispy_field`, `{% crispy form %}`) goes through `templates/bootstrap5/field.html`,
which calls this tag with crispy's context. The markup is crispy-bootstrap5's, branch for branch: the wrapper,
the label or legend with the site's star (`marked_required`), the widget with Bootstrap's classes added the way
crispy's `{% crispy_field %}` adds them, the help text, and the errors wired to the widget by
`aria-describedby`. Radio buttons, lists of checkboxes and file inputs keep crispy's own templates. Written
in Python because the template, with its includes, cost more than the widget it wrapped, on every field of
every form.
"""

from django import forms, template
from django.conf import settings
from django.template import loader
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from incubator.form_rendering import shown

from .form_marks import marked_required

STAR = '<span class="asteriskField" aria-hidden="true">*</span>'
RADIO_CHECKBOX_SELECT = "bootstrap5/layout/radio_checkbox_select.html"
FIELD_FILE = "bootstrap5/layout/field_file.html"

register = template.Library()


@register.simple_tag(takes_context=True)
def bootstrap_field(context):
    return draw(context)


def draw(context) -> SafeString:
    """The field `context["field"]`, laid out by crispy's context (a template's `Context` or a dict)."""
    field = context.get("field")
    if field.is_hidden:
        return SafeString(conditional_escape(field))
    return SafeString(_field(context, field))


def _field(context, field) -> str:
    widget = field.field.widget
    is_checkbox = isinstance(widget, forms.CheckboxInput)
    is_multiple = isinstance(widget, forms.CheckboxSelectMultiple) or isinstance(widget, forms.RadioSelect)
    horizontal = _horizontal(context)
    show_labels = context.get("form_show_labels")
    label_class = context.get("label_class")
    field_class = context.get("field_class")
    tag = context.get("tag")
    starred = marked_required(field)
    errors = field.errors  # built anew at each reading: read once
    auto_id = shown(field.auto_id)
    outer = is_checkbox and tag != "td"
    html = []

    if outer:
        html.append(f'<div class="mb-3{" row" if horizontal else ""}">')
        if label_class:
            offsets = "".join(
                f"{shown(offset[7:14])}{shown(offset[4:7])}{shown(offset[14:16])} "
                for offset in context.get("bootstrap_checkbox_offsets") or ()
            )
            html.append(f'<div class="{offsets}{shown(field_class or "")}">')

    classes = "form-check" if is_checkbox and show_labels else f"mb-3{' row' if horizontal else ''}"
    if wrapper_class := context.get("wrapper_class"):
        classes += f" {shown(wrapper_class)}"
    if css_classes := field.css_classes():
        classes += f" {shown(css_classes)}"
    element = shown(tag) if tag else "div"
    html.append(f'<{element} id="div_{auto_id}" class="{classes}">')

    use_fieldset = field.use_fieldset
    label_text = shown(field.label)  # a lazy translation: translated once
    if label_text and not is_checkbox and show_labels:
        if use_fieldset:
            row = ' class="row"' if horizontal else ""
            described = f' aria-describedby="{shown(field.aria_describedby)}"' if field.aria_describedby else ""
            html.append(f"<fieldset{row}{described}>")
        label = "legend" if use_fieldset else "label"
        target = f'for="{shown(field.id_for_label)}" ' if field.id_for_label else ""
        label_classes = "col-form-label pt-0" if horizontal else "form-label"
        if label_class:
            label_classes += f" {shown(label_class)}"
        if starred:
            label_classes += " requiredField"
        if use_fieldset:
            label_classes += " fs-6"
        html.append(f'<{label} {target}class="{label_classes}">{label_text}{STAR if starred else ""}</{label}>')

    if is_multiple:
        html.append(_template(RADIO_CHECKBOX_SELECT, context))
    elif is_checkbox and show_labels:
        html.append(_widget(field, "form-check-input is-invalid" if errors else "form-check-input"))
        required = " requiredField" if starred else ""
        html.append(
            f'<label for="{shown(field.id_for_label)}" class="form-check-label{required}">'
            f"{label_text}{STAR if starred else ''}</label>"
        )
        html.append(_help_text_and_errors(context, field, errors, auto_id))
    else:
        if field_class:
            html.append(f'<div class="{shown(field_class)}">')
        if isinstance(widget, forms.FileInput):
            html.append(_template(FIELD_FILE, context))
        else:
            if isinstance(widget, forms.Select):
                kind = "form-select"
            elif is_checkbox:
                kind = "form-check-input"
            else:
                kind = "form-control"
            html.append(_widget(field, f"{kind} is-invalid" if errors else kind))
            html.append(_help_text_and_errors(context, field, errors, auto_id))
        if field_class:
            html.append("</div>")

    if use_fieldset and label_text and show_labels:
        html.append("</fieldset>")
    html.append(f"</{element}>")
    if outer:
        if label_class:
            html.append("</div>")
        html.append("</div>")
    return "\n".join(html)


def _horizontal(context) -> bool:
    form_class = context.get("form_class")
    try:
        return "form-horizontal" in form_class
    except TypeError:
        return False


def _template(name: str, context) -> str:
    return loader.get_template(name).render(context.flatten() if hasattr(context, "flatten") else context)


def _widget(field, css_class: str) -> str:
    """crispy's `{% crispy_field field 'class' css_class %}`: the widget's own class name, then Bootstrap's."""
    outer = field.field.widget
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    for widget in getattr(outer, "widgets", [getattr(outer, "widget", outer)]):
        class_name = widget.__class__.__name__.lower()
        class_name = converters.get(class_name, class_name)
        current = widget.attrs.get("class", "")
        if current:
            if current.find(class_name) == -1:
                current += f" {class_name}"
        else:
            current = class_name
        for name in css_class.split():
            if name not in current.split():
                current += f" {name}"
        widget.attrs["class"] = current
    return str(field)


def _help_text_and_errors(context, field, errors, auto_id: str) -> str:
    """crispy-bootstrap5's `layout/help_text_and_errors.html` and the three templates it includes."""
    help_inline = context.get("help_text_inline")
    errors_inline = context.get("error_text_inline")
    html = []
    if help_inline and not errors_inline:
        html.append(_help_text(field, auto_id, inline=True))
    if context.get("form_show_errors") and errors:
        element = "span" if errors_inline else "p"
        html.append(f'<div id="{shown(errors.field_id)}_error" class="invalid-feedback">')
        html.extend(
            f'<{element} id="error_{number}_{auto_id}"><strong>{shown(error)}</strong></{element}>'
            for number, error in enumerate(errors, start=1)
        )
        html.append("</div>")
    if not help_inline:
        html.append(_help_text(field, auto_id, inline=False))
    return "\n".join(part for part in html if part)


def _help_text(field, auto_id: str, *, inline: bool) -> str:
    if not field.help_text:
        return ""
    if inline:
        return f'<span id="{auto_id}_helptext" class="form-text">{field.help_text}</span>'
    identifier = f'id="{auto_id}_helptext" ' if auto_id else ""
    return f'<div {identifier}class="form-text">{field.help_text}</div>'

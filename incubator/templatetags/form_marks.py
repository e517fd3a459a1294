"""How forms show what must be answered and what went wrong.

`{{ field|marked_required }}`: the star follows the field's `marked_required` when the form sets it (an answer
needed to send a candidacy, though a draft may lack it; a team row nobody must fill), else `required`.
`{{ form|has_marked_fields }}`: whether the form has a starred field, so the star is explained once at the top.
"""

from django import template

register = template.Library()


def _marked(field) -> bool:
    return getattr(field, "marked_required", field.required)


@register.filter
def marked_required(bound_field) -> bool:
    return _marked(bound_field.field)


@register.filter
def has_marked_fields(form) -> bool:
    return any(_marked(field) and not field.widget.is_hidden for field in getattr(form, "fields", {}).values())


@register.filter
def field_errors(form) -> list:
    """(bound field, error) for every field in error, in the page's order; hidden fields have no anchor."""
    return [(form[name], error) for name in form.fields if name in form.errors for error in form.errors[name]]

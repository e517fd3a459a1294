"""crispy-forms' `crispy_forms_tags`, with `|as_crispy_field` drawing a bootstrap5 field without a template.

The settings map the `crispy_forms_tags` library to this module (TEMPLATES, OPTIONS, "libraries"), so that
`{% load crispy_forms_tags %}` gives crispy's tags and filters unchanged but one: `|as_crispy_field` draws what
`templates/bootstrap5/field.html` would draw, with the same Python (`bootstrap_field.draw`), without loading and
rendering a template for each field. A form whose helper names its own field template, or another template
pack, gets crispy's filter.
"""

from crispy_forms.templatetags import crispy_forms_filters, crispy_forms_tags
from crispy_forms.utils import TEMPLATE_PACK
from django import template
from django.forms import BoundField

from .bootstrap_field import draw

register = template.Library()
register.tags.update(crispy_forms_tags.register.tags)
register.filters.update(crispy_forms_tags.register.filters)


@register.filter
def as_crispy_field(field, template_pack=TEMPLATE_PACK, label_class="", field_class=""):
    helper = getattr(getattr(field, "form", None), "helper", None)
    if template_pack != "bootstrap5" or not isinstance(field, BoundField) or getattr(helper, "field_template", None):
        return crispy_forms_filters.as_crispy_field(field, template_pack, label_class, field_class)
    # The context crispy's filter gives the field template.
    context = {
        "field": field,
        "form_show_errors": True,
        "form_show_labels": True,
        "label_class": label_class,
        "field_class": field_class,
    }
    if helper is not None:
        context.update(helper.get_attributes(template_pack))
    return draw(context)

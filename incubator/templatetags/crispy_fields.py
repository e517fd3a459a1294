"""`{% load crispy_fields %}`: crispy's `|as_crispy_field`, drawing a bootstrap5 field without a template.

The filter draws what crispy's own `|as_crispy_field` draws through `templates/bootstrap5/field.html`, with the
same Python (`bootstrap_field.draw`), without loading and rendering a template for each field. A form whose
helper names its own field template, or another template pack, gets crispy's filter. A page loads it after, or
instead of, `crispy_forms_tags` (the application form does: thirty fields).
"""

from crispy_forms.templatetags import crispy_forms_filters
from crispy_forms.utils import TEMPLATE_PACK
from django import template
from django.forms import BoundField

from .bootstrap_field import draw

register = template.Library()


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

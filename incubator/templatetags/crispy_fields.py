"""`{% load crispy_fields %}`: crispy's `|as_crispy_field`, drawing a bootstrap5 field without a template.

The filter draws what crispy's own `|as_crispy_field` draws through `templates/bootstrap5/field.html`, with the
same Python (`bootstrap_field.draw`), without loading and rendering a template for each field. A form whose
helper names its own field template, or another template pack, gets crispy's filter. A page loads it after, or
instead of, `crispy_forms_tags` (the application form does: thirty fields).
"""

from functools import lru_cache

from crispy_forms.templatetags import crispy_forms_filters, crispy_forms_tags
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from crispy_forms.utils import TEMPLATE_PACK
from django import template
from django.forms import BoundField
from django.template import VariableDoesNotExist
from django.template.loader import get_template
from django.utils.safestring import SafeString

from .bootstrap_field import draw

register = template.Library()
FIELD_TEMPLATE = "bootstrap5/field.html"


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


class PlainFormNode(crispy_forms_tags.CrispyFormNode):
    """crispy's `{% crispy form %}` for a form whose helper lays out nothing itself (no layout, no form tag, no
    CSRF token, no buttons, crispy's own templates): the same markup, its fields drawn by `draw` rather than
    through crispy's four nested templates. Any other form or formset gets crispy's rendering."""

    def render(self, context):
        try:
            c = self.get_render(context).flatten()
        except VariableDoesNotExist:
            return context.template.engine.string_if_invalid
        helper = self.actual_helper
        if (
            c["is_formset"]
            or c["template_pack"] != "bootstrap5"
            or helper.layout
            or getattr(helper, "template", False)
            or c["form_tag"]
            or c["inputs"]
            or c["field_template"] != FIELD_TEMPLATE
            or (str(c["form_method"]).lower() == "post" and not c["disable_csrf"])
        ):
            return super().render(context)
        form = c["form"]
        # The text crispy's uni_form.html, display_form.html and whole_uni_form.html put around the errors and
        # the fields (and what field.html puts around each), squeezed the way their {% specialspaceless %} do.
        fields = "".join(f"\n        \n{draw(c | {'field': field})}\n\n    " for field in form)
        errors = f"\n        {errors_template().render(c)}\n    " if c["form_show_errors"] else ""
        media = form.media if c["include_media"] else ""
        uni_form = remove_spaces(f"\n    {media}\n    {errors}\n    {fields}\n".strip())
        # whole_uni_form.html adds only blank text around it (no form tag, token nor buttons), stripped again.
        return SafeString(f"\n\n{remove_spaces(uni_form)}\n")


@lru_cache
def errors_template():
    return get_template("bootstrap5/errors.html")


@register.tag(name="crispy")
def crispy(parser, token):
    node = crispy_forms_tags.do_uni_form(parser, token)
    return PlainFormNode(node.form, node.helper, template_pack=node.template_pack)

from django import template

from ..charts import format_value

register = template.Library()


@register.filter
def report_value(value, kind=""):
    """A figure the French way, with its unit: 12,5 h, 85 %, 1 200 €, — when there is nothing yet."""
    return format_value(value, kind)

"""`{{ day|french_date:"j F Y" }}`: the `date` filter, with « 1er » for the first of the month."""

import datetime

from django import template

from incubator.dates import format_date

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def french_date(value, format="DATE_FORMAT"):
    if not isinstance(value, datetime.date):
        return ""
    return format_date(value, format)

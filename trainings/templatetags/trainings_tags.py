from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def is_trainer(user) -> bool:
    """Whether a person's login belongs to a trainer (anonymous visitors: no)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_trainer)


@register.filter
def shown_value(field):
    """The hidden copy of the value a `show_hidden_initial` field showed, for fields laid out by hand."""
    return field.as_hidden(only_initial=True)


@register.filter
def hours(value) -> str:
    """7, 3,5 or 2,75: hours without trailing zeros, with the language's decimal mark."""
    if value is None:
        return ""
    value = Decimal(value).quantize(Decimal("0.01")).normalize()
    return number_format(value, decimal_pos=max(0, -value.as_tuple().exponent))

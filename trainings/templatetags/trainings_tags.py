from django import template

register = template.Library()


@register.filter
def is_trainer(user) -> bool:
    """Whether a person's login belongs to a trainer (anonymous visitors: no)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_trainer)


@register.filter
def shown_value(field):
    """The hidden copy of the value a `show_hidden_initial` field showed, for fields laid out by hand."""
    return field.as_hidden(only_initial=True)

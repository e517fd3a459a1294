from django import template
from django.core.exceptions import ObjectDoesNotExist

register = template.Library()


@register.filter
def is_trainer(user) -> bool:
    """Whether a person's login belongs to a trainer.

    Reading a reverse one-to-one that does not exist raises; Django caches the answer either way, so the
    check costs one query per request at most.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        return user.trainer is not None
    except ObjectDoesNotExist:
        return False


@register.filter
def shown_value(field):
    """The hidden copy of the value a `show_hidden_initial` field showed, for fields laid out by hand."""
    return field.as_hidden(only_initial=True)

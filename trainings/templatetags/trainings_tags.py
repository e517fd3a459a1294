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

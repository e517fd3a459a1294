"""Who is knocking: the visitor's address and the login they try, for rate limits and lockouts."""

import logging

from django.conf import settings
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The visitor's address.

    Behind TRUSTED_PROXY_COUNT proxies, each appends the address it saw to X-Forwarded-For, so the
    visitor's is that many entries from the right; anything further left could be forged.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def login_username(request, credentials) -> str:
    """The e-mail a login attempt is for, whatever its case, so a lockout cannot be dodged by capitals."""
    source = credentials if credentials is not None else request.POST
    return (source.get("username") or "").strip().lower()


def over_rate_limit(request, *, group: str, rate: str, key: str | None = None) -> bool:
    """Whether this address already used up `rate` (e.g. "5/h") for `group`.

    `key` counts something else than the network address (an e-mail, say) under the same rate.

    When the shared cache is down or silent (half a second, settings.REDIS_CACHE_OPTIONS), people get through:
    refusing a real candidacy would be worse than letting a robot's in; the rest of the request then skips the
    cache, so that a frozen Redis costs a page half a second at most.
    """
    if getattr(request, "_cache_silent", False):  # it failed once in this request: not again
        return False
    try:
        usage = get_usage(request, group=group, key=_key(key), rate=rate, increment=False)
    except Exception:
        logger.warning("Rate limit for %s not checked: the cache does not answer", group, exc_info=True)
        request._cache_silent = True
        return False
    return bool(usage) and usage["count"] >= usage["limit"]


def record_rate_limit(request, *, group: str, rate: str, key: str | None = None) -> None:
    if getattr(request, "_cache_silent", False):
        return
    try:
        get_usage(request, group=group, key=_key(key), rate=rate, increment=True)
    except Exception:
        logger.warning("Rate limit for %s not recorded: the cache does not answer", group, exc_info=True)
        request._cache_silent = True


def _rate_key(group, request):
    return client_ip(request) or "unknown"


def _key(value):
    if value is None:
        return _rate_key
    return lambda group, request: value

"""Who is knocking: the visitor's address and the login they try, for rate limits and lockouts."""

from django.conf import settings


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

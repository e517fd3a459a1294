"""Every e-mail the application sends goes through `send_after_commit`.

The message is rendered now, in the language of the moment, and handed to a Celery worker once the
database transaction has committed, so that an e-mail never announces something that was rolled back.
"""

import logging

from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def render_email(template_base: str, context: dict) -> tuple[str, str]:
    """`<template_base>_subject.txt` and `<template_base>_body.txt`, rendered."""
    subject = " ".join(render_to_string(f"{template_base}_subject.txt", context).split())
    body = render_to_string(f"{template_base}_body.txt", context)
    return subject, body


# Domains reserved for examples and tests (RFC 2606, RFC 6761): nobody can receive mail there.
RESERVED_DOMAINS = (".example", ".test", ".invalid", ".localhost", "example.com", "example.org", "example.net")


def send_after_commit(*, to: list[str], subject: str, body: str) -> None:
    from . import tasks

    to = [address for address in to if not address.lower().endswith(RESERVED_DOMAINS)]
    if not to:
        return  # demo data: nothing to deliver

    def enqueue():
        try:
            tasks.send_email.delay(to=to, subject=subject, body=body)
        except Exception:
            # The broker is unreachable: what the person did is saved all the same; say so loudly.
            logger.exception("Could not queue the e-mail %r to %s", subject, to)

    transaction.on_commit(enqueue)

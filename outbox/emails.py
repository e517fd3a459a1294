"""Every e-mail the application sends goes through the outbox (`OutgoingMail`).

`send_after_commit` renders nothing itself: callers hand it a subject and a body rendered now, in the
language of the moment. It writes an `OutgoingMail` row *inside the caller's transaction* and asks a
Celery worker to deliver it once that transaction has committed, so that an e-mail never announces
something that was rolled back, and nothing is lost when the broker is down: the row waits, and the
sweeper (`requeue_stalled_mail`, run by beat) hands it to a worker later.

What is guaranteed
------------------
- **Never silently lost.** A mail is a committed row before anyone is told about it. It ends `sent`, or
  `failed` with the SMTP server's answer (visible to staff, who can send it again); a row the broker lost,
  or a worker that died holding, is picked up again by the sweeper.
- **At least once, and at most one repeat per crash.** A worker *claims* a row (`queued`/`retry` →
  `sending`, committed) under `select_for_update(skip_locked=True)` before it talks to the SMTP server,
  and marks it `sent` right after; any other worker, or a duplicate task message, sees the claim and
  does nothing. The only repeat left is a worker dying *between* the SMTP server accepting the message
  and the `sent` mark: after `OUTBOX_SENDING_TIMEOUT` the sweeper sends that row again. A worker sends one
  mail at a time, so a crash repeats at most the one mail it had in flight. (No SMTP protocol can do
  better: the acceptance and our own write cannot be made atomic.) The repeat carries the same
  `Message-ID`, which many mail clients use to show it only once.
- `EMAIL_TIMEOUT` is kept well below `OUTBOX_SENDING_TIMEOUT`, so a slow but living worker is never
  overtaken by the sweeper.
"""

import base64
import datetime
import logging
import smtplib
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from incubator.periodic import periodic

from .models import OutgoingMail

logger = logging.getLogger(__name__)

Status = OutgoingMail.Status
MAX_ATTEMPTS = 8
# Temporary failures are tried again after 30 s, 1 min, 2 min, 4 min... at most an hour apart.
FIRST_BACKOFF = datetime.timedelta(seconds=30)
MAX_BACKOFF = datetime.timedelta(hours=1)


def render_email(template_base: str, context: dict) -> tuple[str, str]:
    """`<template_base>_subject.txt` and `<template_base>_body.txt`, rendered."""
    subject = " ".join(render_to_string(f"{template_base}_subject.txt", context).split())
    body = render_to_string(f"{template_base}_body.txt", context)
    return subject, body


# Domains reserved for examples and tests (RFC 2606, RFC 6761): nobody can receive mail there.
RESERVED_DOMAINS = (".example", ".test", ".invalid", ".localhost", "example.com", "example.org", "example.net")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str

    def as_json(self) -> dict:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content": base64.b64encode(self.content).decode("ascii"),
        }


def send_after_commit(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    attachments: list[Attachment] | None = None,
    programme: int | None = None,
) -> OutgoingMail | None:
    """Write the mail to the outbox now; a worker sends it once the current transaction commits.

    `programme` (a primary key) is the programme the mail is about: its staff see it if it fails.
    Returns the outbox row, or None when no address is left to mail: with `OUTBOX_SKIP_RESERVED_DOMAINS` (a real
    SMTP server), addresses at reserved example domains are left out, with a log line.
    Never raises because of the broker: the row is saved whatever happens to the queue.
    """
    if settings.OUTBOX_SKIP_RESERVED_DOMAINS:
        reserved = [address for address in to if address.lower().endswith(RESERVED_DOMAINS)]
        if reserved:
            logger.info("Not mailing %s: reserved example domains receive nothing", ", ".join(reserved))
        to = [address for address in to if address not in reserved]
    if not to:
        return None
    mail = OutgoingMail.objects.create(
        to=to,
        subject=subject,
        body=body,
        html_body=html_body,
        attachments=[attachment.as_json() for attachment in attachments or ()],
        programme_id=programme,
    )
    transaction.on_commit(lambda: enqueue(mail.pk))
    return mail


# When the broker last failed to take a mail, in this process (time.monotonic()); None when it answers.
_broker_failed_at: float | None = None


def enqueue(mail_pk: int, *, despite_pause: bool = False) -> bool:
    """Hand a row to the workers; False (and a log line) when the broker does not answer.

    After one failure, the process does not try again for `OUTBOX_BROKER_PAUSE` seconds: the other mails of
    the same request (a cancelled day with hundreds of invitees) wait in the outbox for the sweeper, and the
    person is answered in a second or two instead of waiting on the broker once per mail. The sweeper tries
    `despite_pause`: its own run is the sign that the broker answers again.
    """
    global _broker_failed_at
    if (
        not despite_pause
        and _broker_failed_at is not None
        and time.monotonic() - _broker_failed_at < settings.OUTBOX_BROKER_PAUSE
    ):
        logger.info("Not queueing outgoing mail %s: the broker failed a moment ago; the sweeper will", mail_pk)
        return False
    try:
        send_outgoing_mail.delay(mail_pk)
    except Exception:
        # The broker is unreachable or silent: the row stays in the outbox and the sweeper will try again.
        logger.exception("Could not queue outgoing mail %s; the sweeper will", mail_pk)
        _broker_failed_at = time.monotonic()
        return False
    _broker_failed_at = None
    return True


# --- Delivery (the worker's side) -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # what the row is now, or "skipped" when this call left it alone
    retry_in: datetime.timedelta | None = None


def sending_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)


def _claim(mail_pk: int, now: datetime.datetime) -> OutgoingMail | None:
    """Take the row for this worker, or None when it is not ours to send (sent, failed, being sent)."""
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update(skip_locked=True).filter(pk=mail_pk).first()
        if mail is None:  # deleted, or another worker is claiming it this very moment
            return None
        if mail.status in (Status.SENT, Status.FAILED):
            return None
        if mail.status == Status.SENDING and mail.claimed_at and mail.claimed_at > now - sending_timeout():
            return None  # a living worker is on it
        mail.status = Status.SENDING
        mail.attempts += 1
        mail.claimed_at = now
        mail.next_attempt_at = None
        mail.save(update_fields=["status", "attempts", "claimed_at", "next_attempt_at"])
    return mail


def _message(mail: OutgoingMail) -> EmailMultiAlternatives:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        to=mail.to,
        # The same Message-ID on every attempt: a repeat after a crash is recognisable as the same mail.
        headers={"Message-ID": f"<outgoing-{mail.pk}-{mail.created_at:%Y%m%d%H%M%S}@{host}>"},
    )
    if mail.html_body:
        message.attach_alternative(mail.html_body, "text/html")
    for attachment in mail.attachments:
        content = base64.b64decode(attachment["content"])
        if attachment["mimetype"].startswith("text/"):
            content = content.decode("utf-8")
        message.attach(attachment["filename"], content, attachment["mimetype"])
    return message


def _is_permanent(error: Exception) -> bool:
    """5xx answers and addresses that cannot be written are final; everything else may pass later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError):
        return False  # our configuration or their server: not this mail's fault
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    if isinstance(error, ValueError | UnicodeError):  # an address or header Django refuses to write
        return True
    return False


def deliver(mail_pk: int, *, now: datetime.datetime | None = None) -> Outcome:
    """Send one outbox row, if it is still to be sent; safe to call any number of times, concurrently."""
    now = now or timezone.now()
    mail = _claim(mail_pk, now)
    if mail is None:
        return Outcome("skipped")
    attempt = mail.attempts
    mine = OutgoingMail.objects.filter(pk=mail.pk, status=Status.SENDING, attempts=attempt)
    try:
        _message(mail).send()
    except Exception as error:
        description = f"{type(error).__name__}: {error}"[:2000]
        if _is_permanent(error) or attempt >= MAX_ATTEMPTS:
            mine.update(status=Status.FAILED, last_error=description)
            logger.warning("Outgoing mail %s failed for good: %s", mail.pk, description)
            return Outcome(Status.FAILED)
        retry_in = min(FIRST_BACKOFF * 2 ** (attempt - 1), MAX_BACKOFF)
        mine.update(status=Status.RETRY, last_error=description, next_attempt_at=timezone.now() + retry_in)
        logger.info("Outgoing mail %s will be tried again in %s: %s", mail.pk, retry_in, description)
        return Outcome(Status.RETRY, retry_in=retry_in)
    if not mine.update(status=Status.SENT, sent_at=timezone.now(), last_error=""):
        logger.warning("Outgoing mail %s was taken over by the sweeper while being sent", mail.pk)
    return Outcome(Status.SENT)


def stalled(now: datetime.datetime | None = None):
    """Rows no worker is looking after: the broker lost them, their retry is due, or their worker died."""
    now = now or timezone.now()
    return OutgoingMail.objects.filter(
        Q(status=Status.QUEUED, created_at__lte=now - datetime.timedelta(seconds=settings.OUTBOX_QUEUED_GRACE))
        | Q(status=Status.RETRY, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_at__lte=now - sending_timeout())
    )


def requeue_stalled(*, now: datetime.datetime | None = None, limit: int = 1000) -> int:
    """Hand stalled rows to the workers again. A row handed twice is still sent once (see `deliver`)."""
    pks = list(stalled(now).order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    queued = 0
    for pk in pks:
        if not enqueue(pk, despite_pause=True):
            break  # the broker failed: the others wait for the next sweep, not one timeout each
        queued += 1
    if pks:
        logger.info("Requeued %s of %s stalled outgoing mails", queued, len(pks))
    return queued


@transaction.atomic
def resend(*, mail: OutgoingMail) -> OutgoingMail:
    """Staff send a failed mail again (after correcting an address, or once the server is fixed)."""
    mail = OutgoingMail.objects.select_for_update().get(pk=mail.pk)
    if mail.status != Status.FAILED:
        return mail
    mail.status = Status.QUEUED
    mail.attempts = 0
    mail.save(update_fields=["status", "attempts"])
    transaction.on_commit(lambda: enqueue(mail.pk))
    return mail


# --- The tasks: beside the service that enqueues them ------------------------------------------------


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_outgoing_mail(self, mail_pk: int) -> str:
    """Deliver one outbox row. Acknowledged late and safe to run twice: the row's state decides.

    A temporary failure is tried again after a short wait (never more than a few minutes of countdown);
    longer waits, and retries the broker could not take, are left to `requeue_stalled_mail`.
    """
    outcome = deliver(mail_pk)
    if outcome.retry_in is not None and not self.request.is_eager and outcome.retry_in.total_seconds() <= 300:
        try:
            self.apply_async(args=[mail_pk], countdown=outcome.retry_in.total_seconds())
        except Exception:  # the broker went away: the sweeper will find the row
            pass
    return outcome.status


@shared_task
@periodic
def requeue_stalled_mail() -> int:
    """Beat, every few minutes: outbox rows the broker or a dead worker lost go back to the workers."""
    return requeue_stalled()

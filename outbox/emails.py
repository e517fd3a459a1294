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
- **At least once; repeated only when a worker dies or the database stays away.** A worker *claims* a row
  (`queued`/`retry` → `sending`, committed) under `select_for_update(skip_locked=True)` just before it talks
  to the SMTP server, and marks it `sent` right after; any other worker, or a duplicate task message, sees
  the claim and does nothing. If the database connection is cut while the claim or the mark is written (a
  restart, a failover), the write is tried again on a new connection, with a short wait, for as long as the
  claim lasts (`OUTBOX_SENDING_TIMEOUT`): a blip shorter than that repeats nothing. What is left:
  - a pool process dying (SIGKILL, out of memory, the machine lost) *between* the SMTP server accepting the
    message and the `sent` mark: after `OUTBOX_SENDING_TIMEOUT` the sweeper sends that row again. Each pool
    process has at most one mail in flight, also when it sends a batch over one connection (each mail of a
    batch is claimed only when its turn comes, and marked sent in the very statement that claims the next one:
    both are written or neither): a crash of a worker started
    with `--concurrency N` repeats at most N mails, one per process, and the unclaimed rest of their batches
    is sent once, by the sweeper;
  - the database unreachable for longer than `OUTBOX_SENDING_TIMEOUT` right after the server accepted a
    message: the mark is given up, and the row is sent again once the claim has expired;
  - an SMTP conversation cut by its deadline (below) after the server had the whole message but before it
    answered: the row is marked `retry`, and that server may deliver the message twice.
  No SMTP protocol can do better: the acceptance and our own write cannot be made atomic. A repeat carries
  the same `Message-ID`, which many mail clients use to show it only once.
- **No slow server is overtaken by the sweeper.** `EMAIL_TIMEOUT` bounds each read and write; on top of it,
  each conversation (connecting, then one mail) has an overall deadline, `OUTBOX_SMTP_DEADLINE` and never more
  than half of `OUTBOX_SENDING_TIMEOUT` (`outbox.smtp`): past it the socket is shut down and the mail is
  marked `retry` with the reason, while its claim still holds, so the sweeper never takes the row back while
  a worker is still talking to the server about it.
"""

import base64
import contextlib
import datetime
import logging
import secrets
import smtplib
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from incubator.periodic import periodic

from .models import OutgoingMail
from .smtp import DeadlineEmailBackend

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
    mail = _unsaved(
        Mail(to=to, subject=subject, body=body, html_body=html_body, attachments=attachments, programme=programme)
    )
    if mail is None:
        return None
    mail.save()
    transaction.on_commit(lambda: enqueue(mail.pk))
    return mail


@dataclass(frozen=True)
class Mail:
    """One mail for `send_many_after_commit`: the same fields as `send_after_commit`'s arguments."""

    to: list[str]
    subject: str
    body: str
    html_body: str = ""
    attachments: list[Attachment] | None = None
    programme: int | None = None


def _unsaved(mail: Mail) -> OutgoingMail | None:
    to = mail.to
    if settings.OUTBOX_SKIP_RESERVED_DOMAINS:
        reserved = [address for address in to if address.lower().endswith(RESERVED_DOMAINS)]
        if reserved:
            logger.info("Not mailing %s: reserved example domains receive nothing", ", ".join(reserved))
        to = [address for address in to if address not in reserved]
    if not to:
        return None
    return OutgoingMail(
        to=to,
        subject=mail.subject,
        body=mail.body,
        html_body=mail.html_body,
        attachments=[attachment.as_json() for attachment in mail.attachments or ()],
        programme_id=mail.programme,
    )


# How many mails one task message carries: a worker sends them over one SMTP connection.
BATCH_SIZE = 50


def send_many_after_commit(mails: list[Mail]) -> list[OutgoingMail | None]:
    """`send_after_commit` for many mails at once: one insert, and one task message per `BATCH_SIZE` mails.

    Returns one entry per mail given, in the same order: its outbox row, or None (no address left to mail).
    """
    rows = [_unsaved(mail) for mail in mails]
    saved = OutgoingMail.objects.bulk_create([row for row in rows if row is not None], batch_size=500)
    pks = [row.pk for row in saved]
    if pks:
        transaction.on_commit(lambda: enqueue_many(pks))
    return rows


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


def enqueue_many(mail_pks: list[int]) -> int:
    """Hand rows to the workers `BATCH_SIZE` at a time; how many were handed. Stops at the first broker
    failure (and honours the pause `enqueue` keeps): the rest wait in the outbox for the sweeper."""
    global _broker_failed_at
    if _broker_failed_at is not None and time.monotonic() - _broker_failed_at < settings.OUTBOX_BROKER_PAUSE:
        logger.info("Not queueing %s outgoing mails: the broker failed a moment ago; the sweeper will", len(mail_pks))
        return 0
    handed = 0
    for start in range(0, len(mail_pks), BATCH_SIZE):
        batch = mail_pks[start : start + BATCH_SIZE]
        try:
            send_outgoing_mails.delay(batch)
        except Exception:
            logger.exception("Could not queue %s outgoing mails; the sweeper will", len(mail_pks) - handed)
            _broker_failed_at = time.monotonic()
            return handed
        handed += len(batch)
    _broker_failed_at = None
    return handed


# --- Delivery (the worker's side) -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # what the row is now, or "skipped" when this call left it alone
    retry_in: datetime.timedelta | None = None


def sending_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)


# One statement, committed on its own: the row is locked (or skipped when another worker holds it this very
# moment), checked, and taken, and its content read back — one round trip per mail of a batch.
CLAIM_SQL = """
UPDATE {table} SET status = %(sending)s, attempts = attempts + 1, claimed_at = %(now)s, next_attempt_at = NULL
WHERE id = (
    SELECT id FROM {table}
    WHERE id = %(pk)s
      AND status NOT IN (%(sent)s, %(failed)s)
      AND NOT (status = %(sending)s AND claimed_at IS NOT NULL AND claimed_at > %(expired)s)
    FOR UPDATE SKIP LOCKED
)
RETURNING *
"""

# The same claim, in the same statement as the "sent" mark of the batch's previous mail (the one the server just
# accepted): both are written, or neither. The row marked and the row claimed are never the same one.
MARK_AND_CLAIM_SQL = """
WITH marked AS (
    UPDATE {table} SET status = %(sent)s, sent_at = %(sent_at)s, last_error = ''
    WHERE id = %(done)s AND status = %(sending)s AND attempts = %(done_attempts)s
    RETURNING id
), claimed AS ({claim})
SELECT claimed.*, (SELECT count(*) FROM marked) AS marked FROM (SELECT 1) AS one LEFT JOIN claimed ON TRUE
"""


@dataclass(frozen=True)
class _Accepted:
    """A mail the server accepted whose "sent" mark is still to be written: alone, or with the next claim."""

    pk: int
    attempts: int
    until: float  # time.monotonic() at which its claim expires: the mark is not tried after it


def _claim_params(mail_pk: int, now: datetime.datetime) -> dict:
    return {
        "pk": mail_pk,
        "now": now,
        "expired": now - sending_timeout(),
        "sending": Status.SENDING,
        "sent": Status.SENT,
        "failed": Status.FAILED,
    }


def _claim(mail_pk: int, now: datetime.datetime, accepted: _Accepted | None = None) -> tuple[OutgoingMail | None, bool]:
    """Take the row for this worker, or None when it is not ours to send (sent, failed, being sent, deleted,
    or another worker claiming it this very moment); with `accepted`, mark that previous mail sent in the same
    statement. Returns the row and whether `accepted` was marked (False without one, or when the sweeper had
    taken it back)."""
    if connection.vendor != "postgresql":
        marked = _mark_sent(accepted) if accepted is not None else False
        return _claim_portably(mail_pk, now), marked
    table = connection.ops.quote_name(OutgoingMail._meta.db_table)
    claim = CLAIM_SQL.format(table=table)
    params = _claim_params(mail_pk, now)
    if accepted is not None:
        claim = MARK_AND_CLAIM_SQL.format(table=table, claim=claim.strip())
        params.update(done=accepted.pk, done_attempts=accepted.attempts, sent_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(claim, params)
        row = cursor.fetchone()
        columns = [column.name for column in cursor.description]
    if row is None:
        return None, False
    values = dict(zip(columns, row, strict=True))
    return _mail(values), bool(values.get("marked"))


def _mail(values: dict) -> OutgoingMail | None:
    """The model instance of a row read back by a claim (None for the claim's empty row), converted as the ORM
    converts what it reads; read this way, a claim costs its round trip and little more."""
    if values["id"] is None:
        return None
    fields = OutgoingMail._meta.concrete_fields
    converted = []
    for field in fields:
        value = values[field.column]
        for converter in field.get_db_converters(connection):
            value = converter(value, field, connection)
        converted.append(value)
    return OutgoingMail.from_db(connection.alias, [field.attname for field in fields], converted)


def _mark_sent(accepted: _Accepted) -> bool:
    """Mark a mail the server accepted as sent, unless the sweeper took it back meanwhile."""
    mine = OutgoingMail.objects.filter(pk=accepted.pk, status=Status.SENDING, attempts=accepted.attempts)
    return bool(
        _with_fresh_connection(
            lambda: mine.update(status=Status.SENT, sent_at=timezone.now(), last_error=""),
            until=accepted.until,
            what=f"marking sent mail {accepted.pk}",
        )
    )


def _claim_portably(mail_pk: int, now: datetime.datetime) -> OutgoingMail | None:
    """The same rules through the ORM, for the embedded database (SQLite has no `SKIP LOCKED`, and one writer)."""
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update(skip_locked=True).filter(pk=mail_pk).first()
        if mail is None or mail.status in (Status.SENT, Status.FAILED):
            return None
        if mail.status == Status.SENDING and mail.claimed_at and mail.claimed_at > now - sending_timeout():
            return None  # a living worker is on it
        mail.status = Status.SENDING
        mail.attempts += 1
        mail.claimed_at = now
        mail.next_attempt_at = None
        mail.save(update_fields=["status", "attempts", "claimed_at", "next_attempt_at"])
    return mail


class _Message(EmailMultiAlternatives):
    """Django's message, with each multipart boundary drawn here, at random as the email package draws it: the
    package would compile a regular expression per message to check its own draw against the text."""

    def message(self):
        message = super().message()
        for part in message.walk():
            if part.is_multipart():
                part.set_boundary("=" * 15 + f"{secrets.randbelow(sys.maxsize):019d}" + "==")
        return message


def _message(mail: OutgoingMail) -> EmailMultiAlternatives:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    message = _Message(
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


def conversation_deadline() -> float:
    """Seconds one SMTP conversation may last: well below `OUTBOX_SENDING_TIMEOUT`, so that the sweeper never
    takes back a row whose worker is still talking to the server, and the "sent" mark has time to be written."""
    return min(settings.OUTBOX_SMTP_DEADLINE, settings.OUTBOX_SENDING_TIMEOUT / 2)


def _backend():
    """The configured mail backend; Django's SMTP backend gets an overall deadline per conversation."""
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return DeadlineEmailBackend()
    return get_connection()


def _conversation(backend):
    if isinstance(backend, DeadlineEmailBackend):
        return backend.deadline(conversation_deadline())
    return contextlib.nullcontext()


def _with_fresh_connection(write, *, until: float, what: str):
    """Run a database write; if the connection was cut (a restart, a failover, a killed backend), try again
    on a new connection, a few times with a short wait, as long as the claim has not expired (`until`)."""
    pause = 0.1
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or time.monotonic() + pause >= until:
                raise
            logger.warning("The database connection was lost while %s; trying again on a new one", what)
            try:
                connection.close()
            except (OperationalError, InterfaceError):
                pass
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def deliver(mail_pk: int, *, now: datetime.datetime | None = None, backend=None) -> Outcome:
    """Send one outbox row, if it is still to be sent; safe to call any number of times, concurrently.

    `backend`: an open mail connection to reuse; without it, one is opened and closed for this mail.
    """
    if backend is None:
        backend = _backend()
        try:
            return deliver(mail_pk, now=now, backend=backend)
        finally:
            backend.close()
    outcome, accepted = _deliver(mail_pk, now=now, backend=backend)
    if accepted is not None:
        _marked_or_taken_over(accepted, _mark_sent(accepted))
    return outcome


def deliver_many(mail_pks: list[int]) -> list[Outcome]:
    """Send outbox rows one after the other over one SMTP connection, each claimed and marked on its own: the
    "sent" mark of each mail is written in the statement that claims the next one, so that this process never
    holds more than one mail the server accepted and the outbox does not know yet."""
    backend = _backend()
    outcomes = []
    accepted = None
    try:
        for pk in mail_pks:
            outcome, accepted = _deliver(pk, backend=backend, accepted=accepted)
            outcomes.append(outcome)
        if accepted is not None:
            _marked_or_taken_over(accepted, _mark_sent(accepted))
    finally:
        backend.close()
    return outcomes


def _marked_or_taken_over(accepted: _Accepted, marked: bool) -> None:
    if not marked:
        logger.warning("Outgoing mail %s was taken over by the sweeper while being sent", accepted.pk)


def _deliver(
    mail_pk: int, *, now: datetime.datetime | None = None, backend, accepted: _Accepted | None = None
) -> tuple[Outcome, _Accepted | None]:
    """Claim one row (marking `accepted` sent in the same statement), send it over `backend`, and write what
    happened — except a success, returned as the mail whose "sent" mark is still to be written."""
    claimed = time.monotonic()
    until = claimed + settings.OUTBOX_SENDING_TIMEOUT
    now = now or timezone.now()
    if accepted is not None and accepted.pk == mail_pk:  # the same row twice in a batch: mark it first, alone
        _marked_or_taken_over(accepted, _mark_sent(accepted))
        accepted = None
    mail, marked = _with_fresh_connection(
        lambda: _claim(mail_pk, now, accepted),
        # With a previous mail's mark, the statement is not tried once that mail's claim has expired.
        until=accepted.until if accepted is not None else until,
        what=f"claiming mail {mail_pk}",
    )
    if accepted is not None:
        _marked_or_taken_over(accepted, marked)
    if mail is None:
        return Outcome("skipped"), None
    attempt = mail.attempts

    def mark(what, **fields):
        mine = OutgoingMail.objects.filter(pk=mail.pk, status=Status.SENDING, attempts=attempt)
        return _with_fresh_connection(lambda: mine.update(**fields), until=until, what=f"{what} mail {mail.pk}")

    try:
        message = _message(mail)
        message.connection = backend
        with _conversation(backend):
            message.send()
    except Exception as error:
        description = f"{type(error).__name__}: {error}"[:2000]
        if _is_permanent(error) or attempt >= MAX_ATTEMPTS:
            mark("failing", status=Status.FAILED, last_error=description)
            logger.warning("Outgoing mail %s failed for good: %s", mail.pk, description)
            return Outcome(Status.FAILED), None
        retry_in = min(FIRST_BACKOFF * 2 ** (attempt - 1), MAX_BACKOFF)
        mark("retrying", status=Status.RETRY, last_error=description, next_attempt_at=timezone.now() + retry_in)
        logger.info("Outgoing mail %s will be tried again in %s: %s", mail.pk, retry_in, description)
        return Outcome(Status.RETRY, retry_in=retry_in), None
    return Outcome(Status.SENT), _Accepted(mail.pk, attempt, until)


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
    _retry_soon(self, mail_pk, outcome)
    return outcome.status


def _retry_soon(task, mail_pk: int, outcome: Outcome) -> None:
    if outcome.retry_in is not None and not task.request.is_eager and outcome.retry_in.total_seconds() <= 300:
        try:
            send_outgoing_mail.apply_async(args=[mail_pk], countdown=outcome.retry_in.total_seconds())
        except Exception:  # the broker went away: the sweeper will find the row
            pass


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_outgoing_mails(self, mail_pks: list[int]) -> list[str]:
    """Deliver several outbox rows over one SMTP connection; each is claimed and marked as in `deliver`."""
    outcomes = deliver_many(mail_pks)
    for mail_pk, outcome in zip(mail_pks, outcomes, strict=True):
        _retry_soon(self, mail_pk, outcome)
    return [outcome.status for outcome in outcomes]


@shared_task
@periodic
def requeue_stalled_mail() -> int:
    """Beat, every few minutes: outbox rows the broker or a dead worker lost go back to the workers."""
    return requeue_stalled()

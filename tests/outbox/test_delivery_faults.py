"""Delivery when the database or the SMTP server misbehaves, with real processes: `celery worker` processes on this
test's own queue, a real aiosmtpd server counting what arrives, the test database's connections cut for real.

The guarantee under test is the one written in `outbox/emails.py`: nothing lost, and no repeat without a crash.
"""

import asyncio
import threading
import time
import uuid
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from outbox import emails
from outbox.models import OutgoingMail
from outbox.tasks import requeue_stalled_mail
from tests import services

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

DEADLINE = 60
Status = OutgoingMail.Status


class CountingHandler:
    """Counts each Message-ID that arrives; can hold the DATA of chosen messages (1-based) before answering,
    or answer every message only after `slow` seconds."""

    def __init__(self, *, hold_at=(), slow: float = 0):
        self.message_ids = Counter()
        self.recipients = Counter()
        self.lock = threading.Lock()
        self.hold_at = set(hold_at)
        self.slow = slow
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.message_ids[message_from_bytes(envelope.content)["Message-ID"]] += 1
            for recipient in envelope.rcpt_tos:
                self.recipients[recipient] += 1
            hold = self.total() in self.hold_at
        if hold:
            # The message is in; the worker waits for our "250" while the test cuts its database connection.
            self.release.clear()
            self.holding.set()
            self.release.wait(timeout=DEADLINE)
        if self.slow:
            await asyncio.sleep(self.slow)
        return "250 Message accepted for delivery"

    def total(self):
        return sum(self.message_ids.values())


@pytest.fixture
def delivery(transactional_db, tmp_path, celery_eager):
    """`delivery(handler, **environment)`: an SMTP server with that handler, and `start()` for workers on this
    test's queue pointed at it; the test process publishes to the same queue."""
    celery_eager.conf.task_always_eager = False
    queue = f"test-outbox-{uuid.uuid4().hex[:8]}"
    default_queue = celery_eager.conf.task_default_queue
    celery_eager.conf.task_default_queue = queue
    processes = []
    servers = []

    def serve(handler, **environment):
        context = services.smtp_server(handler)
        port = context.__enter__()
        servers.append((context, handler))
        environment = {
            "DATABASE_URL": services.database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "CELERY_QUEUE": queue,
            "OUTBOX_QUEUED_GRACE": "1",
            "LOG_LEVEL": "WARNING",
            **environment,
        }

        def start():
            log = open(tmp_path / f"worker-{len(processes)}.log", "w")  # noqa: SIM115 - closed below
            process = services.start_worker(
                queue=queue, environment=environment, log=log, name=f"{queue}-{len(processes)}"
            )
            processes.append((process, log))
            return process

        return start

    serve.queue = queue
    try:
        yield serve
    finally:
        celery_eager.conf.task_default_queue = default_queue
        for _, handler in servers:
            handler.release.set()
        for process, _ in processes:
            if process.poll() is None:
                process.terminate()
        for process, log in processes:
            services.stop_process(process)
            log.close()
            print(Path(log.name).read_text())
        for context, _ in servers:
            context.__exit__(None, None, None)


def write_mails(count: int) -> list[str]:
    addresses = [f"personne{n}@exemple.fr" for n in range(count)]
    with transaction.atomic():
        emails.send_many_after_commit(
            [emails.Mail(to=[address], subject="Rappel", body="À demain.") for address in addresses]
        )
    return addresses


def cut_database_connections() -> int:
    """Every connection to the test database but this process's own is terminated, as in a failover."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def sweep(queue: str) -> None:
    """What beat does every few minutes: the sweeper, run by a worker."""
    requeue_stalled_mail.apply_async(queue=queue)


def test_database_connections_cut_three_times_mid_batch_lose_and_repeat_no_mail(delivery):
    handler = CountingHandler(hold_at={10, 25, 40})
    # A claim expires after 4 s: without the retried "sent" mark, the sweeper would send those rows again.
    start = delivery(handler, OUTBOX_SENDING_TIMEOUT="4", EMAIL_TIMEOUT="3")
    start()
    addresses = write_mails(60)

    cuts = []
    for _ in handler.hold_at:
        deadline = time.monotonic() + DEADLINE
        while not handler.holding.wait(1):  # beat's sweeper keeps running meanwhile
            assert time.monotonic() < deadline, "the worker did not reach the next held message"
            sweep(delivery.queue)
        handler.holding.clear()
        cuts.append(cut_database_connections())
        handler.release.set()
    assert all(cuts), "the worker held no database connection to cut"

    deadline = time.monotonic() + DEADLINE
    while OutgoingMail.objects.exclude(status=Status.SENT).exists():
        assert time.monotonic() < deadline, "every mail was not marked sent"
        sweep(delivery.queue)
        time.sleep(1)
    time.sleep(5)  # past OUTBOX_SENDING_TIMEOUT: a row left "sending" would have been sent again by now
    sweep(delivery.queue)
    time.sleep(1.5)

    assert handler.recipients == Counter(dict.fromkeys(addresses, 1))
    assert set(handler.message_ids.values()) == {1}
    assert set(OutgoingMail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_a_server_answering_slower_than_the_claim_lasts_is_not_overtaken_by_the_sweeper(delivery):
    # Every message is answered only after 6 s; each read waits up to 10 s (EMAIL_TIMEOUT); a claim lasts 4 s, so
    # the conversation is cut after 2 s (half of it).
    handler = CountingHandler(slow=6)
    start = delivery(handler, OUTBOX_SENDING_TIMEOUT="4", EMAIL_TIMEOUT="10")
    start()
    start()  # a second worker, free to run the sweeper and any mail it hands out
    (address,) = write_mails(1)

    services.wait_until(lambda: handler.total() == 1, "the mail did not reach the server", timeout=DEADLINE)
    services.wait_until(
        lambda: OutgoingMail.objects.filter(status=Status.RETRY).exists(),
        "the slow conversation was not cut",
        timeout=DEADLINE,
    )
    time.sleep(3)  # the claim has expired by now: a row still "sending" would be taken back
    sweep(delivery.queue)
    time.sleep(5)  # long enough for a second conversation to reach the server

    assert handler.recipients == Counter({address: 1})
    mail = OutgoingMail.objects.get()
    assert (mail.status, mail.attempts) == (Status.RETRY, 1)
    assert mail.last_error.startswith("ConversationDeadline: le serveur SMTP n'a pas fini de répondre en 2 s")
    assert mail.next_attempt_at is not None

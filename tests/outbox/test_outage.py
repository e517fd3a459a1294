"""Redis goes down while an applicant submits: the candidacy is saved and answered, its e-mail goes later.

The test starts a Redis of its own (broker and cache of both the Django process and the worker) and
stops that one; the machine's shared Redis is never touched.
"""

import datetime
import email
import email.policy
import threading
import time
from collections import Counter

import kombu.pools
import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.celery import app as celery_app
from outbox.models import OutgoingMail
from outbox.tasks import requeue_stalled_mail
from projects import tokens
from projects.models import Candidacy
from tests import services
from tests.factories import CohortFactory, TerritoryFactory
from tests.forms import submit
from tests.projects.test_apply import answers

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

DEADLINE = 20  # seconds for the worker to reconnect and deliver; well under that when healthy


class CountingHandler:
    """Counts what arrives, by recipient and subject."""

    def __init__(self):
        self.received = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        subject = " ".join(message["Subject"].split())  # unfolded
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received[recipient, subject] += 1
        return "250 Message accepted for delivery"


def use_broker(url: str) -> None:
    """Point this process's Celery app at another broker, dropping the connections it pooled."""
    celery_app.conf.broker_url = url
    # kombu keeps one pool per broker URL for the whole process: close and forget them all, so that no
    # closed pool is handed out when this URL comes back; Celery then builds its pools anew from the URL
    # (the same references it drops after a fork, in Celery._after_fork).
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_redis(transactional_db, settings, celery_eager):
    server = services.PrivateRedis()
    server.start()
    previous = celery_app.conf.broker_url
    celery_eager.conf.task_always_eager = False
    use_broker(server.url)
    # The cache goes down with Redis too, as it would in production (CACHE_URL defaults to REDIS_URL).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,  # the site's own timeouts
        }
    }
    try:
        yield server
    finally:
        server.stop()
        use_broker(previous)


@pytest.fixture
def worker(private_redis, tmp_path):
    handler = CountingHandler()
    with services.smtp_server(handler) as port, open(tmp_path / "worker.log", "w") as log:
        process = services.start_worker(
            queue=celery_app.conf.task_default_queue,  # this Redis is ours alone: the usual queue will do
            environment={
                "DATABASE_URL": services.database_url(),
                "REDIS_URL": private_redis.url,
                "EMAIL_URL": f"smtp://127.0.0.1:{port}",
                "EMAIL_TIMEOUT": "5",
                "OUTBOX_QUEUED_GRACE": "0",  # the sweeper takes a queued row at once
                "LOG_LEVEL": "WARNING",
            },
            log=log,
            name="outage",
        )
        try:
            yield handler
        finally:
            services.stop_process(process)
            print((tmp_path / "worker.log").read_text())


@pytest.fixture
def cohort(programme):
    today = timezone.localdate()
    return CohortFactory(
        programme=programme,
        start_date=today + datetime.timedelta(days=90),
        call_opens_on=today - datetime.timedelta(days=10),
        call_closes_on=today + datetime.timedelta(days=10),
        territories=[TerritoryFactory(name="Drôme", department_code="26")],
    )


def test_with_redis_down_a_candidacy_is_saved_and_answered_and_its_email_goes_when_redis_is_back(
    client, settings, private_redis, worker, cohort
):
    settings.APPLY_MIN_FILL_SECONDS = 0
    page = client.get(reverse("projects:apply", args=[cohort.pk]))

    private_redis.stop()
    began = time.monotonic()
    response = submit(client, page, answers(cohort), button="submit")
    elapsed = time.monotonic() - began

    candidacy = Candidacy.objects.get()
    assert candidacy.status == Candidacy.Status.SUBMITTED
    assert response.status_code == 302 and response["Location"] == tokens.status_url(candidacy)
    # The broker's short publish retry policy (settings: 3 tries, 1.5 s of waiting at most), not a hang.
    assert elapsed < 5, f"the page took {elapsed:.1f} s to answer with Redis down"
    # The confirmation waits in the outbox.
    mails = list(OutgoingMail.objects.order_by("pk"))
    assert [(row.status, row.to, row.programme) for row in mails] == [
        (OutgoingMail.Status.QUEUED, ["lea.roux@exemple.fr"], cohort.programme)
    ]
    [confirmation] = mails
    assert confirmation.subject == f"Candidature bien reçue — référence {candidacy.reference}"
    assert client.get(response["Location"]).status_code == 200  # the status page, with the cache still down
    assert worker.received == Counter()

    private_redis.start()  # same port: the worker reconnects by itself
    requeue_stalled_mail.delay()  # what beat runs every few minutes

    def all_sent():
        return not OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT).exists()

    services.wait_until(
        lambda: worker.received.total() >= 1 and all_sent(), "the mail was not delivered", timeout=DEADLINE
    )
    requeue_stalled_mail.delay()  # a second sweep finds nothing left to send
    time.sleep(0.5)  # anything sent twice would arrive now
    assert worker.received == Counter({("lea.roux@exemple.fr", row.subject): 1 for row in mails})
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (OutgoingMail.Status.SENT, 1)

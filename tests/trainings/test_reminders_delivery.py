"""Reminders end to end: real Redis, real `celery worker` processes, a real SMTP server counting what arrives.

Each test uses its own queue (the workers get CELERY_QUEUE), so that runs sharing one Redis never meet.
"""

import datetime
import signal
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from outbox.models import OutgoingMail
from tests import services
from tests.factories import CohortFactory, ProjectFactory, TrainerFactory, TrainingSessionFactory
from trainings.models import Attendance, Reminder, ReminderPolicy
from trainings.tasks import send_due_reminders

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

DEADLINE = 45  # seconds for everything to arrive; each test takes well under that when healthy


class CountingHandler:
    """Counts the messages each recipient receives; can hold one message in the middle of DATA."""

    def __init__(self):
        self.received = Counter()
        self.lock = threading.Lock()
        self.hold_after = None  # hold the message that comes after this many
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received[recipient] += 1
            hold = self.hold_after is not None and self.total() == self.hold_after + 1
        if hold:
            # The message is in: the worker now waits for our "250" and dies before it gets it.
            self.holding.set()
            self.release.wait(timeout=DEADLINE)
        return "250 Message accepted for delivery"

    def total(self):
        return sum(self.received.values())


@pytest.fixture
def smtp():
    handler = CountingHandler()
    try:
        with services.smtp_server(handler) as port:
            yield handler, port
    finally:
        handler.release.set()


@pytest.fixture
def workers(transactional_db, smtp, tmp_path, celery_eager):
    """Start `celery worker` processes on this test's queue; all are stopped at the end."""
    celery_eager.conf.task_always_eager = False
    queue = f"test-reminders-{uuid.uuid4().hex[:8]}"
    environment = {
        "DATABASE_URL": services.database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp[1]}",
        "CELERY_QUEUE": queue,
        # Short enough for a test: a claimed row is taken back 2 s after its worker died...
        "OUTBOX_SENDING_TIMEOUT": "2",
        # ...and a queued row the broker lost, 1 s after it was written.
        "OUTBOX_QUEUED_GRACE": "1",
        "EMAIL_TIMEOUT": "5",
        "LOG_LEVEL": "WARNING",
    }
    processes = []

    def start():
        log = open(tmp_path / f"worker-{len(processes)}.log", "w")  # noqa: SIM115 - closed below
        process = services.start_worker(queue=queue, environment=environment, log=log, name=f"{queue}-{len(processes)}")
        processes.append((process, log))
        return process

    start.queue = queue
    try:
        yield start
    finally:
        for process, _ in processes:
            if process.poll() is None:
                process.terminate()
        for process, log in processes:
            services.stop_process(process)
            log.close()
            print(Path(log.name).read_text())


def due_reminders(count: int) -> list[str]:
    """A day tomorrow whose one-day reminder is due now: `count - 1` participants and one trainer."""
    cohort = CohortFactory()
    ReminderPolicy.objects.create(programme=cohort.programme, offsets_days="1", hour=0)
    trainer = TrainerFactory(email="formatrice@exemple.fr")
    session = TrainingSessionFactory(
        cohort=cohort, date=timezone.localdate() + datetime.timedelta(days=1), trainers=[trainer]
    )
    project = ProjectFactory(cohort=cohort)
    members = project.members.model.objects.bulk_create(
        project.members.model(project=project, name=f"Personne {n}", email=f"personne{n}@exemple.fr")
        for n in range(count - 1)
    )
    Attendance.objects.bulk_create(Attendance(session=session, member=member) for member in members)
    return [member.email for member in members] + [trainer.email]


def wait_until(condition, what):
    services.wait_until(condition, what, timeout=DEADLINE)


def all_sent():
    return not OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT).exists()


def test_two_workers_and_two_sweeps_at_once_deliver_each_reminder_exactly_once(workers, smtp):
    handler, _ = smtp
    recipients = due_reminders(200)
    workers()
    workers()
    send_due_reminders.apply_async(queue=workers.queue)
    send_due_reminders.apply_async(queue=workers.queue)

    wait_until(lambda: handler.total() >= 200 and all_sent(), "200 reminders were not all delivered")
    time.sleep(0.5)  # anything sent twice would arrive now
    assert handler.received == Counter(dict.fromkeys(recipients, 1))
    assert Reminder.objects.count() == OutgoingMail.objects.count() == 200


def test_a_worker_killed_while_sending_loses_nothing_and_repeats_at_most_the_mail_in_flight(workers, smtp):
    handler, _ = smtp
    recipients = due_reminders(60)
    handler.hold_after = 20
    first = workers()
    send_due_reminders.apply_async(queue=workers.queue)
    assert handler.holding.wait(DEADLINE), "the worker did not start sending"

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    handler.release.set()
    in_flight = OutgoingMail.objects.get(status=OutgoingMail.Status.SENDING)
    assert handler.received[in_flight.to[0]] == 1  # the server has it; the worker never heard back

    workers()
    time.sleep(2.5)  # past OUTBOX_SENDING_TIMEOUT: the claim of the dead worker has expired
    from outbox.tasks import requeue_stalled_mail

    requeue_stalled_mail.apply_async(queue=workers.queue)
    wait_until(lambda: all_sent() and handler.total() >= 61, "every reminder was not delivered after the crash")
    time.sleep(0.5)

    # The guarantee (outbox/emails.py): none lost, and only the mail in flight at the crash repeated.
    assert set(handler.received) == set(recipients)
    assert {address: n for address, n in handler.received.items() if n != 1} == {in_flight.to[0]: 2}
    in_flight.refresh_from_db()
    assert (in_flight.status, in_flight.attempts) == (OutgoingMail.Status.SENT, 2)

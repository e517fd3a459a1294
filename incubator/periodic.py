"""Periodic tasks that a second beat cannot run twice.

Beat is meant to run once, but an operator may start two (README, "Running it for real"). Each periodic task
is wrapped by `@periodic`, under Celery's decorator:

- it holds a PostgreSQL advisory lock, keyed on the task's name, while it runs: a copy that finds the lock held
  is skipped, with a log line, so two runs of one task never overlap (on SQLite, with one process, no lock);
- a copy sent by beat carries that beat's identity (host:pid, added by `incubator.celery`); the task records
  the beat as seen (the health page counts them), and is skipped when a run already started since the task's
  schedule last fell due: another beat's copy of the same moment does nothing.

Tasks sent by hand (`.delay()`) carry no beat and only take the lock.
"""

import copy
import datetime
import functools
import hashlib
import logging
from contextlib import contextmanager

from celery import current_app, current_task
from celery.schedules import maybe_schedule
from django.db import DatabaseError, connection

from . import services

logger = logging.getLogger(__name__)

# Set by incubator.celery on every task a beat process sends: {"identity": "host:pid", "sent_at": timestamp}.
BEAT_HEADER = "incubator_beat"
# Beat's own copies of a task are a period apart, give or take the moments it takes to publish them.
PUBLISH_MARGIN = datetime.timedelta(seconds=0.5)


def lock_key(name: str) -> int:
    """A stable signed 64-bit number for `name`, as pg_try_advisory_lock takes."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def advisory_lock(key: int):
    """Yields whether this database session now holds the lock `key`; released on the way out."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:  # the session is gone, and its lock went with it
                logger.warning("Advisory lock %s: the database session ended before its release", key)


def sending_beat() -> tuple[str, datetime.datetime | None]:
    """The beat that sent the running task, and when ("", None when it came from elsewhere or runs in-process)."""
    request = getattr(current_task, "request", None)
    if request is None or request.called_directly:
        return "", None
    signature = request.get(BEAT_HEADER) or (request.headers or {}).get(BEAT_HEADER)
    if not isinstance(signature, dict) or not signature.get("identity"):
        return "", None
    sent_at = datetime.datetime.fromtimestamp(float(signature["sent_at"]), tz=datetime.UTC)
    return str(signature["identity"]), sent_at


def schedule_of(name: str):
    """The task's schedule in beat's configuration (read when the task runs, like beat does)."""
    for entry in current_app.conf.beat_schedule.values():
        if entry["task"] == name:
            return maybe_schedule(entry["schedule"], app=current_app)
    return None


def due_again(schedule, last_sent_at: datetime.datetime, sent_at: datetime.datetime) -> bool:
    """Whether `schedule`, last run for `last_sent_at`, had fallen due again by `sent_at` (beat's reading)."""
    at_that_moment = copy.copy(schedule)
    at_that_moment.nowfun = lambda: sent_at + PUBLISH_MARGIN
    return at_that_moment.is_due(last_sent_at).is_due


def periodic(function):
    name = f"{function.__module__}.{function.__name__}"
    key = lock_key(name)

    @functools.wraps(function)
    def run(*args, **kwargs):
        with advisory_lock(key) as held:
            if not held:
                logger.warning("Periodic task %s skipped: another run of it holds its lock", name)
                return None
            beat, sent_at = sending_beat()
            if beat:
                services.record_beat_sighting(identity=beat)
                if (schedule := schedule_of(name)) is not None:
                    start = services.start_periodic_run(
                        task=name,
                        beat=beat,
                        sent_at=sent_at,
                        is_due=lambda last, moment: due_again(schedule, last, moment),
                    )
                    if not start.started:
                        logger.warning(
                            "Periodic task %s sent by beat %s skipped: %s already ran it for this moment",
                            name,
                            beat,
                            start.previous_beat,
                        )
                        return None
            return function(*args, **kwargs)

    return run

"""Two `celery beat` processes by mistake: each periodic task still runs once per period, and /sante/ says so.

Real processes: a private redis-server as broker, one worker and two beats on a queue of this test's own,
every periodic task scheduled every PERIOD seconds (BEAT_EVERY_SECONDS) instead of on its clock.
"""

import re
import time
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.urls import reverse

from incubator.models import BeatSighting, PeriodicRun
from tests import services
from tests.factories import SuperuserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PERIOD = 3  # seconds between two runs of every periodic task, in this test
WINDOW = 6 * PERIOD  # how long the beats run once every task has run once
STARTUP = 120  # seconds for the processes to start on a busy machine


def periodic_tasks() -> dict[str, str]:
    """Beat's entry name of each periodic task (beat's log names both)."""
    return {entry["task"]: name for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}


def copies(run: PeriodicRun) -> int:
    return run.runs + run.duplicates_skipped


@pytest.fixture
def stack(transactional_db, tmp_path):
    """Starts a worker and `beats` beat processes, runs them for WINDOW seconds; returns what each beat sent."""
    redis = services.PrivateRedis()
    redis.start()
    environment = {
        "DATABASE_URL": services.database_url(),
        "REDIS_URL": redis.url,
        "CELERY_QUEUE": f"beats-{uuid.uuid4().hex[:8]}",
        "BEAT_EVERY_SECONDS": str(PERIOD),
    }
    processes, logs = [], []

    def run(*, beats: int) -> list[Counter]:
        log = (tmp_path / "worker.log").open("w")
        logs.append(log)
        worker = services.start_worker(queue=environment["CELERY_QUEUE"], environment=environment, log=log, name="w")
        processes.append(worker)
        beat_logs = [tmp_path / f"beat-{number}.log" for number in range(beats)]
        beat_processes = []
        for number, path in enumerate(beat_logs):
            log = path.open("w")
            logs.append(log)
            beat_processes.append(
                services.start_beat(environment=environment, log=log, schedule_file=tmp_path / f"beat-{number}")
            )
        processes.extend(beat_processes)
        services.wait_until(
            lambda: (
                PeriodicRun.objects.filter(runs__gt=0).count() == len(periodic_tasks())
                and BeatSighting.objects.count() == beats
            ),
            "every periodic task ran once, from every beat",
            timeout=STARTUP,
        )
        time.sleep(WINDOW)
        for beat in beat_processes:
            services.stop_process(beat)
        sent = [sent_by(path) for path in beat_logs]
        services.wait_until(
            lambda: sum(copies(run) for run in PeriodicRun.objects.all()) >= sum(sum(c.values()) for c in sent),
            "the worker took every copy the beats sent",
            timeout=STARTUP,
        )
        services.stop_process(worker)
        return sent

    try:
        yield run
    finally:
        for process in processes:
            services.stop_process(process)
        redis.stop()
        for log in logs:
            log.close()
        for path in sorted(tmp_path.glob("*.log")):
            print(path.name, path.read_text()[-3000:], sep="\n")


def sent_by(beat_log) -> Counter:
    """How many copies of each task one beat sent, from its log ("Sending due task <entry> (<task>)")."""
    return Counter(re.findall(r"Sending due task \S+ \((\S+)\)", beat_log.read_text()))


def test_two_beats_run_each_periodic_task_once_per_period_and_the_health_page_reports_both(stack, client):
    sent = stack(beats=2)

    runs = {run.task: run for run in PeriodicRun.objects.all()}
    assert set(runs) == set(periodic_tasks())
    for task, run in runs.items():
        first, second = sent[0][task], sent[1][task]
        assert first >= WINDOW // PERIOD and second >= WINDOW // PERIOD, (task, first, second)
        assert copies(run) == first + second
        # One copy of each moment ran, whichever beat sent it first; the other was skipped.
        assert max(first, second) - 1 <= run.runs <= max(first, second) + 1, (task, run.runs, first, second)

    beats = list(BeatSighting.objects.order_by("first_seen_at", "identity").values_list("identity", flat=True))
    assert len(beats) == 2
    client.force_login(SuperuserFactory())  # the beats' names are for the site's operators
    health = client.get(reverse("health"))
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "degraded"
    assert [beat["identity"] for beat in body["beats"]] == beats
    assert body["problems"] == [f"deux planificateurs (beat) vus dans la dernière heure : {', '.join(beats)}"]


def test_one_beat_runs_each_periodic_task_every_time_it_sends_it_and_the_health_page_is_ok(stack, client):
    [sent] = stack(beats=1)

    runs = {run.task: run for run in PeriodicRun.objects.all()}
    assert set(runs) == set(periodic_tasks())
    for task, run in runs.items():
        assert sent[task] >= WINDOW // PERIOD
        assert (run.runs, run.duplicates_skipped) == (sent[task], 0)
    body = client.get(reverse("health")).json()
    assert body["status"] == "ok"
    assert len(body["beats"]) == 1
    assert body["problems"] == []

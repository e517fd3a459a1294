"""The pipe reminders will use: a task sent through Redis, run by a real worker, written to PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from incubator.models import Heartbeat
from incubator.tasks import record_heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A `celery worker` process on its own queue, pointed at the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}"
            f"@{db['HOST']}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
        ),
        "REDIS_URL": settings.REDIS_URL,
    }
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "incubator",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log.open("w"),  # a file, not a pipe: a chatty worker must never block on a full pipe
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(log.read_text())


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_runs_a_task_sent_through_redis_and_writes_to_postgresql(worker, celery_eager):
    celery_eager.conf.task_always_eager = False
    record_heartbeat.apply_async(kwargs={"source": "integration-test"}, queue=worker)
    deadline = time.monotonic() + 60
    while not Heartbeat.objects.filter(source="integration-test").exists():
        assert time.monotonic() < deadline, "the worker did not run the task within 60 seconds"
        time.sleep(0.2)

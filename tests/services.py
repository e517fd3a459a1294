"""Real processes for the end-to-end tests: a free port, an SMTP server, `celery worker` and `beat`, a private Redis."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, what: str, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.1)


@contextmanager
def smtp_server(handler):
    """An aiosmtpd server on localhost, in a thread; yields its port."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def database_url() -> str:
    """The test database, for a subprocess (a worker) to write to the same rows."""
    db = connection.settings_dict
    return (
        f"postgres://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}"
        f"@{db['HOST']}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
    )


def start_worker(*, queue: str, environment: dict, log, name: str) -> subprocess.Popen:
    """One `celery worker` (solo pool: one task at a time) on `queue`; output to the open file `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "--app", "incubator", "worker", "--pool", "solo", "--queues", queue]
        + ["--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"]
        + ["--hostname", f"{name}@%h"],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=log,  # a file, not a pipe: a chatty worker must never block on a full pipe
        stderr=subprocess.STDOUT,
    )


def start_beat(*, environment: dict, log, schedule_file: Path) -> subprocess.Popen:
    """One `celery beat`, sending to the queue and broker `environment` names; output to the open file `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "--app", "incubator", "beat", "--loglevel", "INFO"]
        + ["--schedule", str(schedule_file)],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_process(process: subprocess.Popen, *, timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class PrivateRedis:
    """A `redis-server` of this test's own, on a free port, that the test may stop and start again.

    Never the machine's shared Redis: other test runs and services use that one.
    """

    def __init__(self):
        if shutil.which("redis-server") is None:
            reason = "needs redis-server on PATH (apt-get install redis-server)"
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
            pytest.skip(reason)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def answers():
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        wait_until(answers, "the private redis-server did not start", timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: connections are accepted by the kernel, nothing ever answers (a network partition)."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()  # a frozen process would never hear SIGTERM
            stop_process(self.process, timeout=10)
            self.process = None

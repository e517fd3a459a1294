"""The measures that run inside a Django process against one generated database.

`python -m bench.measures --scale 1 --out file.json [--full]` resets its database (DATABASE_URL), migrates it,
builds the network and writes what it measured: query counts and sizes of the key pages (Django test Client,
the site's whole middleware), the candidacy search's time, the exports' peak memory, and with `--full` the
exports beside `COPY` and a bare XlsxWriter loop, and the reminders beside a bare smtplib loop.
Session cookies for the people who log in are written out too, for the gunicorn measures.
"""

import argparse
import contextlib
import datetime
import json
import os
import smtplib
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from email.message import EmailMessage
from urllib.parse import urlsplit

ROUNDS = 5


def reset_database(url: str):
    """Drop and create the bench database, connecting to the server's `postgres` database."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def pages(network) -> list[dict]:
    """The key pages: (name, url, who), for the typical season and the flagship."""
    from projects.models import Candidacy, Project
    from trainings.models import TrainingSession

    result = [
        {"name": "call page", "url": f"/saisons/{network.calling.pk}/appel/", "who": None},
        {"name": "candidacy form", "url": f"/projets/candidater/{network.calling.pk}/", "who": None},
        {"name": "home", "url": "/", "who": None},
        {"name": "programmes and seasons", "url": "/saisons/", "who": "staff"},
        {"name": "outbox", "url": "/courriels-en-echec/", "who": "superuser"},
        {"name": "coach's projects", "url": "/projets/mes-projets/", "who": "coach"},
        {"name": "candidacy list", "url": "/projets/candidatures/", "who": "staff"},
        {"name": "candidacy list, filtered", "url": "/projets/candidatures/?status=submitted", "who": "staff"},
        {"name": "admin changelist", "url": "/admin/projects/candidacy/", "who": "superuser"},
        {
            "name": "admin changelist, filtered",
            "url": "/admin/projects/candidacy/?status__exact=submitted",
            "who": "superuser",
        },
    ]
    for label, cohort in (("typical", network.typical), ("flagship", network.flagship)):
        candidacy = Candidacy.objects.filter(cohort=cohort).exclude(status="draft").order_by("pk").first()
        project = Project.objects.filter(cohort=cohort, assignments__isnull=False).order_by("pk").first()
        session = TrainingSession.objects.filter(cohort=cohort).order_by("date").first()
        result += [
            {"name": f"candidacy detail ({label})", "url": f"/projets/candidatures/{candidacy.pk}/", "who": "staff"},
            {"name": f"project detail ({label})", "url": f"/projets/{project.pk}/", "who": "staff"},
            {"name": f"session list ({label})", "url": f"/journees/saisons/{cohort.pk}/journees/", "who": "staff"},
            {"name": f"assignment board ({label})", "url": f"/projets/accompagnements/{cohort.pk}/", "who": "staff"},
            {"name": f"season report ({label})", "url": f"/saisons/{cohort.pk}/rapport/", "who": "staff"},
            {"name": f"attendance ({label})", "url": f"/journees/{session.pk}/emargement/", "who": "staff"},
        ]
    return result


def median_time(function, rounds=ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(a, b, rounds=ROUNDS) -> tuple[float, float]:
    """Median seconds of `a` and of `b`, run A B A B."""
    times_a, times_b = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        a()
        times_a.append(time.perf_counter() - start)
        start = time.perf_counter()
        b()
        times_b.append(time.perf_counter() - start)
    return statistics.median(times_a), statistics.median(times_b)


def peak_memory(function) -> float:
    """Peak of Python's allocations while `function` runs, in MB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        function()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def consume(chunks):
    for _chunk in chunks:
        pass


def page_queries(client_for, page_list) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = {}
    for page in page_list:
        client = client_for(page["who"])
        client.get(page["url"])  # warm: templates, translations, the session's user
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page["url"])
        if response.status_code != 200:
            raise SystemExit(f"{page['name']} {page['url']} answered {response.status_code}")
        result[page["name"]] = {"queries": len(queries), "bytes": len(response.content)}
    return result


def search_time(client, term) -> float:
    url = f"/projets/candidatures/?q={term}"
    client.get(url)
    return median_time(lambda: client.get(url), rounds=9)


def export_memory(cohort) -> dict:
    from reports import services as report_services
    from reports.exports import render_pdf, stream_csv_zip, write_xlsx
    from reports.figures import season_report

    def csv():
        consume(stream_csv_zip(report_services.all_datasets(cohort)))

    def xlsx():
        with tempfile.TemporaryFile() as target:
            write_xlsx(season_report(cohort), report_services.all_datasets(cohort), target)

    def pdf():
        render_pdf(season_report(cohort))

    return {"csv": peak_memory(csv), "xlsx": peak_memory(xlsx), "pdf": peak_memory(pdf)}


def export_references(cohort) -> dict:
    """The season's attendance as CSV beside `COPY` of the same rows; the XLSX beside a bare XlsxWriter loop."""
    import xlsxwriter
    from django.db import connection

    from reports import datasets as ds
    from reports.exports import stream_csv, write_xlsx
    from reports.figures import season_report

    copy_sql = (
        "COPY (SELECT s.date, s.title, p.name, m.name, a.response, a.morning, a.afternoon"
        " FROM trainings_attendance a JOIN trainings_trainingsession s ON s.id = a.session_id"
        " JOIN projects_projectmember m ON m.id = a.member_id JOIN projects_project p ON p.id = m.project_id"
        f" WHERE s.cohort_id = {int(cohort.pk)} ORDER BY s.date, p.name, m.name, a.id)"
        " TO STDOUT WITH (FORMAT csv, DELIMITER ';')"
    )

    def copy():
        with connection.cursor() as cursor:
            raw = cursor.connection  # psycopg 3
            with raw.cursor().copy(copy_sql) as copy_:
                for _block in copy_:
                    pass

    def csv():
        consume(stream_csv(ds.attendance(cohort)))

    rows = sum(1 for _ in ds.attendance(cohort).rows())
    csv_time, copy_time = interleaved(csv, copy)

    datasets = ds.all_datasets(cohort)

    def bare_xlsx():
        with tempfile.TemporaryFile() as target:
            book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
            for dataset in ds.all_datasets(cohort):
                sheet = book.add_worksheet(dataset.key[:31])
                sheet.write_row(0, 0, [str(column.title) for column in dataset.columns])
                for number, row in enumerate(dataset.rows(), start=1):
                    sheet.write_row(number, 0, row)
            book.close()

    def xlsx():
        with tempfile.TemporaryFile() as target:
            write_xlsx(season_report(cohort), ds.all_datasets(cohort), target)

    xlsx_rows = sum(1 for dataset in datasets for _ in dataset.rows())
    xlsx_time, bare_time = interleaved(xlsx, bare_xlsx)
    return {
        "csv_rows": rows,
        "csv": csv_time,
        "copy": copy_time,
        "xlsx_rows": xlsx_rows,
        "xlsx": xlsx_time,
        "bare_xlsx": bare_time,
    }


class Sink:
    """A local SMTP server that counts what it accepts."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_sink():
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def warm_worker():
    """What a long-running beat or worker process has done once, long before a day's reminders are due: the URL
    patterns read, the mail templates compiled, the calendar and mail modules imported, a database connection
    open. The bare smtplib loop it is compared with pays none of it either."""
    import icalendar  # noqa: F401
    from django.db import connection
    from django.template.loader import get_template
    from django.urls import reverse

    from outbox import emails  # noqa: F401
    from trainings import calendars  # noqa: F401

    reverse("trainings:member_page", kwargs={"token": "x"})
    for name in ("reminder_member", "reminder_trainer"):
        for part in ("subject", "body"):
            get_template(f"trainings/emails/{name}_{part}.txt")
    connection.ensure_connection()


def reminders(session_pk: int) -> dict:
    """Reminders of one day, due → delivered, beside a bare smtplib loop over one connection to the same sink.

    Twice, the day's reminders written afresh each time (`_sweep_and_deliver`):
    - in this process, without a broker: the outbox's batch tasks run right after the sweep's commit, one SMTP
      connection per batch, through the site's own SMTP backend; every SQL query of the sweep and of the deliveries
      is counted here;
    - through the deployment's workers, when REDIS_URL names a broker: `celery worker --concurrency 2` as the
      Procfile starts it, on a queue of its own, delivering the batches the sweep queued.
    "Delivered" means accepted by the sink. This process is warmed first (`warm_worker`), as beat's is, and so are
    the workers.
    """
    from django.conf import settings

    from trainings.models import Attendance, TrainingSession

    warm_worker()
    session = TrainingSession.objects.select_related("cohort__programme").get(pk=session_pk)
    Attendance.objects.filter(session=session).update(response=Attendance.Response.CONFIRMED)
    with smtp_sink() as (sink, port):
        result = _sweep_and_deliver(session, sink, port, eager=True)
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            with delivery_workers(port):
                through_workers = _sweep_and_deliver(session, sink, port, eager=False)
            result.update(
                workers=2,
                rate_in_process=result["rate"],
                rate=through_workers["rate"],
                delivered=through_workers["delivered"],
                queued=through_workers["queued"],
            )
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for number in range(result["delivered"]):
                message = EmailMessage()
                message["From"] = settings.DEFAULT_FROM_EMAIL
                message["To"] = f"membre{number}@exemple.fr"
                message["Subject"] = "Rappel : journée collective demain"
                message.set_content("Bonjour,\n\nRendez-vous demain.\n" * 20)
                smtp.send_message(message)
        bare = time.perf_counter() - start
    result["bare_rate"] = result["delivered"] / bare if bare else 0
    return result


def _sweep_and_deliver(session, sink, port: int, *, eager: bool) -> dict:
    """The day's reminders written anew (earlier runs' rows deleted), swept, and waited for at the sink."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from outbox.models import OutgoingMail
    from trainings.models import Reminder
    from trainings.services import reminders as reminder_service

    written = Reminder.objects.filter(session__date=session.date)  # the day's, of every programme meeting then
    OutgoingMail.objects.filter(pk__in=written.exclude(mail=None).values("mail")).delete()
    written.delete()
    schedule = reminder_service.DEFAULT_SCHEDULE
    offset = min(schedule.offsets)
    now = reminder_service.reminder_moment(session.date, offset_days=offset, hour=schedule.hour)
    email = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }
    sink.count = 0
    with override_settings(**email), _celery_eager(eager), CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        queued = reminder_service.send_due_reminders(now=now + datetime.timedelta(minutes=1))
        while sink.count < queued and time.perf_counter() - start < 300:
            time.sleep(0.005)
        swept = time.perf_counter() - start
    delivered = sink.count
    return {
        "queued": queued,
        "delivered": delivered,
        "rate": delivered / swept if swept else 0,
        "queries_per_reminder": len(queries) / max(delivered, 1),
    }


@contextlib.contextmanager
def _celery_eager(eager: bool):
    """Tasks run in this process (`eager`), or go to the broker as the settings say."""
    from incubator.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = eager or before
    try:
        yield
    finally:
        app.conf.task_always_eager = before


@contextlib.contextmanager
def delivery_workers(port: int, concurrency: int = 2):
    """`celery worker --concurrency 2` (the Procfile's), on this process's queue (CELERY_QUEUE), mailing to the
    sink on `port`; yields once every pool process has run a task, its database connection open."""
    import socket
    import subprocess
    from pathlib import Path

    from django.conf import settings

    from incubator.celery import app
    from outbox.emails import send_outgoing_mails

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    name = f"bench{os.getpid()}@{socket.gethostname()}"
    environment = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}", "CELERY_QUEUE": queue}
    with tempfile.TemporaryFile() as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "incubator", "worker", "--queues", queue]
            + ["--concurrency", str(concurrency), "--hostname", name, "--loglevel", "WARNING"]
            + ["--without-heartbeat", "--without-mingle", "--without-gossip"],
            cwd=Path(__file__).resolve().parent.parent,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while not app.control.ping(destination=[name], timeout=0.5):
                if worker.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit("the bench's celery worker did not start:\n" + log.read().decode()[-2000:])
            # A task per pool process and more (no such mail: each claims nothing), then a pause for the last ones.
            for _ in range(concurrency * 4):
                send_outgoing_mails.delay([0])
            time.sleep(2)
            yield
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--reminders-only", type=int, default=0, help="measure the reminders of this day only")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

    if args.reminders_only:
        import django

        django.setup()
        with open(args.out, "w") as out:
            json.dump(reminders(args.reminders_only), out)
        return

    reset_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from projects.models import Candidacy

    from .generate import build

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    network = build(args.scale)
    generated = time.perf_counter() - start

    people = {"staff": network.staff, "coach": network.coach, "superuser": network.superuser}
    clients = {None: Client()}
    cookies = {}
    for who, user in people.items():
        clients[who] = Client()
        clients[who].force_login(user)
        cookies[who] = clients[who].cookies["sessionid"].value

    page_list = pages(network)
    result = {
        "scale": args.scale,
        "generated_seconds": generated,
        "counts": network.counts,
        "pages": page_list,
        "cookies": cookies,
        "queries": page_queries(clients.get, page_list),
    }
    # A person's name as staff would type it: one candidacy of the typical season.
    term = Candidacy.objects.filter(cohort=network.typical).order_by("pk").values_list("contact_name", flat=True)[5]
    result["search_term"] = term.split()[-1]
    result["search_seconds"] = search_time(clients["staff"], result["search_term"])
    result["search_word_seconds"] = search_time(clients["staff"], "ressourcerie")
    result["export_memory_mb"] = export_memory(network.flagship)
    if args.full:
        result["exports"] = export_references(network.flagship)
        from trainings.models import TrainingSession

        result["reminder_session"] = (
            TrainingSession.objects.filter(cohort=network.typical, date__gt=datetime.date.today())
            .order_by("date")
            .values_list("pk", flat=True)
            .first()
        )
    with open(args.out, "w") as out:
        json.dump(result, out, default=str)


if __name__ == "__main__":
    sys.exit(main())

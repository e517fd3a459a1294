"""`make bench`: build the network at scale 0.1 and at scale 1, measure each thing beside its reference in the
same run, write `bench/results.json` and print the table.

Pages are measured through a real gunicorn (2 sync workers, `bench.settings`: the site plus the layout floor
page) with two clients in parallel, the page and its reference interleaved A B A B; each sample is the
requests per second over about half a second; the medians are compared. Query counts, the search's time and
the exports' memory come from `bench.measures`, run once per scale in its own process and database.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
FLOOR = "/banc/plancher/"
ROUNDS = 3
SAMPLE_SECONDS = 0.6
CLIENTS = 2


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/incubator")
    return urlsplit(base)._replace(path=f"/{name}").geturl()


def environment(database: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url(database),
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
        REPORT_BACKGROUND_ROWS="1000000",
    )
    env.update(extra)
    return env


def run_measures(scale: float, database: str, *extra) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = out.name
    subprocess.run(
        [sys.executable, "-m", "bench.measures", "--scale", str(scale), "--out", path, *extra],
        cwd=ROOT,
        env=environment(database),
        check=True,
    )
    return json.loads(Path(path).read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, database: str):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "incubator.wsgi:application", "--workers", "2"]
            + ["--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT,
            env=environment(database),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get("/sante/", None)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def get(self, path, cookie) -> tuple[int, int]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, len(body)

    def rate(self, path, cookie) -> float:
        """Requests per second, two clients in parallel, over about SAMPLE_SECONDS (at least 2 requests each)."""
        done = [0] * CLIENTS
        stop = time.perf_counter() + SAMPLE_SECONDS

        def client(index):
            while done[index] < 2 or time.perf_counter() < stop:
                self.get(path, cookie)
                done[index] += 1

        start = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(done) / (time.perf_counter() - start)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def versus(server, page, reference, cookie) -> tuple[float, float]:
    """Median req/s of `page` and of `reference`, interleaved A B A B."""
    for path in (page, reference):
        server.get(path, cookie)
    pages, references = [], []
    for _ in range(ROUNDS):
        references.append(server.rate(reference, cookie))
        pages.append(server.rate(page, cookie))
    return statistics.median(pages), statistics.median(references)


def row(name, value, unit, reference, target, holds, ratio=None):
    if ratio is None and isinstance(reference, int | float):
        ratio = value / reference if reference else None
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "reference": round(reference, 3) if isinstance(reference, float) else reference,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "target": target,
        "holds": bool(holds),
    }


def table(results) -> str:
    lines = [
        "| measure | value | reference | ratio | target | holds |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        lines.append(
            f"| {r['name']} | {r['value']:g} {r['unit']} | {r['reference']} | {ratio} | {r['target']} | "
            f"{'yes' if r['holds'] else '**no**'} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="the big network (1: 30,000 candidacies)")
    parser.add_argument("--small", type=float, default=0.1, help="the small network it is compared with")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def say(text):
        print(f"[{time.perf_counter() - started:5.0f} s] {text}", flush=True)

    say(f"Network at scale {args.small}…")
    small = run_measures(args.small, "incubator_bench_small")
    say(f"Network at scale {args.scale}…")
    big = run_measures(args.scale, "incubator_bench", "--full")
    say("Reminders…")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = out.name
    subprocess.run(
        [sys.executable, "-m", "bench.measures", "--out", path, "--reminders-only", str(big["reminder_session"])],
        cwd=ROOT,
        # With REDIS_URL, the workers deliver from a queue of the bench's own; the cache stays in the process.
        env=environment("incubator_bench", CELERY_QUEUE=f"bench-reminders-{os.getpid()}", CACHE_URL=""),
        check=True,
    )
    reminders = json.loads(Path(path).read_text())
    if reminders.get("workers"):
        say(
            f"  in one process: {reminders['rate_in_process']:.0f} mails/s; through the workers: {reminders['rate']:.0f}"
        )

    results = []
    for name, counted in big["queries"].items():
        before = small["queries"][name]["queries"]
        results.append(
            row(f"queries: {name}", counted["queries"], "queries", before, "= scale 0.1", counted["queries"] == before)
        )

    say("Pages through gunicorn…")
    server = Gunicorn("incubator_bench")
    try:
        for page in big["pages"]:
            cookie = big["cookies"].get(page["who"]) if page["who"] else None
            status, size = server.get(page["url"], cookie)
            if status != 200:
                raise SystemExit(f"{page['name']}: {page['url']} answered {status}")
            if page["name"].startswith("admin"):
                continue
            value, floor = versus(server, page["url"], FLOOR, cookie)
            say(f"  {page['name']}: {value:.1f} req/s, floor {floor:.1f}")
            flagship = "(flagship)" in page["name"]
            target = 0.1 if flagship else 0.2
            results.append(
                row(
                    f"{page['name']} ÷ layout floor ({size / 1000:.0f} kB)",
                    value,
                    "req/s",
                    floor,
                    f"≥ {target}",
                    value / floor >= target,
                )
            )
        for name in ("candidacy list", "candidacy list, filtered"):
            admin = name.replace("candidacy list", "admin changelist")
            # The admin changelist needs a superuser; each side is measured with its own person.
            value, reference = _pair(server, big, name, admin)
            results.append(row(f"{name} ÷ {admin}", value, "req/s", reference, "≥ 1.0", value >= reference))
    finally:
        server.stop()

    typical = [r["ratio"] for r in results if r["name"].endswith("kB)") and "(flagship)" not in r["name"]]
    results.append(
        row(
            "key pages of a typical season ÷ layout floor, median",
            statistics.median(typical),
            "",
            1.0,
            "≥ 0.4",
            statistics.median(typical) >= 0.4,
        )
    )
    results.append(
        row(
            f"candidacy search « {big['search_term']} », scale {args.scale} ÷ scale {args.small}",
            big["search_seconds"] * 1000,
            "ms",
            round(small["search_seconds"] * 1000, 1),
            "≤ 1.5",
            big["search_seconds"] / small["search_seconds"] <= 1.5,
        )
    )
    results.append(
        row(
            f"candidacy search « ressourcerie », scale {args.scale} ÷ scale {args.small}",
            big["search_word_seconds"] * 1000,
            "ms",
            round(small["search_word_seconds"] * 1000, 1),
            "≤ 1.5",
            big["search_word_seconds"] / small["search_word_seconds"] <= 1.5,
        )
    )
    exports = big["exports"]
    results.append(
        row(
            f"CSV export ÷ COPY ({exports['csv_rows']} attendance rows)",
            exports["csv"] * 1000,
            "ms",
            round(exports["copy"] * 1000, 1),
            "≤ 2",
            exports["csv"] / exports["copy"] <= 2,
        )
    )
    results.append(
        row(
            f"XLSX export ÷ bare XlsxWriter loop ({exports['xlsx_rows']} rows)",
            exports["xlsx"] * 1000,
            "ms",
            round(exports["bare_xlsx"] * 1000, 1),
            "≤ 1.2",
            exports["xlsx"] / exports["bare_xlsx"] <= 1.2,
        )
    )
    for kind in ("csv", "xlsx", "pdf"):
        growth = big["export_memory_mb"][kind] - small["export_memory_mb"][kind]
        results.append(
            row(
                f"{kind.upper()} export peak memory, scale {args.small} → {args.scale} (flagship)",
                growth,
                "MB growth",
                round(small["export_memory_mb"][kind], 1),
                "< 50 MB",
                growth < 50,
                ratio=big["export_memory_mb"][kind] / small["export_memory_mb"][kind],
            )
        )
    results.append(
        row(
            f"reminders due → delivered{' by 2 worker processes' if reminders.get('workers') else ''} ÷ bare smtplib"
            f" loop ({reminders['delivered']} mails)",
            reminders["rate"],
            "mails/s",
            round(reminders["bare_rate"], 1),
            "≥ 0.5",
            reminders["rate"] / reminders["bare_rate"] >= 0.5 and reminders["delivered"] == reminders["queued"],
        )
    )
    results.append(
        row(
            "SQL queries per reminder",
            reminders["queries_per_reminder"],
            "queries",
            None,
            "≤ 10",
            reminders["queries_per_reminder"] <= 10,
        )
    )
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print()
    print(
        f"Scale {args.scale}: {big['counts']['candidacies']} candidacies, {big['counts']['attendance']} attendance rows "
        f"(built in {big['generated_seconds']:.0f} s); scale {args.small}: {small['counts']['candidacies']}, "
        f"{small['counts']['attendance']}. Whole run: {time.perf_counter() - started:.0f} s."
    )
    print(table(results))
    failing = [r["name"] for r in results if not r["holds"]]
    print(f"\n{len(results) - len(failing)}/{len(results)} targets hold.")


def _url(data, name):
    return next(page["url"] for page in data["pages"] if page["name"] == name)


def _pair(server, data, name, admin):
    """The staff's list (staff member) beside the admin's (superuser), interleaved."""
    page, reference = _url(data, name), _url(data, admin)
    staff, superuser = data["cookies"]["staff"], data["cookies"]["superuser"]
    server.get(page, staff)
    server.get(reference, superuser)
    pages, references = [], []
    for _ in range(ROUNDS):
        references.append(server.rate(reference, superuser))
        pages.append(server.rate(page, staff))
    return statistics.median(pages), statistics.median(references)


if __name__ == "__main__":
    main()

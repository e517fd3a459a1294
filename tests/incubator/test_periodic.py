"""The periodic tasks' lock, their once-per-moment rule, and what the health page says about beats."""

import datetime
import json
import threading

import pytest
from celery.schedules import crontab, schedule
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from incubator import services
from incubator.models import BeatSighting, PeriodicRun
from incubator.periodic import advisory_lock, due_again, lock_key, periodic
from tests.factories import StaffFactory, SuperuserFactory

NOW = datetime.datetime(2026, 3, 2, 10, 5, 0, 200_000, tzinfo=datetime.UTC)


def test_lock_keys_are_stable_and_differ_between_tasks():
    assert lock_key("trainings.tasks.send_due_reminders") == lock_key("trainings.tasks.send_due_reminders")
    assert lock_key("trainings.tasks.send_due_reminders") != lock_key("outbox.emails.requeue_stalled_mail")
    assert -(2**63) <= lock_key("x") < 2**63


@pytest.mark.postgres
def test_a_periodic_task_whose_lock_another_session_holds_is_skipped_and_runs_once_it_is_free(transactional_db):
    ran = []

    @periodic
    def sweep():
        ran.append(True)
        return "swept"

    key = lock_key(f"{sweep.__module__}.{sweep.__name__}")
    holding, release = threading.Event(), threading.Event()

    def other_worker():
        with advisory_lock(key) as held:
            assert held
            holding.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(10)
        assert sweep() is None
        assert ran == []
    finally:
        release.set()
        thread.join()
    assert sweep() == "swept"
    assert ran == [True]
    with connection.cursor() as cursor:  # released after the run
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        assert cursor.fetchone()[0] == 0


def test_a_task_sent_by_hand_carries_no_beat_and_always_runs(db):
    @periodic
    def sweep():
        return "swept"

    assert [sweep(), sweep()] == ["swept", "swept"]
    assert not PeriodicRun.objects.exists()
    assert not BeatSighting.objects.exists()


@pytest.mark.parametrize(
    ("every", "last", "moment", "due"),
    [
        # crontab every 5 minutes: a second beat's copy of 10:05 is not due, the copy of 10:10 is
        (crontab(minute="*/5"), NOW, NOW + datetime.timedelta(seconds=1), False),
        (crontab(minute="*/5"), NOW, NOW + datetime.timedelta(minutes=5), True),
        # beat's own next copy, published a little sooner after its moment than the last one
        (schedule(datetime.timedelta(seconds=3)), NOW, NOW + datetime.timedelta(seconds=2.9), True),
        (schedule(datetime.timedelta(seconds=3)), NOW, NOW + datetime.timedelta(seconds=1), False),
        # a copy that stands for an older moment than the last run
        (crontab(minute="*/5"), NOW, NOW - datetime.timedelta(seconds=1), False),
    ],
)
def test_a_copy_is_due_when_the_schedule_fell_due_again_by_the_moment_beat_sent_it(every, last, moment, due):
    assert due_again(every, last, moment) is due


def test_a_second_beats_copy_of_the_same_moment_is_skipped_and_counted(db):
    is_due = lambda last, moment: due_again(crontab(minute="*/5"), last, moment)  # noqa: E731
    first = services.start_periodic_run(task="t", beat="a:1", sent_at=NOW, is_due=is_due)
    second = services.start_periodic_run(
        task="t", beat="b:2", sent_at=NOW + datetime.timedelta(seconds=1), is_due=is_due
    )
    later = services.start_periodic_run(
        task="t", beat="b:2", sent_at=NOW + datetime.timedelta(minutes=5), is_due=is_due
    )

    assert (first.started, second.started, later.started) == (True, False, True)
    assert second.previous_beat == "a:1"
    run = PeriodicRun.objects.get(task="t")
    assert (run.runs, run.duplicates_skipped, run.beat) == (2, 1, "b:2")


def see(identity, *minutes_ago, now):
    for minutes in minutes_ago:
        services.record_beat_sighting(identity=identity, now=now - datetime.timedelta(minutes=minutes))


def test_a_restarted_beat_is_not_taken_for_two(db):
    now = timezone.now()
    see("vm:100", 50, 45, 40, now=now)  # stopped 40 minutes ago
    see("vm:200", 39, 34, 29, 4, now=now)  # its successor

    seen = services.beats_seen(now=now)

    assert [beat.identity for beat in seen.beats] == ["vm:100", "vm:200"]
    assert not seen.together


def test_two_beats_seen_at_the_same_time_are_reported_and_old_ones_forgotten(db):
    now = timezone.now()
    see("vm:100", 20, 15, 10, now=now)
    see("vm:200", 19, 14, 9, now=now)
    see("vm:50", 180, 120, now=now)  # more than an hour ago: not counted

    seen = services.beats_seen(now=now)

    assert [beat.identity for beat in seen.beats] == ["vm:100", "vm:200"]
    assert seen.together


def test_health_says_two_beats_were_seen_and_is_degraded(client, db, django_assert_max_num_queries):
    now = timezone.now()
    see("vm:100", 20, 10, now=now)
    see("vm:200", 19, 9, now=now)

    # 1 worker heartbeat, 1 beats of the last hour
    with django_assert_max_num_queries(2):
        body = client.get(reverse("health")).json()

    assert body["status"] == "degraded"
    assert body["problems"] == ["deux planificateurs (beat) vus dans la dernière heure"]
    assert len(body["beats"]) == 2
    # Which machines and processes: for the site's superusers, not for whoever asks.
    assert "vm:100" not in json.dumps(body) and all("identity" not in beat for beat in body["beats"])


def test_a_superuser_reads_which_beats_were_seen(client, db, django_assert_max_num_queries):
    now = timezone.now()
    see("vm:100", 20, 10, now=now)
    see("vm:200", 19, 9, now=now)
    client.force_login(SuperuserFactory())

    body = client.get(reverse("health")).json()

    assert body["problems"] == ["deux planificateurs (beat) vus dans la dernière heure : vm:100, vm:200"]
    assert [beat["identity"] for beat in body["beats"]] == ["vm:100", "vm:200"]
    client.force_login(StaffFactory())  # the programme's staff are not the site's operators
    assert "vm:100" not in client.get(reverse("health")).content.decode()


def test_health_counts_three_beats_in_as_many_queries(client, db, django_assert_max_num_queries):
    now = timezone.now()
    for number in range(3):
        see(f"vm:{number}", 20, 10, now=now)

    with django_assert_max_num_queries(2):  # the same 2 queries, whatever the number of beats
        body = client.get(reverse("health")).json()

    assert body["problems"] == ["3 planificateurs (beat) vus dans la dernière heure"]


def test_health_answers_503_when_the_database_is_down(client, db, monkeypatch):
    from django.db import DatabaseError

    def broken(**kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("incubator.views.beats_seen", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}

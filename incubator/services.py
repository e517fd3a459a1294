import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import BeatSighting, Heartbeat, PeriodicRun

# A beat unseen for this long has stopped; two beats seen within it, at overlapping times, ran together.
BEAT_WINDOW = datetime.timedelta(hours=1)


def record_heartbeat(*, source: str) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(source=source, defaults={"seen_at": timezone.now()})
    return heartbeat


def record_beat_sighting(*, identity: str, now: datetime.datetime | None = None) -> BeatSighting:
    """A task sent by the beat `identity` (host:pid) is running: that beat was alive a moment ago."""
    now = now or timezone.now()
    sighting, created = BeatSighting.objects.get_or_create(
        identity=identity, defaults={"first_seen_at": now, "last_seen_at": now}
    )
    if not created:
        BeatSighting.objects.filter(pk=sighting.pk, last_seen_at__lt=now).update(last_seen_at=now)
    # Old sightings tell nothing any more (each restart of beat is a new process id).
    BeatSighting.objects.filter(last_seen_at__lt=now - 24 * BEAT_WINDOW).delete()
    return sighting


@dataclass(frozen=True)
class BeatsSeen:
    beats: list[BeatSighting]
    together: bool  # two of them sent tasks during the same stretch of time, not one after the other


def beats_seen(*, now: datetime.datetime | None = None) -> BeatsSeen:
    """The beats seen in the last hour, and whether two of them ran at once.

    A beat restarted (a deployment) is a new process seen only after the old one was last seen: that is not
    two beats. Two beats running together are each seen while the other is, from their second period on.
    """
    now = now or timezone.now()
    beats = list(BeatSighting.objects.seen_since(now - BEAT_WINDOW))
    together = False
    latest_end = None
    for beat in beats:  # ordered by first sighting
        if latest_end is not None and beat.first_seen_at <= latest_end:
            together = True
        latest_end = max(latest_end or beat.last_seen_at, beat.last_seen_at)
    return BeatsSeen(beats=beats, together=together)


@dataclass(frozen=True)
class PeriodicStart:
    started: bool
    previous_beat: str  # who started the run this one duplicates, when skipped


@transaction.atomic
def start_periodic_run(*, task: str, beat: str, sent_at: datetime.datetime, is_due) -> PeriodicStart:
    """Beat `beat` sent `task` at `sent_at`: it runs unless a copy of the same moment already ran.

    `is_due(last_sent_at, sent_at)` reads the task's schedule as beat does: was it due again at `sent_at`,
    having last run for `last_sent_at`? Beat's clock decides, not the worker's: a copy that waited in the
    queue still stands for the moment it was sent.
    """
    run, _ = PeriodicRun.objects.select_for_update().get_or_create(task=task)
    if run.sent_at is not None and not is_due(run.sent_at, sent_at):
        PeriodicRun.objects.filter(pk=run.pk).update(duplicates_skipped=F("duplicates_skipped") + 1)
        return PeriodicStart(started=False, previous_beat=run.beat)
    PeriodicRun.objects.filter(pk=run.pk).update(sent_at=sent_at, beat=beat, runs=F("runs") + 1)
    return PeriodicStart(started=True, previous_beat=run.beat)

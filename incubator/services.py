from django.utils import timezone

from .models import Heartbeat


def record_heartbeat(*, source: str) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(source=source, defaults={"seen_at": timezone.now()})
    return heartbeat

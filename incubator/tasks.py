from celery import shared_task

from . import services
from .periodic import periodic


@shared_task
@periodic
def record_heartbeat(source: str = "worker") -> None:
    """Run by beat every few minutes: proves that the broker, a worker and the database all answer."""
    services.record_heartbeat(source=source)

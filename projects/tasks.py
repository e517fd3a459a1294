import logging

from celery import shared_task

from incubator.periodic import periodic

from . import services

logger = logging.getLogger(__name__)


@shared_task
@periodic
def anonymise_expired_candidacies() -> int:
    """Run daily by beat: the retention rules for candidacies. Safe to run twice (done work is not redone)."""
    count = services.anonymise_expired_candidacies()
    logger.info("Retention sweep: %d candidacies anonymised or deleted", count)
    return count


@shared_task
@periodic
def notify_conversation_answers() -> int:
    """Beat, every ten minutes: the team hears of each new answer once, one e-mail per conversation."""
    return services.notify_answers()


@shared_task
@periodic
def send_due_follow_ups() -> int:
    """Beat, once an hour: 6, 12 and 24 months after a season, each project's contact is asked once, reminded once."""
    return services.send_due_follow_ups().total

from celery import shared_task

from incubator.periodic import periodic

from .services import reminders, surveys


@shared_task
@periodic
def send_due_reminders() -> int:
    """Beat, every 15 minutes: the database says which reminders are due; each goes out once."""
    return reminders.send_due_reminders()


@shared_task
@periodic
def send_due_surveys() -> int:
    """Beat, twice an hour: the morning after a held day, each participant marked present is asked once."""
    return surveys.send_due_surveys()

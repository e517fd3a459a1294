from celery import shared_task

from . import emails, services


@shared_task
def record_heartbeat(source: str = "worker") -> None:
    """Run by beat every few minutes: proves that the broker, a worker and the database all answer."""
    services.record_heartbeat(source=source)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_outgoing_mail(self, mail_pk: int) -> str:
    """Deliver one outbox row. Acknowledged late and safe to run twice: the row's state decides.

    A temporary failure is tried again after a short wait (never more than a few minutes of countdown);
    longer waits, and retries the broker could not take, are left to `requeue_stalled_mail`.
    """
    outcome = emails.deliver(mail_pk)
    if outcome.retry_in is not None and not self.request.is_eager and outcome.retry_in.total_seconds() <= 300:
        try:
            self.apply_async(args=[mail_pk], countdown=outcome.retry_in.total_seconds())
        except Exception:  # the broker went away: the sweeper will find the row
            pass
    return outcome.status


@shared_task
def requeue_stalled_mail() -> int:
    """Beat, every few minutes: outbox rows the broker or a dead worker lost go back to the workers."""
    return emails.requeue_stalled_mail()

"""The outbox's Celery tasks, defined beside the service that enqueues them (`emails`); named here for Celery."""

from .emails import requeue_stalled_mail, send_outgoing_mail, send_outgoing_mails

__all__ = ["requeue_stalled_mail", "send_outgoing_mail", "send_outgoing_mails"]

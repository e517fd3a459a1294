"""The outbox's Celery tasks, defined beside the service that enqueues them (`emails`); named here for Celery."""

from .emails import requeue_stalled_mail, send_outgoing_mail

__all__ = ["requeue_stalled_mail", "send_outgoing_mail"]

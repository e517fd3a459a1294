import smtplib

from celery import shared_task
from django.core.mail import EmailMessage

from . import services


@shared_task
def record_heartbeat(source: str = "worker") -> None:
    """Run by beat every few minutes: proves that the broker, a worker and the database all answer."""
    services.record_heartbeat(source=source)


@shared_task(
    autoretry_for=(smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=8,
)
def send_email(*, to: list[str], subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, to=to).send()

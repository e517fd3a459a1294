"""What a real SMTP server answers decides a mail's fate: 4xx is tried again, 5xx fails and waits for staff.

The task runs in this process (eager), against an aiosmtpd server: a worker would only add start-up
time, and the retry is handed on by the sweeper (`requeue_stalled_mail`), as beat does once the back-off
has passed.
"""

import asyncio
import contextlib
import threading
import time

import pytest
from django.urls import reverse

from outbox import emails
from outbox.models import OutgoingMail
from tests import services
from tests.forms import submit

Status = OutgoingMail.Status


class ScriptedHandler:
    """Answers DATA with the next of `answers` (the last one from then on); counts accepted messages."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.attempts = 0
        self.accepted = []
        self.lock = threading.Lock()
        self.connections = set()  # the client's (host, port) of each SMTP connection a message came by
        self.slow = 0  # seconds to wait before answering DATA

    async def handle_DATA(self, server, session, envelope):
        self.connections.add(session.peer)
        if self.slow:
            await asyncio.sleep(self.slow)
        with self.lock:
            answer = self.answers[min(self.attempts, len(self.answers) - 1)]
            self.attempts += 1
            if answer.startswith("250"):
                self.accepted.extend(envelope.rcpt_tos)
        return answer


@pytest.fixture
def smtp(settings):
    """`smtp("451 ...", "250 OK")`: a server with that script, and Django's SMTP backend pointed at it."""
    stack = contextlib.ExitStack()

    def serve(*answers):
        handler = ScriptedHandler(*answers)
        port = stack.enter_context(services.smtp_server(handler))
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        return handler

    with stack:
        yield serve


def send(programme=None) -> OutgoingMail:
    return emails.send_after_commit(
        to=["lea@exemple.fr"], subject="Candidature bien reçue", body="Texte", programme=programme
    )


def test_a_451_answer_is_tried_again_and_the_mail_delivered_once(db, smtp, django_capture_on_commit_callbacks):
    handler = smtp("451 4.3.0 Try again later", "250 OK")
    with django_capture_on_commit_callbacks(execute=True):
        row = send()
    row.refresh_from_db()
    assert (row.status, row.attempts, handler.accepted) == (Status.RETRY, 1, [])
    assert "451" in row.last_error
    assert emails.requeue_stalled() == 0  # the back-off has not passed yet

    with django_capture_on_commit_callbacks(execute=True):
        assert emails.requeue_stalled(now=row.next_attempt_at) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "")
    assert (handler.attempts, handler.accepted) == (2, ["lea@exemple.fr"])
    assert emails.requeue_stalled(now=row.next_attempt_at) == 0  # and never again


def test_a_550_answer_fails_the_mail_and_its_programmes_staff_send_it_again(
    client, staff, programme, smtp, django_capture_on_commit_callbacks
):
    handler = smtp("550 5.1.1 No such user here")
    with django_capture_on_commit_callbacks(execute=True):
        row = send(programme=programme.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, handler.accepted) == (Status.FAILED, 1, [])
    assert "550" in row.last_error and "No such user here" in row.last_error
    assert emails.requeue_stalled(now=row.created_at.replace(year=row.created_at.year + 1)) == 0  # final

    client.force_login(staff)
    response = client.get(reverse("outbox:failed"))
    page = response.content.decode()
    assert "Candidature bien reçue" in page and "No such user here" in page
    assert f'name="mail" value="{row.pk}"' in page  # the resend button

    handler.answers = ["250 OK"]  # the address was corrected, or the server fixed
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(client, response, field=f"mail={row.pk}").status_code == 302
    row.refresh_from_db()
    assert row.status == Status.SENT and handler.accepted == ["lea@exemple.fr"]
    assert "No such user here" not in client.get(reverse("outbox:failed")).content.decode()


def test_a_batch_of_mails_goes_over_one_connection_each_claimed_and_marked(
    db, smtp, django_capture_on_commit_callbacks
):
    handler = smtp("250 OK", "250 OK", "550 5.1.1 No such user here", "250 OK")
    with django_capture_on_commit_callbacks(execute=True):
        rows = emails.send_many_after_commit(
            [emails.Mail(to=[f"personne{n}@exemple.fr"], subject="Rappel", body="Texte") for n in range(6)]
        )
    statuses = dict(OutgoingMail.objects.values_list("pk", "status"))
    assert [statuses[row.pk] for row in rows] == [Status.SENT] * 2 + [Status.FAILED] + [Status.SENT] * 3
    assert len(handler.accepted) == 5
    assert len(handler.connections) == 1  # a refused recipient does not cost the others a new connection


def test_a_conversation_longer_than_its_deadline_is_cut_and_the_mail_tried_again(
    db, smtp, settings, django_capture_on_commit_callbacks
):
    handler = smtp("250 OK")
    handler.slow = 3  # each read would wait up to EMAIL_TIMEOUT (5 s): the conversation is cut first
    settings.OUTBOX_SENDING_TIMEOUT = 2  # a conversation gets half of it
    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        row = send()
    assert time.monotonic() - began < 2.5
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.RETRY, 1)
    assert row.last_error.startswith("ConversationDeadline: le serveur SMTP n'a pas fini de répondre en 1 s")

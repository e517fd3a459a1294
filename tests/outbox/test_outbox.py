import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from outbox import emails
from outbox.models import OutgoingMail
from outbox.tasks import requeue_stalled_mail, send_outgoing_mail
from tests.factories import ProgrammeFactory, SuperuserFactory
from tests.forms import submit

Status = OutgoingMail.Status


def queued(**fields):
    return OutgoingMail.objects.create(**{"to": ["lea@exemple.fr"], "subject": "Objet", "body": "Texte", **fields})


def test_the_mail_is_written_in_the_callers_transaction_and_sent_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = emails.send_after_commit(to=["lea@exemple.fr"], subject="Objet", body="Texte")
    assert OutgoingMail.objects.get().status == Status.QUEUED
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at is not None) == (Status.SENT, 1, True)
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"].startswith(f"<outgoing-{row.pk}-")


def test_an_attachment_survives_the_outbox(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        emails.send_after_commit(
            to=["lea@exemple.fr"],
            subject="Objet",
            body="Texte",
            attachments=[emails.Attachment("journee.ics", "BEGIN:VCALENDAR\r\né".encode(), "text/calendar")],
        )
    [message] = mail.outbox
    assert message.attachments == [("journee.ics", "BEGIN:VCALENDAR\r\né", "text/calendar")]


def test_running_the_task_twice_sends_the_mail_once(db):
    row = queued()
    assert send_outgoing_mail.delay(row.pk).get() == Status.SENT
    assert send_outgoing_mail.delay(row.pk).get() == "skipped"
    assert len(mail.outbox) == 1


def test_a_mail_being_sent_by_a_living_worker_is_left_alone(db):
    row = queued(status=Status.SENDING, claimed_at=timezone.now(), attempts=1)
    assert emails.deliver(row.pk) == emails.Outcome("skipped")
    assert emails.requeue_stalled() == 0
    assert mail.outbox == []


def test_a_mail_whose_worker_died_is_sent_again_by_the_sweeper(db):
    row = queued(status=Status.SENDING, claimed_at=timezone.now() - datetime.timedelta(minutes=11), attempts=1)
    assert requeue_stalled_mail.delay().get() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_with_the_broker_down_the_users_action_succeeds_and_the_sweeper_sends_the_mail_later(
    db, django_capture_on_commit_callbacks
):
    with mock.patch.object(send_outgoing_mail, "delay", side_effect=OperationalError("Connection refused")):
        with django_capture_on_commit_callbacks(execute=True):
            row = emails.send_after_commit(to=["lea@exemple.fr"], subject="Objet", body="Texte")
        assert emails.requeue_stalled(now=timezone.now() + datetime.timedelta(minutes=3)) == 0
    row.refresh_from_db()
    assert row.status == Status.QUEUED and mail.outbox == []
    # Not yet: a queued row is given two minutes before it counts as lost.
    assert emails.requeue_stalled() == 0
    assert emails.requeue_stalled(now=timezone.now() + datetime.timedelta(minutes=3)) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (smtplib.SMTPRecipientsRefused({"lea@exemple.fr": (550, b"No such user")}), Status.FAILED),
        (smtplib.SMTPRecipientsRefused({"lea@exemple.fr": (450, b"Mailbox busy")}), Status.RETRY),
        (smtplib.SMTPDataError(451, b"Try again later"), Status.RETRY),
        (smtplib.SMTPDataError(554, b"Rejected"), Status.FAILED),
        (smtplib.SMTPServerDisconnected("gone"), Status.RETRY),
        (ConnectionRefusedError(111, "Connection refused"), Status.RETRY),
    ],
)
def test_temporary_smtp_errors_are_retried_and_permanent_ones_fail(db, error, status):
    row = queued()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=error):
        send_outgoing_mail.delay(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (status, 1)
    assert type(error).__name__ in row.last_error


def test_retries_back_off_and_end_failed(db):
    row = queued()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPDataError(451, b"later")):
        for attempt in range(1, emails.MAX_ATTEMPTS + 1):
            now = timezone.now() + datetime.timedelta(days=attempt)
            with time_machine.travel(now, tick=False):
                emails.deliver(row.pk)
            row.refresh_from_db()
            if attempt < emails.MAX_ATTEMPTS:
                assert row.next_attempt_at == now + min(emails.FIRST_BACKOFF * 2 ** (attempt - 1), emails.MAX_BACKOFF)
                assert list(emails.stalled(now)) == []
                assert list(emails.stalled(row.next_attempt_at)) == [row]
    assert (row.status, row.attempts) == (Status.FAILED, emails.MAX_ATTEMPTS)


def test_superusers_see_failed_mails_and_send_one_again(db, client, django_capture_on_commit_callbacks):
    failed = queued(status=Status.FAILED, last_error="SMTPRecipientsRefused: 550", attempts=1)
    queued(status=Status.SENT, subject="Déjà parti")
    client.force_login(SuperuserFactory())
    response = client.get(reverse("outbox:failed"))
    assert list(response.context["mails"]) == [failed]
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, response, field=f"mail={failed.pk}")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Status.SENT and len(mail.outbox) == 1


def test_programme_staff_see_and_resend_their_programmes_failed_mails_only(
    client, staff, programme, django_capture_on_commit_callbacks
):
    ours = queued(status=Status.FAILED, programme=programme, subject="Le nôtre", attempts=1)
    theirs = queued(status=Status.FAILED, programme=ProgrammeFactory(), subject="Celui d'un autre programme")
    queued(status=Status.FAILED, subject="Sans programme")
    queued(status=Status.SENT, programme=programme, subject="Déjà parti")
    client.force_login(staff)

    response = client.get(reverse("outbox:failed"))
    assert list(response.context["mails"]) == [ours]
    assert f'name="mail" value="{ours.pk}"' in response.content.decode()  # the resend button
    assert "Celui d&#x27;un autre programme" not in response.content.decode()
    assert (
        client.post(reverse("outbox:failed"), {"mail": theirs.pk}).status_code == 404
    )  # forged on purpose: not listed

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, response, field=f"mail={ours.pk}")
    assert response.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, theirs.status) == (Status.SENT, Status.FAILED)
    assert [message.subject for message in mail.outbox] == ["Le nôtre"]


def test_superusers_also_see_mails_that_belong_to_no_programme(db, client, programme):
    rows = [queued(status=Status.FAILED, programme=programme), queued(status=Status.FAILED)]
    client.force_login(SuperuserFactory())
    assert set(client.get(reverse("outbox:failed")).context["mails"]) == set(rows)


def test_staff_find_the_failed_mails_in_the_menu(client, staff):
    client.force_login(staff)
    assert f'href="{reverse("outbox:failed")}"' in client.get(reverse("cohorts:cohort_list")).content.decode()


def test_coaches_cannot_open_the_failed_mails(client, coach, programme):
    failed = queued(status=Status.FAILED, programme=programme)
    client.force_login(coach)
    assert client.get(reverse("outbox:failed")).status_code == 403
    assert (
        client.post(reverse("outbox:failed"), {"mail": failed.pk}).status_code == 403
    )  # forged on purpose: never shown
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_visitors_are_sent_to_the_login_page(db, client):
    response = client.get(reverse("outbox:failed"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("rows", [3, 30])
def test_the_outbox_page_runs_the_same_queries_whatever_the_number_of_mails(
    client, staff, programme, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        queued(status=Status.FAILED, programme=programme)
    client.force_login(staff)
    # session, user, count for the paginator, the page of mails (the programmes are a subquery of both).
    with django_assert_max_num_queries(4):
        response = client.get(reverse("outbox:failed"))
    assert len(response.context["mails"]) == rows


@pytest.mark.parametrize("value", ["abc", "", "1.5", "-3", "99999999999999999999999", None])
def test_a_resend_of_something_that_is_not_a_mail_number_says_so_and_changes_nothing(db, client, value):
    failed = queued(status=Status.FAILED, attempts=1)
    client.force_login(SuperuserFactory())
    response = client.post(reverse("outbox:failed"), {} if value is None else {"mail": value}, follow=True)
    assert response.status_code == 200
    assert "Choisissez un e-mail de la liste" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Status.FAILED and not mail.outbox

from django.core import mail

from outbox.emails import send_after_commit


def test_mail_goes_out_once_the_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_after_commit(to=["lea@exemple.fr"], subject="Objet", body="Texte")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert (message.to, message.subject, message.body) == (["lea@exemple.fr"], "Objet", "Texte")


def test_reserved_example_domains_are_left_out_when_mail_goes_to_a_real_server(
    db, settings, caplog, django_capture_on_commit_callbacks
):
    settings.OUTBOX_SKIP_RESERVED_DOMAINS = True
    with django_capture_on_commit_callbacks(execute=True):
        send_after_commit(to=["equipe@demo.incubateur.example", "x@example.com"], subject="Objet", body="Texte")
        send_after_commit(to=["equipe@demo.incubateur.example", "lea@exemple.fr"], subject="Objet", body="Texte")
    [message] = mail.outbox
    assert message.to == ["lea@exemple.fr"]
    assert "equipe@demo.incubateur.example" in caplog.text


def test_in_the_demo_mail_to_reserved_example_domains_is_printed_like_any_other(
    db, settings, capsys, django_capture_on_commit_callbacks
):
    # The embedded default: mail printed to the console, so a newcomer reads the demo's draft links there.
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.OUTBOX_SKIP_RESERVED_DOMAINS = False
    with django_capture_on_commit_callbacks(execute=True):
        row = send_after_commit(to=["lea@porteurs.demo.example"], subject="Reprendre votre brouillon", body="Lien")
    assert row is not None
    assert "lea@porteurs.demo.example" in capsys.readouterr().out

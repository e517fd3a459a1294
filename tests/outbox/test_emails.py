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


def test_reserved_example_domains_never_get_mail(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_after_commit(to=["equipe@demo.incubateur.example", "x@example.com"], subject="Objet", body="Texte")
        send_after_commit(to=["equipe@demo.incubateur.example", "lea@exemple.fr"], subject="Objet", body="Texte")
    [message] = mail.outbox
    assert message.to == ["lea@exemple.fr"]

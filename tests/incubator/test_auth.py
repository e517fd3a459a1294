import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from outbox.models import OutgoingMail
from tests.factories import PASSWORD
from tests.forms import submit

pytestmark = pytest.mark.django_db


def log_in(client, username, password, **extra):
    """Open the login page, type the address and the password, press « Se connecter »."""
    page = client.get(reverse("login"))
    return submit(client, page, {"username": username, "password": password}, field="username", **extra)


def test_login_page_is_in_french_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="fr">' in page
    assert "Connexion" in page and "Adresse e-mail" in page and "Mot de passe oublié ?" in page


def test_login_page_tells_trainers_too_that_they_log_in_here(client):
    page = client.get(reverse("login")).content.decode()
    assert "aux chargé·es d'accompagnement et aux formateur·rices des journées collectives" in page


def test_login_page_is_in_english_on_request(client):
    submit(client, client.get(reverse("login")), {"language": "en"}, action=reverse("set_language"))
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page and "Forgot your password?" in page


def test_browsers_asking_for_english_get_english(client):
    page = client.get(reverse("password_reset"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Forgotten password" in page


def test_staff_log_in_with_their_email_in_any_case_and_land_on_their_page(client, staff):
    response = log_in(client, staff.email.upper(), PASSWORD, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cohorts:cohort_list")


def test_coach_lands_on_their_projects(client, coach):
    response = log_in(client, coach.email, PASSWORD, follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:my_projects")


def test_a_wrong_password_gets_a_french_message_and_keeps_the_email(client, staff):
    response = log_in(client, staff.email, "faux")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in page
    assert f'value="{staff.email}"' in page


def test_logout_is_a_post_and_returns_home(client, staff):
    client.force_login(staff)
    response = submit(client, client.get(reverse("cohorts:cohort_list")), action=reverse("logout"))
    assert response["Location"] == reverse("home")
    assert client.get(reverse("cohorts:cohort_list")).status_code == 302


def test_password_reset_by_email_in_french(client, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, client.get(reverse("password_reset")), {"email": staff.email}, field="email")
    assert response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == [staff.email]
    assert message.subject == "Choisir un nouveau mot de passe"
    assert "Bonjour," in message.body

    link = re.search(r"https?://[^/]+(/compte/nouveau-mot-de-passe/\S+)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session key
    typed = {"new_password1": "Un-nouveau-mot-2-passe", "new_password2": "Un-nouveau-mot-2-passe"}
    response = submit(client, client.get(form_url), typed, field="new_password1")
    assert response["Location"] == reverse("password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password("Un-nouveau-mot-2-passe")


def test_a_password_reset_mail_goes_through_the_outbox_so_an_smtp_outage_loses_nothing(
    client, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = submit(client, client.get(reverse("password_reset")), {"email": staff.email}, field="email")
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []  # nothing is sent inside the request: a slow or silent SMTP server cannot hang it
    row = OutgoingMail.objects.get()
    assert (row.to, row.subject) == ([staff.email], "Choisir un nouveau mot de passe")
    assert "/compte/nouveau-mot-de-passe/" in row.body
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [[staff.email]]


def test_password_reset_tells_nothing_about_unknown_addresses(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, client.get(reverse("password_reset")), {"email": "inconnu@exemple.fr"}, field="email")
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == [] and not OutgoingMail.objects.exists()


def test_password_reset_requests_for_one_address_are_limited_whether_it_exists_or_not(
    client, staff, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_ADDRESS_RATE = "2/h"
    pages = {}
    for email in (staff.email, "inconnu@exemple.fr"):
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                response = submit(client, client.get(reverse("password_reset")), {"email": email}, field="email")
            assert response["Location"] == reverse("password_reset_done")
        with django_capture_on_commit_callbacks(execute=True):
            # Capitals do not make it another address.
            response = submit(client, client.get(reverse("password_reset")), {"email": email.upper()}, field="email")
        assert response.status_code == 429
        page = response.content.decode()
        assert "Beaucoup de demandes de nouveau mot de passe" in page
        assert f'value="{email.upper()}"' in page  # what was typed stays
        pages[email] = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page.replace(email.upper(), ""))
    assert pages[staff.email] == pages["inconnu@exemple.fr"]  # the page tells nothing about who has an account
    assert [message.to for message in mail.outbox] == [[staff.email]] * 2
    assert OutgoingMail.objects.count() == 2


def test_password_reset_requests_from_one_network_address_are_limited(
    client, staff, coach, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_CLIENT_RATE = "2/h"
    for email in (staff.email, coach.email):
        response = submit(client, client.get(reverse("password_reset")), {"email": email}, field="email")
        assert response["Location"] == reverse("password_reset_done")
    response = submit(client, client.get(reverse("password_reset")), {"email": "tiers@exemple.fr"}, field="email")
    assert response.status_code == 429
    assert "Beaucoup de demandes de nouveau mot de passe" in response.content.decode()
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    response = submit(elsewhere, elsewhere.get(reverse("password_reset")), {"email": staff.email}, field="email")
    assert response["Location"] == reverse("password_reset_done")
    assert OutgoingMail.objects.count() == 3


def test_an_invalid_reset_address_is_answered_in_french_and_not_counted(client, db, settings):
    settings.PASSWORD_RESET_CLIENT_RATE = "1/h"
    response = submit(client, client.get(reverse("password_reset")), {"email": "pas-une-adresse"}, field="email")
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide" in response.content.decode()
    response = submit(client, client.get(reverse("password_reset")), {"email": "une@exemple.fr"}, field="email")
    assert response["Location"] == reverse("password_reset_done")


def test_a_used_reset_link_says_so_in_french(client, staff):
    page = client.get(reverse("password_reset_confirm", args=["MQ", "set-password"])).content.decode()
    assert "Ce lien n'est plus valable" in page


def test_password_change_needs_a_login(client, staff):
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("login"))
    client.force_login(staff)
    assert client.get(reverse("password_change")).status_code == 200


def test_unknown_pages_get_a_french_404(client, db):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_login_for_a_while(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, staff.email, "faux").status_code == 200
    response = log_in(client, staff.email.upper(), "faux")
    assert response.status_code == 429
    assert "Connexion bloquée pour un moment" in response.content.decode()
    assert "30 minutes" in response.content.decode()
    # Even the right password waits for the end of the lockout.
    assert log_in(client, staff.email, PASSWORD).status_code == 429


def test_a_lockout_does_not_spill_over_to_other_addresses(client, staff, coach, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, staff.email, "faux")
    response = log_in(client, coach.email, PASSWORD)
    assert response["Location"] == reverse("home")
    other_network = log_in(Client(REMOTE_ADDR="203.0.113.9"), staff.email, PASSWORD)  # another device, elsewhere
    assert other_network["Location"] == reverse("home")


def test_client_address_behind_a_proxy_is_the_one_the_proxy_saw(rf, settings):
    from incubator.security import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7", REMOTE_ADDR="127.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"  # the left part could be forged by the visitor


def test_a_person_changes_their_password_from_the_page_and_stays_logged_in(client, staff):
    client.force_login(staff)
    typed = {
        "old_password": PASSWORD,
        "new_password1": "Un-nouveau-mot-2-passe",
        "new_password2": "Un-nouveau-mot-2-passe",
    }
    response = submit(client, client.get(reverse("password_change")), typed, field="old_password", follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    staff.refresh_from_db()
    assert staff.check_password("Un-nouveau-mot-2-passe")
    assert client.get(reverse("cohorts:cohort_list")).status_code == 200


def test_a_wrong_current_password_is_refused_in_french(client, staff):
    client.force_login(staff)
    typed = {
        "old_password": "faux",
        "new_password1": "Un-nouveau-mot-2-passe",
        "new_password2": "Un-nouveau-mot-2-passe",
    }
    response = submit(client, client.get(reverse("password_change")), typed, field="old_password")
    assert response.status_code == 200
    assert "Votre ancien mot de passe est incorrect" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_a_person_sent_to_the_login_page_lands_where_they_were_going(client, staff):
    wanted = reverse("projects:candidacy_list")
    login_page = client.get(wanted, follow=True)
    typed = {"username": staff.email, "password": PASSWORD}
    response = submit(client, login_page, typed, field="username", follow=True)
    assert response.redirect_chain[-1][0] == wanted


def test_a_login_link_pointing_elsewhere_lands_on_the_persons_own_page(client, staff):
    page = client.get(reverse("login"), {"next": "https://ailleurs.example/piege"})
    response = submit(client, page, {"username": staff.email, "password": PASSWORD}, field="username", follow=True)
    assert response.redirect_chain[-1][0] == reverse("cohorts:cohort_list")

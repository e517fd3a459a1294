import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_in_french_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="fr">' in page
    assert "Connexion" in page and "Adresse e-mail" in page and "Mot de passe oublié ?" in page


def test_login_page_is_in_english_on_request(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page and "Forgot your password?" in page


def test_browsers_asking_for_english_get_english(client):
    page = client.get(reverse("password_reset"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Forgotten password" in page


def test_staff_log_in_with_their_email_in_any_case_and_land_on_their_page(client, staff):
    response = client.post(reverse("login"), {"username": staff.email.upper(), "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cohorts:cohort_list")


def test_coach_lands_on_their_projects(client, coach):
    response = client.post(reverse("login"), {"username": coach.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:my_projects")


def test_a_wrong_password_gets_a_french_message_and_keeps_the_email(client, staff):
    response = client.post(reverse("login"), {"username": staff.email, "password": "faux"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in page
    assert f'value="{staff.email}"' in page


def test_logout_is_a_post_and_returns_home(client, staff):
    client.force_login(staff)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("home")
    assert client.get(reverse("cohorts:cohort_list")).status_code == 302


def test_password_reset_by_email_in_french(client, staff):
    response = client.post(reverse("password_reset"), {"email": staff.email})
    assert response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == [staff.email]
    assert message.subject == "Choisir un nouveau mot de passe"
    assert "Bonjour," in message.body

    link = re.search(r"https?://[^/]+(/compte/nouveau-mot-de-passe/\S+)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session key
    response = client.post(
        form_url, {"new_password1": "Un-nouveau-mot-2-passe", "new_password2": "Un-nouveau-mot-2-passe"}
    )
    assert response["Location"] == reverse("password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password("Un-nouveau-mot-2-passe")


def test_password_reset_tells_nothing_about_unknown_addresses(client, db):
    response = client.post(reverse("password_reset"), {"email": "inconnu@exemple.fr"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


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
        assert client.post(reverse("login"), {"username": staff.email, "password": "faux"}).status_code == 200
    response = client.post(reverse("login"), {"username": staff.email.upper(), "password": "faux"})
    assert response.status_code == 429
    assert "Connexion bloquée pour un moment" in response.content.decode()
    assert "30 minutes" in response.content.decode()
    # Even the right password waits for the end of the lockout.
    assert client.post(reverse("login"), {"username": staff.email, "password": PASSWORD}).status_code == 429


def test_a_lockout_does_not_spill_over_to_other_addresses(client, staff, coach, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": staff.email, "password": "faux"})
    response = client.post(reverse("login"), {"username": coach.email, "password": PASSWORD})
    assert response["Location"] == reverse("home")
    other_network = client.post(
        reverse("login"), {"username": staff.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert other_network["Location"] == reverse("home")


def test_client_address_behind_a_proxy_is_the_one_the_proxy_saw(rf, settings):
    from incubator.security import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7", REMOTE_ADDR="127.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"  # the left part could be forged by the visitor

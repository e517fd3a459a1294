"""The login journey in a real browser (Debian's Chromium driven by Playwright), on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_log_in_on_a_phone_and_reach_their_seasons(page, live_server, staff, programme):
    log_in(page, live_server, staff)
    page.wait_for_url(f"{live_server.url}/saisons/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes et saisons")
    expect(page.get_by_role("heading", name=programme.name)).to_be_visible()

    page.get_by_role("button", name="Ouvrir le menu").click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("button", name="Ouvrir le menu").click()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()


def test_a_coach_lands_on_their_projects(page, live_server, coach):
    log_in(page, live_server, coach)
    page.wait_for_url(f"{live_server.url}/projets/mes-projets/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes projets")


def test_a_wrong_password_keeps_the_email_and_explains_in_french(page, live_server, staff):
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(staff.email)
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect")).to_be_visible()
    expect(page.get_by_label("Adresse e-mail")).to_have_value(staff.email)


def test_the_language_switch_turns_the_site_into_english(page, live_server, db):
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")

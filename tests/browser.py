"""Helpers for tests in a real browser (the `browser` and `page` fixtures are in conftest.py)."""

from tests.factories import PASSWORD


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

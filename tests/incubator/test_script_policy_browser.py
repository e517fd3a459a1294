"""The script policy in a real browser: the key pages run, style and draw without a single violation."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import log_in
from tests.factories import CohortFactory, SuperuserFactory, TerritoryFactory
from tests.reports.season_data import fill_season

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    """Every message the browser gives about a blocked script, style, image, frame or form."""
    seen = []
    page.on("console", lambda message: seen.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def _violations(seen):
    return [text for text in seen if "Content Security Policy" in text or "Refused to" in text]


def test_public_pages_and_the_application_form_break_no_rule(page, live_server, programme):
    territory = TerritoryFactory(name="Drôme", department_code="26")
    cohort = CohortFactory(
        programme=programme,
        start_date=datetime.date.today() + datetime.timedelta(days=90),
        call_opens_on=datetime.date.today() - datetime.timedelta(days=1),
        call_closes_on=datetime.date.today() + datetime.timedelta(days=30),
        territories=[territory],
    )
    seen = _watch(page)
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("button", name="Ouvrir le menu").click()  # Bootstrap's script opens the menu
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    page.goto(live_server.url + reverse("projects:apply", args=[cohort.pk]))
    page.get_by_label("Nom du projet").fill("Le Fournil")
    expect(page.get_by_label("Nom du projet")).to_have_value("Le Fournil")
    # Bootstrap's own stylesheet is applied (a button is not the browser's grey one).
    assert (
        page.locator(".btn-primary").first.evaluate("el => getComputedStyle(el).backgroundColor")
        != "rgb(239, 239, 239)"
    )
    page.goto(live_server.url + reverse("login"))
    page.goto(live_server.url + "/page-qui-n-existe-pas/")
    assert _violations(seen) == []


def test_the_season_report_with_its_charts_and_the_staff_pages_break_no_rule(
    page, live_server, programme, staff, coach
):
    territory = TerritoryFactory(name="Drôme", department_code="26")
    season = CohortFactory(programme=programme, start_date=datetime.date(2026, 9, 1), territories=[territory])
    fill_season(season, coach=coach)
    seen = _watch(page)
    log_in(page, live_server, staff)
    page.wait_for_url(f"{live_server.url}/saisons/")
    page.goto(live_server.url + reverse("reports:season_report", args=[season.pk]))
    expect(page.locator("svg.chart").first).to_be_visible()
    for url in (
        reverse("reports:season", args=[season.pk]),
        reverse("projects:candidacy_list"),
        reverse("trainings:session_list", args=[season.pk]),
        reverse("trainings:venue_create"),
    ):
        page.goto(live_server.url + url)
    assert _violations(seen) == []


def test_the_admin_breaks_no_rule(page, live_server, db):
    admin = SuperuserFactory()
    seen = _watch(page)
    log_in(page, live_server, admin)
    page.goto(live_server.url + reverse("admin:index"))
    page.goto(live_server.url + reverse("admin:projects_candidacy_changelist"))
    page.goto(live_server.url + reverse("admin:cohorts_cohort_add"))
    assert _violations(seen) == []

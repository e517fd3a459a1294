"""Every answer carries a script policy and a permissions policy: only our own files run and style a page."""

import pytest
from django.urls import reverse

from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.strip().split(" ", 1)[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.fixture
def pages(client, programme, staff):
    cohort = CohortFactory(programme=programme)
    return [
        reverse("home"),
        reverse("login"),
        reverse("password_reset"),
        reverse("cohorts:call", args=[cohort.pk]),
        reverse("projects:apply", args=[cohort.pk]),
        "/page-qui-n-existe-pas/",
    ]


def test_every_page_forbids_inline_scripts_eval_inline_styles_and_framing(client, pages, staff):
    for logged_in in (False, True):
        if logged_in:
            client.force_login(staff)
        for url in pages + ([reverse("cohorts:cohort_list")] if logged_in else []):
            response = client.get(url)
            policy = _policy(response)
            assert policy["default-src"] == "default-src 'self'", url
            assert policy["script-src"] == "script-src 'self'", url
            assert policy["style-src"] == "style-src 'self'", url
            assert policy["object-src"] == "object-src 'none'", url
            assert policy["frame-ancestors"] == "frame-ancestors 'none'", url
            assert policy["form-action"] == "form-action 'self'", url
            assert policy["base-uri"] == "base-uri 'self'", url
            header = response["Content-Security-Policy"]
            assert "unsafe-inline" not in header and "unsafe-eval" not in header, url


def test_no_page_may_use_the_camera_the_microphone_the_location_or_payments(client, pages):
    for url in pages:
        header = client.get(url)["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in header, (url, header)


PDF_SOURCES = {"season_report_pdf.html", "attendance_sheet.html", "attestation.html"}


def test_our_templates_carry_no_inline_script_or_style(settings):
    """The policy would block them in the browser: they belong in static files."""
    import re
    from pathlib import Path

    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        if path.name in PDF_SOURCES:
            continue  # read by WeasyPrint to make a PDF, never served to a browser
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=|<style|\son\w+=", text):
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []


def test_the_server_error_page_works_under_the_policy(client):
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "style=" not in page and "/static/css/error.css" in page

"""A member, on their phone: downloads their attestation from their page, then answers the word after a day."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TrainingSessionFactory,
    VenueFactory,
)
from trainings import services, tokens
from trainings.models import Attendance, Survey, TrainingSession

PARIS = ZoneInfo("Europe/Paris")
PRESENT = Attendance.Presence.PRESENT


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_downloads_their_attestation_and_gives_their_opinion_on_a_phone(
    people, live_server, programme, tmp_path
):
    cohort = CohortFactory(programme=programme, name="Saison 2026-2027", start_date=datetime.date(2026, 9, 1))
    member = ProjectMemberFactory(name="Léa Martin", project=ProjectFactory(cohort=cohort, name="Garage du Diois"))
    day = TrainingSessionFactory(
        cohort=cohort,
        date=datetime.date(2026, 10, 13),
        title="Le modèle économique",
        status=TrainingSession.Status.HELD,
        venue=VenueFactory(name="La Fabrique", commune="Dieulefit"),
    )
    AttendanceFactory(session=day, member=member, morning=PRESENT, afternoon=PRESENT)
    services.send_due_surveys(now=datetime.datetime(2026, 10, 14, 9, 5, tzinfo=PARIS))
    survey = Survey.objects.get(member=member)

    page = people()
    page.goto(f"{live_server.url}{tokens.member_page_url(member)}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mon attestation (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "attestation-lea-martin-saison-2026-2027.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = " ".join(page_.extract_text() for page_ in PdfReader(target).pages)
    assert "Léa Martin" in text and services.attestation_code(member) in text

    page.goto(f"{live_server.url}{services.survey_url(survey)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre avis — Le modèle économique")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("input[name=usefulness][value='4']").check()
    page.locator("input[name=organisation][value='5']").check()
    page.get_by_label("Un mot de plus ? (facultatif)").fill("Très concret, merci.")
    page.get_by_role("button", name="Envoyer mon avis").click()
    expect(page.get_by_role("status")).to_contain_text("Merci ! Votre avis est bien reçu.")
    survey.refresh_from_db()
    assert (survey.usefulness, survey.organisation, survey.comment) == (4, 5, "Très concret, merci.")

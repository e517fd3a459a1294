"""Attestations de participation: the member's PDF from their page, the season's ZIP for staff, the public check."""

import datetime
import html
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import (
    AttendanceFactory,
    CoachingSessionFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    TrainingSessionFactory,
    VenueFactory,
)
from tests.forms import submit
from trainings import services, tokens
from trainings.models import Attendance, TrainingSession
from trainings.services.attestations import ALPHABET

pytestmark = pytest.mark.django_db

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
PRESENT, ABSENT, EXCUSED = Attendance.Presence.PRESENT, Attendance.Presence.ABSENT, Attendance.Presence.EXCUSED
HELD = TrainingSession.Status.HELD


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(datetime.datetime(2026, 12, 3, 10, tzinfo=PARIS), tick=False):
        yield


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027", start_date=D(2026, 9, 1))


@pytest.fixture
def member(cohort):
    return ProjectMemberFactory(name="Léa Martin", project=ProjectFactory(cohort=cohort, name="Garage du Diois"))


@pytest.fixture
def days(cohort, member):
    """Two held days (one whole, one morning only), one she missed, one cancelled, one still to come."""
    fabrique = VenueFactory(name="La Fabrique", commune="Dieulefit")
    made = []
    for date, topic, morning, afternoon, status in [
        (D(2026, 10, 13), "Le modèle économique", PRESENT, PRESENT, HELD),
        (D(2026, 11, 10), "La gouvernance partagée", PRESENT, EXCUSED, HELD),
        (D(2026, 11, 24), "Les statuts", ABSENT, ABSENT, HELD),
        (D(2026, 11, 30), "Annulée", PRESENT, PRESENT, TrainingSession.Status.CANCELLED),
        (D(2026, 12, 8), "À venir", "", "", TrainingSession.Status.CONFIRMED),
    ]:
        session = TrainingSessionFactory(cohort=cohort, date=date, topic=topic, venue=fabrique, status=status)
        AttendanceFactory(session=session, member=member, morning=morning, afternoon=afternoon)
        made.append(session)
    return made


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def attestation_url(member, token=None):
    return reverse("trainings:member_attestation", kwargs={"token": token or tokens.member_token(member)})


# --- What an attestation says ------------------------------------------------------------------------------


def test_an_attestation_counts_the_half_days_present_at_held_days_and_the_projects_coaching(member, days):
    CoachingSessionFactory(project=member.project, duration_minutes=90)
    CoachingSessionFactory(project=member.project, duration_minutes=60)
    CoachingSessionFactory(duration_minutes=600)  # another project's
    attestation = services.member_attestation(member)
    assert [(day.session.topic, day.morning, day.afternoon, day.hours) for day in attestation.days] == [
        ("Le modèle économique", True, True, 7),  # 9:00–12:30 and 13:30–17:00
        ("La gouvernance partagée", True, False, 3.5),
    ]
    assert attestation.half_days == 3
    assert attestation.day_hours == 10.5
    assert attestation.coaching_hours == 2.5
    assert attestation.total_hours == 13


def test_a_day_of_another_season_does_not_count(member, days, programme):
    other = TrainingSessionFactory(cohort=CohortFactory(programme=programme), status=HELD)
    AttendanceFactory(session=other, member=member, morning=PRESENT, afternoon=PRESENT)
    assert len(services.member_attestation(member).days) == 2


def test_the_code_is_the_same_each_time_short_and_only_made_of_unambiguous_characters(member):
    code = services.attestation_code(member)
    assert code == services.attestation_code(member)
    assert len(code.replace("-", "")) <= 14
    assert set(code.replace("-", "")) <= set(ALPHABET)
    assert not set(code) & set("01OI")
    assert services.member_for_code(code) == member
    # Typed in small letters, with spaces instead of dashes: still found.
    assert services.member_for_code(code.lower().replace("-", " ")) == member


def test_a_code_changed_by_one_character_or_made_for_another_person_is_refused(member, cohort):
    code = services.attestation_code(member).replace("-", "")
    other = ProjectMemberFactory(project=ProjectFactory(cohort=cohort))
    swapped = code[:10] + services.attestation_code(other).replace("-", "")[10:]
    changed = ALPHABET[(ALPHABET.index(code[0]) + 1) % len(ALPHABET)] + code[1:]
    for wrong in [changed, swapped, code[:10], "", "0" * 12, "ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZ"]:
        assert services.member_for_code(wrong) is None, wrong


# --- The member's PDF ----------------------------------------------------------------------------------------


def test_a_member_downloads_their_a4_attestation_from_their_page(client, member, days, structure):
    CoachingSessionFactory(project=member.project, duration_minutes=120)
    page = client.get(tokens.member_page_url(member))
    assert attestation_url(member) in text_of(page)

    response = client.get(attestation_url(member))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="attestation-lea-martin-saison-2026-2027.pdf"'
    reader, text = pdf_text(response.content)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    for expected in [
        "Attestation de participation",
        "Léa Martin",
        "Garage du Diois",
        member.project.cohort.programme.name,
        "CAE Prisme",
        "13 octobre 2026",
        "La Fabrique, Dieulefit",
        "Le modèle économique",
        "Le modèle économique matin et après",
        "La gouvernance partagée",
        "Total : 2 journées (3 demi-journées) 10,5 ",
        "2 heures d'accompagnement",
        services.attestation_code(member),
    ]:
        assert expected in text, (expected, text)
    for missing in ["Les statuts", "Annulée", "À venir"]:
        assert missing not in text


def test_the_pdf_is_made_without_the_network(client, member, days, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the attestation tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert client.get(attestation_url(member)).status_code == 200


def test_a_member_with_nothing_to_attest_yet_is_told_so_without_a_link_on_their_page(client, member):
    page = client.get(tokens.member_page_url(member))
    assert attestation_url(member) not in text_of(page)
    response = client.get(attestation_url(member))
    assert response.status_code == 404
    assert "Pas encore d'attestation" in text_of(response)


def test_a_forged_or_expired_member_link_gives_no_attestation(client, member, days, settings):
    forged = tokens.member_token(member)[:-2] + "xx"
    assert client.get(attestation_url(member, forged)).status_code == 404
    # Another salt's token naming the same member (a candidacy link, say) is not a member link.
    assert client.get(attestation_url(member, signing.dumps(member.pk, salt="other"))).status_code == 404
    token = tokens.member_token(member)
    with time_machine.travel(datetime.timedelta(days=settings.MEMBER_LINK_DAYS + 1)):
        assert client.get(attestation_url(member, token)).status_code == 404


def test_a_member_only_ever_gets_their_own_attestation(client, member, days, cohort):
    colleague = ProjectMemberFactory(name="Paul Roux", project=member.project)
    AttendanceFactory(session=days[0], member=colleague, morning=PRESENT, afternoon=ABSENT)
    _reader, text = pdf_text(client.get(attestation_url(colleague)).content)
    assert "Paul Roux" in text and "Léa Martin" not in text


def test_the_member_attestation_runs_the_same_queries_with_3_or_30_days(
    client, cohort, member, django_assert_max_num_queries
):
    venue = VenueFactory()
    for n in range(30):
        session = TrainingSessionFactory(
            cohort=cohort, date=D(2026, 9, 1) + datetime.timedelta(days=n), venue=venue, status=HELD
        )
        AttendanceFactory(session=session, member=member, morning=PRESENT, afternoon=PRESENT)
        CoachingSessionFactory(project=member.project)
        if n == 2:
            # The member from the link (1); the member with season, programme (1) and its structures (1);
            # the held days with venues (1); the coaching totals (1).
            with django_assert_max_num_queries(5):
                assert client.get(attestation_url(member)).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(attestation_url(member)).status_code == 200


# --- The season's ZIP ----------------------------------------------------------------------------------------


def zip_url(cohort):
    return reverse("trainings:attestations", kwargs={"cohort_pk": cohort.pk})


def test_staff_download_every_attestation_of_the_season_in_one_zip(client, staff, member, days, cohort):
    colleague = ProjectMemberFactory(name="Paul Roux", project=member.project)
    AttendanceFactory(session=days[0], member=colleague, morning=PRESENT, afternoon=ABSENT)
    ProjectMemberFactory(name="Nina Jamais", project=member.project)  # never came, no coaching: no attestation
    client.force_login(staff)
    response = client.get(zip_url(cohort))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert names == [
        f"garage-du-diois/{member.pk}-attestation-lea-martin-saison-2026-2027.pdf",
        f"garage-du-diois/{colleague.pk}-attestation-paul-roux-saison-2026-2027.pdf",
    ]
    _reader, text = pdf_text(archive.read(names[1]))
    assert "Paul Roux" in text and services.attestation_code(colleague) in text


def test_a_season_with_nothing_to_attest_sends_staff_back_with_a_word(client, staff, cohort):
    client.force_login(staff)
    response = client.get(zip_url(cohort), follow=True)
    assert response.redirect_chain[-1][0] == reverse("trainings:session_list", kwargs={"cohort_pk": cohort.pk})
    assert "Pas encore d'attestation pour cette saison" in text_of(response)


def test_only_the_programmes_staff_download_the_zip(client, cohort, member, days, coach):
    url = zip_url(cohort)
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(coach)
    assert client.get(url).status_code == 403
    client.force_login(StaffFactory(partner_structure=PartnerStructureFactory()))
    assert client.get(url).status_code == 404  # another programme's staff


def test_the_zip_runs_the_same_queries_with_3_or_30_people(client, staff, cohort, django_assert_max_num_queries):
    client.force_login(staff)
    session = TrainingSessionFactory(cohort=cohort, status=HELD)
    for n in range(30):
        member = ProjectMemberFactory(project=ProjectFactory(cohort=cohort))
        AttendanceFactory(session=session, member=member, morning=PRESENT)
        CoachingSessionFactory(project=member.project)
        if n == 2:
            # Session and user (2), the season (1); the members with season and programme (1), its structures (1),
            # their held days (1), the coaching totals (1).
            with django_assert_max_num_queries(7):
                assert client.get(zip_url(cohort)).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(zip_url(cohort)).status_code == 200


# --- The public check -------------------------------------------------------------------------------------------


def check_url(code=None):
    if code is None:
        return reverse("trainings:attestation_check")
    return reverse("trainings:attestation_check", kwargs={"code": code})


def test_anyone_types_a_code_and_reads_that_the_attestation_is_genuine(client, member, days):
    code = services.attestation_code(member)
    page = client.get(check_url())
    assert page.status_code == 200
    response = submit(client, page, {"code": code.lower()}, button="verifier")
    assert response.status_code == 200
    text = text_of(response)
    assert "Cette attestation est authentique." in text
    assert "Léa Martin" in text
    assert member.project.cohort.programme.name in text
    assert "Saison 2026-2027" in text
    assert "2 journées, 10,5 heures" in text
    # No more than the attestation: no project name, no e-mail, no phone.
    for private in [member.email, member.phone, "Garage du Diois"]:
        assert private not in text


def test_the_code_in_the_address_printed_on_the_pdf_is_checked_too(client, member, days):
    response = client.get(check_url(services.attestation_code(member)))
    assert response.status_code == 200
    assert "Cette attestation est authentique." in text_of(response)


def test_a_wrong_code_gets_a_clear_french_message_and_stays_in_the_box(client, member):
    page = client.get(check_url())
    response = submit(client, page, {"code": "K7PM-X2QD-9B3F"}, button="verifier")
    assert response.status_code == 404
    text = text_of(response)
    assert "Ce code ne correspond à aucune attestation." in text
    assert 'value="K7PM-X2QD-9B3F"' in text
    assert "Cette attestation est authentique." not in text


def test_an_empty_code_is_asked_for(client):
    response = submit(client, client.get(check_url()), {"code": ""}, button="verifier")
    assert response.status_code == 400
    assert "Tapez le code imprimé sur l'attestation." in text_of(response)


def test_codes_tried_one_after_the_other_are_stopped(client, member, days, settings):
    settings.ATTESTATION_CHECK_RATE = "3/h"
    for attempt in range(3):
        assert client.get(check_url(f"AAAA-AAAA-AA{ALPHABET[attempt]}")).status_code == 404
    response = client.get(check_url(services.attestation_code(member)))
    assert response.status_code == 429
    text = text_of(response)
    assert "Réessayez un peu plus tard" in text
    assert "Léa Martin" not in text


def test_the_check_runs_a_fixed_number_of_queries(client, member, days, django_assert_max_num_queries):
    # The member from the code (1); the attestation: member with season (1), structures (1), days (1), coaching (1).
    with django_assert_max_num_queries(5):
        assert client.get(check_url(services.attestation_code(member))).status_code == 200


def test_another_programmes_member_code_checks_on_the_same_public_page(client):
    other = ProjectMemberFactory(project=ProjectFactory(cohort=CohortFactory(programme=ProgrammeFactory())))
    CoachingSessionFactory(project=other.project)
    response = client.get(check_url(services.attestation_code(other)))
    assert response.status_code == 200
    assert other.name in text_of(response)

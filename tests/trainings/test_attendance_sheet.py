"""The printable attendance sheet (A4 PDF made by WeasyPrint), read back with pypdf."""

import io
import socket

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import (
    AttendanceFactory,
    PartnerStructureFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TrainerFactory,
    TrainingSessionFactory,
)
from tests.trainings.test_attendance import invite
from trainings.models import Attendance
from trainings.views.attendance import css_string, css_string_with_page_counters, render_pdf

A4_POINTS = (595, 842)


def url(session):
    return reverse("trainings:attendance_sheet", kwargs={"pk": session.pk})


def pdf_text(response) -> tuple[PdfReader, str]:
    """The PDF, and its text laid out as printed: a table row reads on one line."""
    reader = PdfReader(io.BytesIO(response.content))
    return reader, "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages)


def flat(text: str) -> str:
    """Text extraction breaks lines where the layout does: compare without them."""
    return " ".join(text.split())


@pytest.fixture
def signed_in(client, staff):
    client.force_login(staff)
    return client


def test_the_sheet_is_an_inline_a4_pdf_named_after_the_day(signed_in, session):
    response = signed_in.get(url(session))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="emargement-2026-10-13.pdf"'
    reader, _text = pdf_text(response)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS


def test_the_sheet_has_one_row_per_participant_with_their_project(signed_in, session):
    garage = ProjectFactory(cohort=session.cohort, name="Garage solidaire du Diois")
    cafe = ProjectFactory(cohort=session.cohort, name="Café des Possibles")
    people = {"Léa Roux": garage, "Marc Blanc": garage, "Zoé Petit": cafe, "Ahmed Benali": cafe}
    for name, project in people.items():
        AttendanceFactory(session=session, member=ProjectMemberFactory(project=project, name=name))
    Attendance.objects.filter(member__name="Zoé Petit").update(response=Attendance.Response.DECLINED)
    _reader, text = pdf_text(signed_in.get(url(session)))
    lines = text.splitlines()
    for name, project in people.items():
        rows = [line for line in lines if name in line]
        assert len(rows) == 1, name
        assert project.name in rows[0]
    assert "a annoncé son absence" in text  # Zoé may come after all: she has her row
    headings = flat(text.split("Nom et prénom")[1][:400])
    assert "Projet" in headings and "Signature du matin" in headings and "après-midi" in headings


def test_the_sheet_header_names_the_programme_its_partners_the_day_and_the_trainers(
    signed_in, session, trainer, structure, programme
):
    programme.partners.add(PartnerStructureFactory(name="Alter'Incub Auvergne-Rhône-Alpes"))
    session.trainers.add(TrainerFactory(name="Paul Garnier", organisation=""))
    _reader, text = pdf_text(signed_in.get(url(session)))
    text = flat(text)
    assert "Feuille d'émargement" in text
    assert programme.name in text
    assert "CAE Prisme" in text and "Alter'Incub Auvergne-Rhône-Alpes" in text
    assert "Construire son modèle économique" in text
    assert "mardi 13 octobre 2026" in text
    assert "09:00–12:30" in text and "13:30–17:00" in text
    assert "La Fabrique, 3 place du Marché, 26220 Dieulefit" in text
    assert "Inès Morel (Scop Savoirs Partagés)" in text and "Paul Garnier" in text
    assert "Contre-signature du ou des formateur·rices" in text
    assert "Page 1 sur 1" in text


def test_a_long_list_runs_over_several_numbered_pages(signed_in, session):
    invite(session, 60, projects=6)
    reader, text = pdf_text(signed_in.get(url(session)))
    pages = len(reader.pages)
    assert pages > 1
    assert f"Page 2 sur {pages}" in flat(text)
    assert "Nom et prénom" in reader.pages[1].extract_text()  # the column headings come again


def test_a_morning_only_day_has_only_morning_signatures(signed_in, season, trainer):
    morning = TrainingSessionFactory(cohort=season, afternoon_start=None, afternoon_end=None, trainers=[trainer])
    invite(morning, 2)
    _reader, text = pdf_text(signed_in.get(url(morning)))
    assert "Signature du matin" in text and "après-midi" not in text


@pytest.mark.parametrize("role", ["staff", "superuser", "trainer_user"])
def test_programme_staff_and_the_sessions_trainer_get_the_sheet(client, request, session, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url(session))["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("role", ["coach", "other_staff", "other_trainer_user"])
def test_anyone_else_logged_in_finds_no_sheet(client, request, session, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url(session)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in_for_the_sheet(client, session):
    response = client.get(url(session))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("participants", [6, 60])
def test_the_sheet_runs_the_same_queries_with_6_or_60_participants(
    signed_in, session, participants, django_assert_max_num_queries
):
    invite(session, participants, projects=participants // 3)
    # 6 = session + user; the session with its season, programme and venue; its trainers (prefetched);
    # the programme's partners; the invitees with their projects.
    with django_assert_max_num_queries(6):
        assert signed_in.get(url(session)).status_code == 200


def test_weasyprint_never_reaches_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("WeasyPrint tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = (
        '<link rel="stylesheet" href="https://cdn.exemple.fr/style.css">'
        '<img src="http://exemple.fr/logo.png"><p>Bonjour</p>'
    )
    assert render_pdf(html).startswith(b"%PDF")


def test_text_put_in_the_sheets_css_cannot_break_out_of_it():
    assert css_string('Programme "Alter" </style>') == '"Programme \\"Alter\\" \\3C /style>"'
    assert css_string_with_page_counters("Page %(page)s sur %(pages)s") == (
        '"Page " counter(page) " sur " counter(pages) ""'
    )

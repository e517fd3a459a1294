"""The life of a season in a real browser, on a phone, told as one story.

Each step is one helper; the story is the test: from the application to the season's report read after its end,
then the next season's call. The clock moves with the story (time-machine), for the server as for the browser.
Staff, coach and trainer accounts are made with factories: the story is about using the pages, not opening accounts.
"""

import csv
import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from cohorts.models import Criterion
from projects.models import Candidacy, Project
from tests.browser import log_in
from tests.factories import (
    CandidacyFactory,
    CoachFactory,
    CohortFactory,
    StaffFactory,
    TerritoryFactory,
    TrainerFactory,
    UserFactory,
    VenueFactory,
)
from tests.projects.documents import PDF
from trainings.models import Attendance
from trainings.services.reminders import DEFAULT_SCHEDULE, PARIS, reminder_moment
from trainings.tasks import send_due_reminders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def an_applicant_applies(page, live_server, tmp_path):
    """Find the call from the home page, fill, attach a PDF, save a draft, reopen it from the mail, send."""
    page.goto(live_server.url)
    page.get_by_role("link", name="Découvrir l'appel et candidater").click()
    page.get_by_role("link", name="Candidater", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidater à la Saison 2027")
    assert_no_sideways_scroll(page)

    page.get_by_label("Nom du projet").fill("La Recyclerie du Plateau")
    page.locator("#id_contact_name").fill("Léa Roux")
    page.locator("#id_contact_email").fill("lea@exemple.fr")
    page.get_by_label("Le projet en quelques lignes").fill("Une recyclerie et un atelier de réparation.")
    page.get_by_label("Secteur*", exact=True).select_option("other")
    page.get_by_label("Où en est le projet").select_option("idea")
    page.get_by_label("Le besoin social ou environnemental").fill("Trop de déchets, pas de réparateur.")
    page.get_by_label("La dimension collective").fill("Douze habitants en association.")
    page.get_by_label("Le modèle économique").fill("Ventes, adhésions, subventions.")
    page.get_by_label("Territoire*", exact=True).select_option(label="Ardèche (07)")
    page.get_by_label("Commune*", exact=True).fill("Lamastre")
    page.get_by_label("Les liens du projet avec son territoire").fill("La communauté de communes nous prête un local.")
    page.get_by_label("Ce que vous attendez du programme").fill("Un modèle économique solide.")
    page.locator("#id_members-0-name").fill("Léa Roux")
    page.locator("#id_members-0-email").fill("lea@exemple.fr")
    dossier = tmp_path / "dossier.pdf"
    dossier.write_bytes(PDF)
    page.get_by_label("Documents (facultatif)").set_input_files(str(dossier))
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Brouillon enregistré")).to_be_visible()

    # Later, on another day: the link in the e-mail brings the draft back as it was left.
    [message] = [m for m in mail.outbox if m.subject == "Votre brouillon de candidature"]
    assert message.to == ["lea@exemple.fr"]
    path = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)  # the site's address, the test's server
    page.goto(live_server.url + path)
    expect(page.get_by_label("Nom du projet")).to_have_value("La Recyclerie du Plateau")
    expect(page.locator("#id_members-0-name")).to_have_value("Léa Roux")
    page.get_by_label("J'accepte que les informations").check()
    page.get_by_role("button", name="Envoyer ma candidature").click()

    expect(page.get_by_text("Votre candidature est envoyée.")).to_be_visible()
    expect(page.get_by_role("heading", name="Où en est votre candidature : Envoyée")).to_be_visible()
    expect(page.get_by_text("Léa Roux").first).to_be_visible()
    expect(page.get_by_text("dossier.pdf").first).to_be_visible()
    candidacy = Candidacy.objects.get()
    assert candidacy.status == Candidacy.Status.SUBMITTED
    assert [member.name for member in candidacy.members.all()] == ["Léa Roux"]
    assert candidacy.attachments.get().original_name == "dossier.pdf"
    return candidacy


def open_candidacy(page, live_server, name):
    page.goto(f"{live_server.url}/projets/candidatures/")
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def score_every_criterion(page, score):
    for criterion in Criterion.values:
        page.locator(f"[name=score_{criterion}]").fill(str(score))
    page.get_by_role("button", name="Envoyer mon évaluation").click()


def decide(page, button, note=""):
    if note:
        page.get_by_label("Note pour l'historique (facultatif)").fill(note)
    page.get_by_role("button", name=button, exact=True).click()


def staff_review_and_accept(live_server, people, candidacy, nadia, paul):
    """Two staff score; Nadia knows the founder, steps aside and cannot decide; Paul shortlists and accepts.

    Returns the project and Paul's page, still logged in."""
    page = people()
    log_in(page, live_server, nadia)
    open_candidacy(page, live_server, "La Recyclerie du Plateau")
    score_every_criterion(page, 5)
    expect(page.get_by_role("button", name="Enregistrer mon évaluation")).to_be_visible()
    # She then remembers Léa Roux is her neighbour: her score is dropped and the decision goes to a colleague.
    page.get_by_text("Déclarer un conflit d'intérêts", exact=True).click()
    page.get_by_label("Je déclare un conflit d'intérêts").check()
    page.get_by_label("Précision (facultatif)").fill("Léa Roux est ma voisine.")
    page.get_by_role("button", name="Déclarer le conflit d'intérêts").click()
    decision = page.locator("#decision")
    expect(decision).to_contain_text("la décision revient à une autre personne de l'équipe du programme")
    expect(decision.get_by_role("button")).to_have_count(0)

    page = people()
    log_in(page, live_server, paul)
    open_candidacy(page, live_server, "La Recyclerie du Plateau")
    score_every_criterion(page, 4)
    expect(page.locator("#evaluation")).to_contain_text("Conflit d'intérêts déclaré : Nadia Colin")
    decide(page, "Mettre à l'étude")
    decide(page, "Présélectionner", note="Dossier solide, local déjà trouvé.")
    decide(page, "Retenir le projet")
    expect(page.get_by_text("État : Retenue")).to_be_visible()

    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.ACCEPTED
    assert [(r.reviewer, r.conflict_of_interest) for r in candidacy.reviews.order_by("pk")] == [
        (nadia, True),
        (paul, False),
    ]
    project = Project.objects.get(candidacy=candidacy)
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("La Recyclerie du Plateau")
    expect(page.locator("#equipe-titre + *")).to_contain_text("Léa Roux")
    milestones = page.locator("#jalons tbody tr")
    expect(milestones).to_have_count(6)
    expect(milestones.first).to_contain_text("Besoin validé auprès du territoire")
    return project, page


def staff_assign_a_coach_who_logs_a_meeting(live_server, people, staff_page, project, coach):
    """Paul gives the project to Karim on the board; Karim, on his phone, logs a meeting and ticks a next step."""
    staff_page.goto(f"{live_server.url}/projets/accompagnements/{project.cohort_id}/")
    staff_page.get_by_role("link", name="Confier La Recyclerie du Plateau").click()
    form = staff_page.locator("#confier")
    expect(form.get_by_label("Projet")).to_have_value(str(project.pk))
    form.get_by_label("Chargé·e d'accompagnement").select_option(str(coach.pk))
    form.get_by_role("button", name="Confier le projet").click()
    expect(staff_page.get_by_text("La Recyclerie du Plateau est confié à Karim Benali.")).to_be_visible()
    expect(staff_page.get_by_role("link", name="Changer La Recyclerie du Plateau")).to_be_visible()
    assert_no_sideways_scroll(staff_page)

    page = people()
    log_in(page, live_server, coach)
    page.wait_for_url(f"{live_server.url}/projets/mes-projets/")
    page.get_by_role("link", name="Noter un rendez-vous — La Recyclerie du Plateau").click()
    page.get_by_label("Durée en minutes").fill("90")
    page.get_by_label("Modèle économique").check()
    page.get_by_label("Notes").fill("Le local est prêt ; reste le budget de la première année.")
    page.locator("#id_etapes-0-description").fill("Chiffrer les ventes du premier trimestre")
    page.locator("#id_etapes-0-owner").fill("Léa")
    page.get_by_text("Ajouter d'autres étapes").click()
    page.locator("#id_etapes-1-description").fill("Rencontrer la communauté de communes")
    page.locator("#id_etapes-1-owner").fill("Karim")
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()
    expect(page.get_by_text("Le rendez-vous est noté.")).to_be_visible()
    page.get_by_role("button", name="C'est fait : Chiffrer les ventes du premier trimestre").click()
    expect(page.get_by_text("« Chiffrer les ventes du premier trimestre » est faite.")).to_be_visible()

    meeting = project.meetings.get()
    assert (meeting.coach, meeting.duration_minutes) == (coach, 90)
    steps = {step.description: step.done_at is not None for step in meeting.next_steps.all()}
    assert steps == {"Chiffrer les ventes du premier trimestre": True, "Rencontrer la communauté de communes": False}
    return page


def staff_plan_the_season_and_members_confirm(live_server, people, staff_page, project):
    """Paul generates the calendar; Léa confirms the next day from her e-mail; reminders go at J-7 and J-1, once."""
    cohort = project.cohort
    staff_page.goto(live_server.url + reverse("trainings:calendar_generate", args=[cohort.pk]))
    staff_page.get_by_label("Le Moulinage (Lamastre)").check()
    staff_page.get_by_role("button", name="Voir les dates").click()
    expect(staff_page.get_by_role("heading", name="Aperçu")).to_be_visible()
    staff_page.get_by_role("button", name=re.compile(r"Ajouter ces \d+ journées")).click()
    expect(staff_page.get_by_role("status")).to_contain_text("journées ajoutées au calendrier de la saison.")
    sessions = list(cohort.training_sessions.order_by("date"))
    assert len(sessions) >= 12  # fifteen months, one day a month, no August

    [invitation] = [m for m in mail.outbox if m.subject.startswith("Invitation") and m.to == ["lea@exemple.fr"]]
    path = re.search(r"https?://[^/\s]+(/\S+)", invitation.body).group(1)
    page = people()
    page.goto(live_server.url + path)
    upcoming = Attendance.objects.filter(member__project=project, session__date__gte=datetime.date.today())
    day = upcoming.order_by("session__date").first().session
    page.get_by_role("button", name=re.compile(r"^Je viendrai")).first.click()
    expect(page.get_by_role("status")).to_contain_text("C'est noté : vous venez")
    assert upcoming.get(session=day).response == Attendance.Response.CONFIRMED

    # The reminder sweep runs every few minutes in production; here it is called at each moment, twice.
    for offset in (7, 1):
        moment = reminder_moment(day.date, offset_days=offset, hour=DEFAULT_SCHEDULE.hour)
        with time_machine.travel(moment + datetime.timedelta(minutes=5), tick=False):
            before = len(mail.outbox)
            send_due_reminders()
            send_due_reminders()
            reminders = [m for m in mail.outbox[before:] if m.to == ["lea@exemple.fr"]]
            assert len(reminders) == 1, [m.subject for m in mail.outbox[before:]]
            assert reminders[0].subject.startswith("Rappel")
    return day


def calendar_entry(text):
    """The UID and SEQUENCE of a one-event .ics."""
    uid = re.search(r"^UID:(.+?)\r?$", text, re.MULTILINE).group(1)
    return uid, int(re.search(r"^SEQUENCE:(\d+)", text, re.MULTILINE).group(1))


def staff_move_a_day(live_server, staff_page, day, trainer):
    """Paul puts Inès on the day, then moves it two days later: Léa and Inès get the new .ics, same UID, newer."""
    staff_page.goto(live_server.url + reverse("trainings:session_update", args=[day.pk]))
    staff_page.get_by_label(trainer.name).check()
    staff_page.get_by_role("button", name="Enregistrer").click()
    feed = staff_page.request.get(live_server.url + reverse("trainings:session_ics", args=[day.uid]))
    uid, sequence = calendar_entry(feed.text())

    new_date = day.date + datetime.timedelta(days=2)
    staff_page.goto(live_server.url + reverse("trainings:session_update", args=[day.pk]))
    before = len(mail.outbox)
    staff_page.locator("#id_date").fill(new_date.isoformat())
    staff_page.get_by_role("button", name="Enregistrer").click()
    expect(staff_page.get_by_role("heading", level=1)).to_be_visible()
    notices = {m.to[0]: m for m in mail.outbox[before:] if "déplacée" in m.subject}
    assert set(notices) == {"lea@exemple.fr", trainer.email}
    for notice in notices.values():
        [(filename, content, mimetype)] = notice.attachments
        assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
        content = content.decode() if isinstance(content, bytes) else content
        new_uid, new_sequence = calendar_entry(content)
        assert new_uid == uid and new_sequence > sequence
        assert f"DTSTART;TZID=Europe/Paris:{new_date:%Y%m%d}" in content or f"{new_date:%Y%m%d}T" in content


def the_trainer_takes_attendance(live_server, people, day, trainer):
    """On the day, Inès marks Léa present on her phone and downloads the sheet to sign."""
    day.refresh_from_db()
    morning = datetime.datetime.combine(day.date, datetime.time(9, 30), tzinfo=PARIS)
    with time_machine.travel(morning, tick=True):
        page = people()
        log_in(page, live_server, trainer.user)
        page.get_by_role("button", name="Ouvrir le menu").click()
        page.get_by_role("link", name="Mes journées").click()
        page.get_by_role("link", name=re.compile("^Émargement")).first.click()
        lea = page.get_by_role("group", name="Léa Roux")
        lea.get_by_role("group", name="Matin").get_by_text("Présent·e").click()
        lea.get_by_role("group", name="Après-midi").get_by_text("Présent·e").click()
        page.get_by_role("button", name="Enregistrer l'émargement").click()
        expect(page.get_by_text("L'émargement est enregistré.")).to_be_visible()
        # The sheet opens in the phone's PDF viewer (served inline): fetch what the link gives, with her session.
        link = page.get_by_role("link", name="Feuille d'émargement à imprimer (PDF)")
        response = page.request.get(live_server.url + link.get_attribute("href"))
        assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(response.body())).pages)
    assert "Léa Roux" in text and "La Recyclerie du Plateau" in text
    attendance = Attendance.objects.get(session=day, member__name="Léa Roux")
    assert (attendance.morning, attendance.afternoon) == (Attendance.Presence.PRESENT, Attendance.Presence.PRESENT)


def at(day, hour=10):
    """A moment of the story, in Paris; the clock keeps ticking from there."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS), tick=True)


def a_new_coach_takes_over(live_server, people, project, paul, karim, sophie):
    """In August Karim leaves; Paul gives the project to Sophie, who logs an hour on confidence."""
    page = people()
    log_in(page, live_server, paul)
    page.goto(live_server.url + reverse("projects:assignment_board", args=[project.cohort_id]))
    page.get_by_role("link", name="Changer La Recyclerie du Plateau").click()
    form = page.locator("#confier")
    expect(form.get_by_label("Chargé·e d'accompagnement")).to_have_value(str(karim.pk))
    form.get_by_label("Chargé·e d'accompagnement").select_option(str(sophie.pk))
    form.get_by_role("button", name="Confier le projet").click()
    expect(page.get_by_text("La Recyclerie du Plateau est confié à Sophie Arnaud.")).to_be_visible()
    assert_no_sideways_scroll(page)

    page = people()
    log_in(page, live_server, sophie)
    page.wait_for_url(f"{live_server.url}/projets/mes-projets/")
    page.get_by_role("link", name="Noter un rendez-vous — La Recyclerie du Plateau").click()
    page.get_by_label("Durée en minutes").fill("60")
    page.get_by_label("Posture, confiance en soi").check()
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()
    expect(page.get_by_text("Le rendez-vous est noté.")).to_be_visible()


def the_coach_writes_the_outcome(live_server, people, project, sophie):
    """At the end of the season, Sophie writes where the project stands, on her phone."""
    page = people()
    log_in(page, live_server, sophie)
    page.goto(live_server.url + reverse("projects:project_detail", args=[project.pk]))
    page.get_by_role("link", name="Rédiger le bilan").click()
    page.get_by_label("Où en est le projet").select_option(label="Lancé")
    page.get_by_label("Forme juridique").select_option(label="SCIC")
    page.get_by_label("Emplois créés (équivalent temps plein)").fill("1,5")
    page.get_by_label("Bénévoles").fill("12")
    page.get_by_label("Fonds obtenus (€)").fill("8000")
    page.get_by_label("Compétences et confiance gagnées").fill("Léa sait présenter son budget à un financeur.")
    page.get_by_role("button", name="Enregistrer le bilan").click()
    expect(page.get_by_text("Le bilan de fin de saison est enregistré.")).to_be_visible()
    expect(page.locator("#bilan")).to_contain_text("Lancé")


def downloaded(page, link_name):
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name, exact=True).click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def staff_read_the_report_after_the_season(live_server, people, paul, structure):
    """A month after the season ended, Paul reads its report and downloads it for the funder: both coaches are
    credited, with their share of the 2.5 hours, and the parts of those hours add up, on the page and in each file."""
    page = people()
    log_in(page, live_server, paul)
    page.goto(live_server.url + reverse("cohorts:cohort_list"))
    page.get_by_role("link", name="Saison 2027").first.click()
    page.get_by_role("link", name=re.compile("^Rapport de saison")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport de saison — Saison 2027")
    body = page.locator("main")
    expect(body).not_to_contain_text("Aucun accompagnement confié")
    projects = page.locator("table.projects tbody tr")
    expect(projects).to_have_count(1)
    expect(projects.first).to_contain_text("Karim Benali 60 %, Sophie Arnaud 40 %")
    expect(projects.first).to_contain_text("Lancé")
    by_coach = page.get_by_role("table", name=re.compile("^Projets par chargé·e"))
    expect(by_coach.get_by_role("row", name=f"Karim Benali {structure.name} 1", exact=True)).to_be_visible()
    expect(by_coach.locator("tbody tr")).to_have_count(1)
    total = page.locator("#accompagnement + * tfoot tr, #accompagnement ~ * tfoot tr").first
    # 1 h 30 on the economic model (technical) and 1 h on confidence (human): 2.5 h = 1.5 + 1.0 + 0.
    expect(total).to_contain_text("2,5")
    cells = total.locator("td").all_inner_texts()
    assert [cell.replace("\u202fh", "").replace(" h", "").strip() for cell in cells] == [
        "2",
        "2,5",
        "1,5",
        "1,0",
        "0,0",
    ]

    name, content = downloaded(page, "PDF pour les financeurs")
    assert name.endswith(".pdf")
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(content)).pages)
    assert "Karim Benali 60 %" in text and "Sophie Arnaud 40 %" in text and "La Recyclerie du Plateau" in text

    name, content = downloaded(page, "Tableur (XLSX)")
    assert name.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = [
        row
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        if "La Recyclerie du Plateau" in row
    ]
    assert any("Karim Benali 60 %, Sophie Arnaud 40 %" in row and 1.5 in row for row in rows), rows

    page.get_by_text("Un seul jeu de données en CSV").click()
    name, content = downloaded(page, "Projets")
    [row] = [r for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";") if r]
    assert row["Projet"] == "La Recyclerie du Plateau"
    assert row["Chargé·es sur la saison (part de l'accompagnement)"] == "Karim Benali 60 %, Sophie Arnaud 40 %"
    assert (row["Chargé·e d'accompagnement"], row["Structure d'accompagnement"]) == ("Karim Benali", structure.name)
    assert row["Emplois créés (ETP)"] == "1,5"
    return page


def the_next_season_opens_and_grows(live_server, people, staff_page, programme, territory):
    """Paul opens the next season's call; Théo applies from the home page; the new season's page shows the growth."""
    staff_page.goto(live_server.url + reverse("cohorts:cohort_create") + f"?programme={programme.pk}")
    today = datetime.date.today()
    staff_page.locator("#id_name").fill("Saison 2028")
    staff_page.get_by_label("Date de début").fill(datetime.date(today.year + 1, 3, 1).isoformat())
    staff_page.get_by_label("Ardèche").check()
    staff_page.get_by_label("Ouverture de l'appel à candidatures").fill(today.isoformat())
    staff_page.get_by_label("Clôture de l'appel à candidatures").fill((today + datetime.timedelta(days=45)).isoformat())
    staff_page.get_by_role("button", name="Enregistrer").click()
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text("Saison 2028")
    season = programme.cohorts.get(name="Saison 2028")
    # Two other projects had applied by post and were typed in; Théo applies online, as the home page invites him.
    CandidacyFactory.create_batch(2, cohort=season, territory=territory)
    page = people()
    page.goto(live_server.url)
    page.get_by_role("link", name="Découvrir l'appel et candidater").click()
    page.get_by_role("link", name="Candidater", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidater à la Saison 2028")

    staff_page.goto(live_server.url + reverse("reports:season", args=[season.pk]))
    trend = staff_page.get_by_role("table", name="Vue d'ensemble")
    expect(trend).to_contain_text("Saison 2027")
    received = trend.get_by_role("row", name=re.compile("^Candidatures reçues")).locator("td").all_inner_texts()
    assert [cell.strip() for cell in received] == ["2", "1"], received  # newest first: 2 this season, 1 the last
    # The new season's report carries the same trend, with the last season's project, hours and jobs beside it.
    staff_page.goto(live_server.url + reverse("reports:season_report", args=[season.pk]))
    trend = staff_page.get_by_role("table", name="Saison après saison, la plus récente d'abord")
    expect(trend.locator("thead")).to_contain_text("Saison 2028")
    expect(trend.locator("thead")).to_contain_text("Saison 2027")
    for label, values in [
        ("Candidatures reçues", ["2", "1"]),
        ("Projets accompagnés", ["0", "1"]),
        ("Emplois créés (ETP)", ["0", "1,5"]),
    ]:
        cells = trend.get_by_role("row", name=re.compile(f"^{re.escape(label)}")).locator("td").all_inner_texts()
        assert [cell.strip() for cell in cells] == values, (label, cells)


def test_the_life_of_a_season(people, live_server, programme, settings, tmp_path):
    settings.APPLY_MIN_FILL_SECONDS = 0
    today = datetime.date.today()
    CohortFactory(
        programme=programme,
        name="Saison 2027",
        call_opens_on=today - datetime.timedelta(days=3),
        call_closes_on=today + datetime.timedelta(days=30),
        territories=[TerritoryFactory(name="Ardèche", department_code="07")],
    )
    candidacy = an_applicant_applies(people(), live_server, tmp_path)
    structure = programme.partners.get()
    nadia = StaffFactory(partner_structure=structure, first_name="Nadia", last_name="Colin")
    paul = StaffFactory(partner_structure=structure, first_name="Paul", last_name="Morel")
    project, staff_page = staff_review_and_accept(live_server, people, candidacy, nadia, paul)
    karim = CoachFactory(partner_structure=structure, first_name="Karim", last_name="Benali")
    staff_assign_a_coach_who_logs_a_meeting(live_server, people, staff_page, project, karim)
    VenueFactory(partner_structure=structure, name="Le Moulinage", commune="Lamastre")
    day = staff_plan_the_season_and_members_confirm(live_server, people, staff_page, project)
    ines = TrainerFactory(
        name="Inès Garnier", email="ines@exemple.fr", user=UserFactory(first_name="Inès"), partner_structure=structure
    )
    staff_move_a_day(live_server, staff_page, day, ines)
    the_trainer_takes_attendance(live_server, people, day, ines)

    season = project.cohort
    sophie = CoachFactory(partner_structure=structure, first_name="Sophie", last_name="Arnaud")
    with at(datetime.date(season.end_date.year, 8, 1)):
        a_new_coach_takes_over(live_server, people, project, paul, karim, sophie)
    with at(season.end_date - datetime.timedelta(days=10)):
        the_coach_writes_the_outcome(live_server, people, project, sophie)
    with at(season.end_date + datetime.timedelta(days=30)):
        staff_page = staff_read_the_report_after_the_season(live_server, people, paul, structure)
        the_next_season_opens_and_grows(live_server, people, staff_page, programme, season.territories.get())

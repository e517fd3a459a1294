"""Mailings: staff write to a season's people, see a preview, confirm once, and see where each mail stands."""

import datetime
import threading
import time
import uuid
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from playwright.sync_api import expect

from cohorts.models import Cohort
from outbox.models import OutgoingMail
from projects.services import erase_personal_data
from tests.browser import log_in
from tests.factories import (
    AttendanceFactory,
    CoachAssignmentFactory,
    CoachFactory,
    CohortFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    SuperuserFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.forms import find_form, form_fields, submit
from trainings import services
from trainings.models import Attendance, Mailing, MailingRecipient, TrainingSession

pytestmark = pytest.mark.django_db

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
Response, Presence = Attendance.Response, Attendance.Presence


@pytest.fixture(autouse=True)
def _during_the_season():
    with time_machine.travel(datetime.datetime(2026, 10, 1, 10, tzinfo=PARIS), tick=False):
        yield


class World:
    """A season whose people are known: who each audience reaches is counted by hand below."""

    def __init__(self, programme, structure):
        self.cohort = CohortFactory(programme=programme, name="Saison 2026-2027", start_date=D(2026, 9, 1))
        self.garage = ProjectFactory(cohort=self.cohort, name="Garage de la Vallée")
        self.tiers_lieu = ProjectFactory(cohort=self.cohort, name="La Grange")
        self.lea = ProjectMemberFactory(project=self.garage, name="Léa Roux", email="lea@exemple.fr")
        self.marc = ProjectMemberFactory(project=self.garage, name="Marc Petit", email="marc@exemple.fr")
        ProjectMemberFactory(project=self.garage, name="Sans Adresse", email="")
        self.nina = ProjectMemberFactory(project=self.tiers_lieu, name="Nina Faure", email="nina@exemple.fr")
        # Léa is in both teams, under the same address: she is written to once.
        ProjectMemberFactory(project=self.tiers_lieu, name="Léa Roux", email="LEA@exemple.fr")
        self.trainer = TrainerFactory(name="Claire Vial", email="claire@exemple.fr", partner_structure=structure)
        cancelled_trainer = TrainerFactory(name="Paul Absent", email="paul@exemple.fr", partner_structure=structure)
        self.day = TrainingSessionFactory(
            cohort=self.cohort, date=D(2026, 10, 13), title="Le modèle économique", trainers=[self.trainer]
        )
        TrainingSessionFactory(
            cohort=self.cohort,
            date=D(2026, 11, 10),
            title="Annulée",
            status=TrainingSession.Status.CANCELLED,
            trainers=[cancelled_trainer],
        )
        AttendanceFactory(session=self.day, member=self.lea, response=Response.CONFIRMED, morning=Presence.PRESENT)
        AttendanceFactory(session=self.day, member=self.marc, response=Response.DECLINED)
        AttendanceFactory(session=self.day, member=self.nina, response=Response.INVITED, afternoon=Presence.PRESENT)
        self.coach = CoachFactory(partner_structure=structure, first_name="Sami", email="sami@exemple.fr")
        CoachAssignmentFactory(project=self.garage, coach=self.coach)
        other_coach = CoachFactory(partner_structure=structure, email="yann@exemple.fr")
        CoachAssignmentFactory(project=self.tiers_lieu, coach=other_coach)
        # A coach who no longer follows a project of the season is not written to.
        CoachAssignmentFactory(
            project=ProjectFactory(cohort=self.cohort),
            coach=CoachFactory(partner_structure=structure),
            ended_on=D(2026, 9, 20),
        )


@pytest.fixture
def world(programme, structure):
    return World(programme, structure)


def page(world):
    return reverse("cohorts:mailing", args=[world.cohort.pk])


def write(client, world, **changes):
    """Open the page, fill the form as a person would, and ask for the preview."""
    response = client.get(page(world))
    assert response.status_code == 200
    values = {"subject": "Des nouvelles", "body": "Bonjour {prénom},\nà bientôt."}
    values.update(changes)
    return submit(client, response, values, button="preview")


# --- Who may open it -----------------------------------------------------------------------------------------


def test_anonymous_visitors_and_members_without_an_account_are_sent_to_the_login_page(client, world):
    response = client.get(page(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["coach", "trainer", "no role"])
def test_coaches_trainers_and_people_without_a_role_are_refused(client, world, structure, who):
    if who == "coach":
        person = world.coach
    elif who == "trainer":
        person = UserFactory()
        world.trainer.user = person
        world.trainer.save()
    else:
        person = UserFactory()
    client.force_login(person)
    assert client.get(page(world)).status_code == 403
    assert client.post(page(world), {"audience": "members"}).status_code == 403
    sent = services.send_mailing(
        cohort=world.cohort, key=uuid.uuid4(), audience="coaches", session=None, subject="x", body="y", sent_by=None
    )
    assert client.get(sent.mailing.get_absolute_url()).status_code == 403


def test_staff_of_another_programme_get_not_found(client, world):
    sent = services.send_mailing(
        cohort=world.cohort, key=uuid.uuid4(), audience="coaches", session=None, subject="x", body="y", sent_by=None
    )
    client.force_login(StaffFactory())
    assert client.get(page(world)).status_code == 404
    assert client.post(page(world), {"audience": "members"}).status_code == 404
    assert client.get(sent.mailing.get_absolute_url()).status_code == 404


def test_a_mailing_of_another_season_is_not_found_under_this_one(client, world, programme, staff):
    other = CohortFactory(programme=programme)
    sent = services.send_mailing(
        cohort=other, key=uuid.uuid4(), audience="coaches", session=None, subject="x", body="y", sent_by=None
    )
    client.force_login(staff)
    url = reverse("cohorts:mailing_detail", args=[world.cohort.pk, sent.mailing.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_staff_and_superusers_open_the_page_from_the_season_page(client, world, staff, who):
    client.force_login(staff if who == "staff" else SuperuserFactory())
    season = client.get(reverse("reports:season", args=[world.cohort.pk]))
    assert page(world).encode() in season.content
    assert client.get(page(world)).status_code == 200


# --- Who receives it -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("members", {"lea@exemple.fr", "marc@exemple.fr", "nina@exemple.fr"}),
        ("day_all", {"lea@exemple.fr", "marc@exemple.fr", "nina@exemple.fr"}),
        ("day_confirmed", {"lea@exemple.fr"}),
        ("day_no_answer", {"nina@exemple.fr"}),
        ("day_present", {"lea@exemple.fr", "nina@exemple.fr"}),
        ("coaches", {"sami@exemple.fr", "yann@exemple.fr"}),
        ("trainers", {"claire@exemple.fr"}),
    ],
)
def test_each_audience_reaches_its_people_once(client, world, staff, audience, expected):
    client.force_login(staff)
    day = {"session": str(world.day.pk)} if audience.startswith("day_") else {}
    preview = write(client, world, audience=audience, **day)
    assert preview.status_code == 200
    count = len(expected)
    wording = "personne recevra" if count == 1 else "personnes recevront"
    assert f"{count} {wording} ce message" in preview.content.decode()

    response = submit(client, preview, button="send")
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    assert {row.email for row in mailing.recipients.all()} == expected
    assert sorted(address for row in OutgoingMail.objects.all() for address in row.to) == sorted(expected)


def test_a_day_must_be_chosen_to_write_to_its_invitees(client, world, staff):
    client.force_login(staff)
    response = write(client, world, audience="day_confirmed", body="Bonjour {prénom}, à {journée}.")
    assert response.status_code == 400
    assert "Choisissez la journée" in response.content.decode()
    form = dict(form_fields(find_form(response, button="preview")))
    assert form["body"] == "Bonjour {prénom}, à {journée}."
    assert not Mailing.objects.exists()


# --- Placeholders --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "body", "message"),
    [
        ("members", "Bonjour {nom},", "« {nom} » n&#x27;est pas un mot que l&#x27;envoi sait remplacer"),
        ("members", "Rendez-vous {journée}.", "« {journée} » ne peut pas être rempli pour ces destinataires"),
        ("coaches", "Votre projet {projet}.", "« {projet} » ne peut pas être rempli pour ces destinataires"),
        ("trainers", "Votre lien : {lien}", "« {lien} » ne peut pas être rempli pour ces destinataires"),
    ],
)
def test_a_placeholder_unknown_or_meaningless_for_the_audience_is_refused_and_nothing_is_lost(
    client, world, staff, audience, body, message
):
    client.force_login(staff)
    response = write(client, world, audience=audience, body=body, subject="Un objet à garder")
    assert response.status_code == 400
    assert message in response.content.decode()
    form = dict(form_fields(find_form(response, button="preview")))
    assert (form["audience"], form["subject"], form["body"]) == (audience, "Un objet à garder", body)
    assert not Mailing.objects.exists()


def test_each_invitee_gets_their_own_name_project_day_and_answer_link(client, world, staff):
    client.force_login(staff)
    body = "Bonjour {prénom} ({projet}),\n{journée} approche : répondez ici {lien}"
    preview = write(
        client, world, audience="day_all", session=str(world.day.pk), subject="{Prénom}, la journée", body=body
    )
    text = preview.content.decode()
    assert "Bonjour Léa (Garage de la Vallée)" in text
    assert "Le modèle économique, mardi 13 octobre 2026 approche" in text

    submit(client, preview, button="send")
    by_address = {row.to[0]: row for row in OutgoingMail.objects.all()}
    nina = by_address["nina@exemple.fr"]
    assert nina.subject == "Nina, la journée"
    assert nina.body.startswith("Bonjour Nina (La Grange),\nLe modèle économique, mardi 13 octobre 2026 approche")
    link = nina.body.rsplit(" ", 1)[1]
    assert link != by_address["lea@exemple.fr"].body.rsplit(" ", 1)[1]
    client.logout()
    answer = client.get(urlsplit(link).path)
    assert answer.status_code == 200
    assert answer.context["member"] == world.nina
    assert answer.context["attendance"].session == world.day


def test_members_get_their_member_page_as_their_link(client, world, staff):
    client.force_login(staff)
    submit(client, write(client, world, audience="members", body="Votre page : {lien}"), button="send")
    row = OutgoingMail.objects.get(to=["marc@exemple.fr"])
    answer = client.get(urlsplit(row.body.removeprefix("Votre page : ")).path)
    assert answer.status_code == 200
    assert answer.context["member"] == world.marc


def test_a_day_cancelled_between_the_preview_and_the_confirmation_sends_nothing_and_keeps_the_message(
    client, world, staff
):
    client.force_login(staff)
    preview = write(client, world, audience="day_all", session=str(world.day.pk), body="À bientôt {prénom}")
    world.day.status = TrainingSession.Status.CANCELLED
    world.day.save()
    response = submit(client, preview, button="send")
    assert response.status_code == 400
    assert "Choisissez une journée de la saison dans la liste." in response.content.decode()
    assert dict(form_fields(find_form(response, button="preview")))["body"] == "À bientôt {prénom}"
    assert not Mailing.objects.exists() and not OutgoingMail.objects.exists()


def test_going_back_from_the_preview_keeps_the_message(client, world, staff):
    client.force_login(staff)
    preview = write(client, world, audience="coaches", body="Bonjour {prénom}, réunion jeudi.")
    back = submit(client, preview, button="edit")
    assert back.status_code == 200
    form = dict(form_fields(find_form(back, button="preview")))
    assert (form["audience"], form["body"]) == ("coaches", "Bonjour {prénom}, réunion jeudi.")
    assert not Mailing.objects.exists()


# --- Once only -----------------------------------------------------------------------------------------------


def test_a_confirmation_posted_twice_sends_once(client, world, staff):
    client.force_login(staff)
    preview = write(client, world, audience="members")
    first = submit(client, preview, button="send")
    second = submit(client, preview, button="send", follow=True)
    assert Mailing.objects.count() == 1
    assert OutgoingMail.objects.count() == MailingRecipient.objects.count() == 3
    assert second.redirect_chain[0][0] == first["Location"]
    assert "déjà parti" in second.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_the_same_moment_send_once_on_postgresql(programme, structure, monkeypatch):
    world = World(programme, structure)
    key = uuid.uuid4()
    # A slow database after the mailing's insert: without the unique key, both would write their mails.
    recipients = services.mailings.recipients
    monkeypatch.setattr(services.mailings, "recipients", lambda **kw: time.sleep(0.2) or recipients(**kw))
    start = threading.Barrier(2)
    outcomes = []

    def confirm():
        try:
            connection.ensure_connection()
            start.wait()
            sent = services.send_mailing(
                cohort=world.cohort,
                key=key,
                audience="members",
                session=None,
                subject="Des nouvelles",
                body="Bonjour {prénom}",
                sent_by=None,
            )
            outcomes.append(sent.created)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [False, True]
    assert Mailing.objects.count() == 1
    assert MailingRecipient.objects.count() == 3
    assert OutgoingMail.objects.count() == 3


def test_an_address_is_written_to_once_per_mailing_by_the_database(world):
    sent = services.send_mailing(
        cohort=world.cohort, key=uuid.uuid4(), audience="members", session=None, subject="x", body="y", sent_by=None
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        MailingRecipient.objects.create(mailing=sent.mailing, email="lea@exemple.fr", name="Léa")


# --- Outbox, results, audit, erasure -------------------------------------------------------------------------


def test_the_mails_go_through_the_outbox_and_the_page_shows_where_they_stand(
    client, world, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    preview = write(client, world, audience="members")
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, preview, button="send")
    rows = OutgoingMail.objects.all()
    assert {row.programme_id for row in rows} == {world.cohort.programme_id}
    assert {row.status for row in rows} == {OutgoingMail.Status.SENT}
    assert len(mail.outbox) == 3
    OutgoingMail.objects.filter(to=["marc@exemple.fr"]).update(status=OutgoingMail.Status.FAILED)
    OutgoingMail.objects.filter(to=["nina@exemple.fr"]).update(status=OutgoingMail.Status.RETRY)

    detail = client.get(response["Location"])
    text = detail.content.decode()
    assert "1 envoyé" in text and "1 en attente" in text and "1 en échec" in text
    assert "marc@exemple.fr" in text and "Échec" in text
    listing = client.get(page(world)).content.decode()
    assert "Des nouvelles" in listing and "1 en échec" in listing


def test_each_mailing_sent_is_in_the_audit_trail_with_who_sent_it(client, world, staff):
    client.force_login(staff)
    submit(client, write(client, world, audience="coaches"), button="send")
    mailing = Mailing.objects.get()
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Mailing), object_pk=str(mailing.pk))
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == staff
    assert entry.changes["audience"][1] == "coaches"
    assert "key" not in entry.changes


def test_an_erased_person_leaves_the_log_without_their_name_nor_address(world):
    sent = services.send_mailing(
        cohort=world.cohort,
        key=uuid.uuid4(),
        audience="members",
        session=None,
        subject="Bonjour {prénom}",
        body="Bonjour {prénom}",
        sent_by=None,
    )
    OutgoingMail.objects.update(status=OutgoingMail.Status.SENT)
    erase_personal_data(email="lea@exemple.fr")

    rows = {row.name: row for row in sent.mailing.recipients.select_related("mail")}
    assert "Léa Roux" not in rows
    erased = rows["Personne effacée"]
    assert erased.email == ""
    assert erased.mail.to == [] and "Léa" not in erased.mail.body
    assert rows["Marc Petit"].email == "marc@exemple.fr"


def test_an_erased_persons_mail_not_gone_yet_is_withdrawn(world):
    services.send_mailing(
        cohort=world.cohort, key=uuid.uuid4(), audience="members", session=None, subject="x", body="y", sent_by=None
    )
    erase_personal_data(email="nina@exemple.fr")
    assert sorted(row.to[0] for row in OutgoingMail.objects.all()) == ["lea@exemple.fr", "marc@exemple.fr"]
    assert MailingRecipient.objects.filter(email="", mail__isnull=True).count() == 1


# --- Constant queries ----------------------------------------------------------------------------------------


def _grow(world, times):
    for n in range(times):
        project = ProjectFactory(cohort=world.cohort, name=f"Projet {n}")
        for m in range(3):
            member = ProjectMemberFactory(project=project, email=f"p{n}m{m}@exemple.fr")
            AttendanceFactory(session=world.day, member=member)


@pytest.mark.parametrize("times", [2, 20])
def test_the_pages_run_the_same_queries_with_ten_times_the_recipients(
    client, world, staff, times, django_assert_max_num_queries
):
    _grow(world, times)
    for _ in range(3):
        services.send_mailing(
            cohort=world.cohort,
            key=uuid.uuid4(),
            audience="day_all",
            session=world.day,
            subject="x",
            body="{prénom} {lien}",
            sent_by=staff,
        )
    client.force_login(staff)
    mailing = Mailing.objects.first()
    # 2 session and user, 1 season, 1 past mailings with their counts, 1 the form's days = 5; a little room.
    with django_assert_max_num_queries(7):
        assert client.get(page(world)).status_code == 200
    # 2 session and user, 1 season, 1 mailing with its counts, 1 its recipients with their mails = 5.
    with django_assert_max_num_queries(7):
        assert client.get(mailing.get_absolute_url()).status_code == 200
    form = client.get(page(world))
    changes = {"audience": "day_all", "session": str(world.day.pk), "subject": "x", "body": "{prénom} {lien}"}
    # 2 session and user, 1 season, 1 the chosen day, 1 its invitees, 1 the form's days, 1 past mailings = 7.
    with django_assert_max_num_queries(7):
        preview = submit(client, form, changes, button="preview")
    assert preview.status_code == 200
    # 2 session and user, 1 season, 1 the chosen day; in the service's transaction (2 savepoint statements):
    # 1 the key looked up, then in its own savepoint (2) the mailing and its audit entry (2), then 1 the
    # invitees, 1 the mails, 1 the log = 14.
    with django_assert_max_num_queries(14):
        assert submit(client, preview, button="send").status_code == 302
    assert MailingRecipient.objects.filter(mailing=Mailing.objects.first()).count() == 3 + 3 * times


# --- On a phone ----------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_write_to_a_days_invitees_from_a_small_phone(browser, live_server, programme, structure, staff):
    world = World(programme, structure)
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="fr-FR")
    page_ = context.new_page()
    narrow = "document.documentElement.scrollWidth"
    try:
        log_in(page_, live_server, staff)
        page_.goto(f"{live_server.url}{reverse('reports:season', args=[world.cohort.pk])}")
        page_.get_by_role("link", name="Écrire à la saison").click()
        assert page_.evaluate(narrow) <= 375
        expect(page_.get_by_label("Journée collective")).to_be_hidden()
        page_.get_by_label("Les membres des projets de la saison").check()
        expect(page_.get_by_label("Journée collective")).to_be_hidden()
        page_.get_by_label("Les invité·es d'une journée : pas encore de réponse").check()
        expect(page_.get_by_label("Journée collective")).to_be_visible()
        page_.get_by_label("Journée collective").select_option(label="13 octobre 2026 — Le modèle économique")
        page_.get_by_role("textbox", name="Objet").fill("Vous venez le 13 ?")
        page_.get_by_role("textbox", name="Message").fill("Bonjour {prénom}, répondez pour {journée} : {lien}")
        page_.get_by_role("button", name="Voir l'aperçu").click()
        expect(page_.get_by_text("1 personne recevra ce message.")).to_be_visible()
        expect(page_.get_by_text("Bonjour Nina, répondez pour Le modèle économique")).to_be_visible()
        assert page_.evaluate(narrow) <= 375
        page_.get_by_role("button", name="Envoyer à cette personne").click()
        expect(page_.get_by_text("Le message part vers 1 personne.")).to_be_visible()
        expect(page_.get_by_role("heading", name="Vous venez le 13 ?")).to_be_visible()
        assert page_.evaluate(narrow) <= 375
    finally:
        context.close()
    assert [row.email for row in MailingRecipient.objects.all()] == ["nina@exemple.fr"]


def test_a_days_page_opens_the_form_on_its_invitees(client, world, staff):
    client.force_login(staff)
    day_page = client.get(reverse("trainings:session_detail", args=[world.day.pk]))
    link = f"{page(world)}?journee={world.day.pk}"
    assert link.encode() in day_page.content
    form = dict(form_fields(find_form(client.get(link), button="preview")))
    assert (form["audience"], form["session"]) == ("day_all", str(world.day.pk))
    # Another season's day, or nonsense, opens the plain form.
    other = TrainingSessionFactory(cohort=CohortFactory(programme=world.cohort.programme))
    # "²" and "١" pass `str.isdigit` but are no number: they raised a ValueError.
    for value in (str(other.pk), "abc", "9" * 30, "²", "١"):
        form = dict(form_fields(find_form(client.get(f"{page(world)}?journee={value}"), button="preview")))
        assert "audience" not in form and form["session"] == ""


def test_a_persons_export_lists_the_mailings_sent_to_them_and_only_theirs(world):
    from projects.services import export_personal_data

    services.send_mailing(
        cohort=world.cohort,
        key=uuid.uuid4(),
        audience="members",
        session=None,
        subject="La journée de mars",
        body="Bonjour {prénom}, à mardi.",
        sent_by=None,
    )
    [received] = export_personal_data(email="LEA@exemple.fr")["mailings_received"]
    assert received["to"] == "lea@exemple.fr" and received["subject"] == "La journée de mars"
    assert received["message"] == "Bonjour {prénom}, à mardi." and received["season"] == world.cohort.name
    assert export_personal_data(email="personne@exemple.fr")["mailings_received"] == []
    assert export_personal_data(email="lea@exemple.fr", cohorts=Cohort.objects.none())["mailings_received"] == []

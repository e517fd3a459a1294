"""The audit trail: what each recorded row keeps, who it names, who reads it, and what an erasure leaves."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.urls import reverse

from cohorts.models import Criterion
from incubator import audit
from projects import services
from projects import tokens as project_tokens
from projects.models import Candidacy, CoachingSession, DecisionMessage, Milestone, Outcome, Project, Review
from projects.services.personal_data import delete_candidacy
from projects.views.project import project_history
from tests.factories import (
    AttendanceFactory,
    CandidacyFactory,
    CandidacyMemberFactory,
    CoachAssignmentFactory,
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    SuperuserFactory,
    TrainerFactory,
    TrainingSessionFactory,
    VenueFactory,
)
from tests.forms import submit
from trainings import services as trainings_services
from trainings import tokens as member_tokens
from trainings.models import Attendance, Trainer, TrainingSession, Venue

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
Status = Candidacy.Status
LEA = {"name": "Léa Roux", "email": "lea.roux@exemple.fr", "phone": "06 12 34 56 78"}


@pytest.fixture(autouse=True)
def _early_october():
    with time_machine.travel(datetime.datetime(2026, 10, 1, 10, tzinfo=PARIS), tick=True):
        yield


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027", start_date=datetime.date(2026, 9, 1))


@pytest.fixture
def day(cohort, structure):
    return TrainingSessionFactory(
        cohort=cohort, date=datetime.date(2026, 10, 1), title="Le modèle économique", venue__partner_structure=structure
    )


@pytest.fixture
def outsider():
    """Staff of another programme, run by another structure."""
    other = PartnerStructureFactory(name="Autre Scop")
    ProgrammeFactory(partners=[other])
    return StaffFactory(partner_structure=other)


def trail_text(*targets):
    return " ".join(
        f"{entry.action} {entry.subject} {entry.actor} "
        + " ".join(f"{c.label}: {c.before} -> {c.after}{' (caché)' if c.hidden else ''}" for c in entry.changes)
        for entry in audit.history(*targets)
    )


def audit_table_dump() -> str:
    """Every column of every row of the trail's table, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {LogEntry._meta.db_table}")
        return "\n".join(" | ".join(str(value) for value in row) for row in cursor.fetchall())


# --- What each recorded row keeps ---------------------------------------------------------------------


def test_staff_edit_a_venue_as_the_page_renders_it_and_its_page_shows_who_changed_what(client, staff, structure):
    venue = VenueFactory(name="La Fabrique", commune="Dieulefit", partner_structure=structure)
    client.force_login(staff)
    url = reverse("trainings:venue_update", args=[venue.pk])
    assert submit(client, client.get(url), {"commune": "Crest"}, button="submit").status_code == 302

    page = client.get(url).content.decode()
    assert "Historique" in page
    assert "Modification" in page and "Création" in page
    assert "Commune : Dieulefit → Crest" in page
    # The name the page gives the person, and a French date.
    assert (staff.get_full_name() or staff.email) in page
    assert "le 1er octobre 2026 à" in page
    [update] = LogEntry.objects.filter(action=LogEntry.Action.UPDATE, object_pk=str(venue.pk))
    assert update.actor == staff and update.remote_addr is None


def test_a_trainers_card_keeps_its_history_without_the_login_it_is_linked_to(client, staff, structure):
    trainer = TrainerFactory(name="Claire Vial", partner_structure=structure, phone="")
    client.force_login(staff)
    url = reverse("trainings:trainer_update", args=[trainer.pk])
    assert submit(client, client.get(url), {"phone": "04 75 00 00 00"}, button="submit").status_code == 302

    assert "Téléphone : 04 75 00 00 00" in client.get(url).content.decode()
    assert all("user" not in (entry.changes or {}) for entry in LogEntry.objects.all())


def test_a_days_move_its_trainers_and_its_attendance_are_recorded(day, staff, structure):
    attendance = AttendanceFactory(session=day, member__name="Marc Petit")
    trainer = TrainerFactory(name="Claire Vial", partner_structure=structure)
    day.trainers.add(trainer)
    day.date = datetime.date(2026, 10, 2)
    day.save()
    with set_actor(staff):
        trainings_services.record_attendance(session=day, marks={attendance.member_id: ("present", "")}, by=staff)

    text = trail_text(day, Attendance.objects.filter(session=day))
    assert "Date: 1er octobre 2026 -> 2 octobre 2026" in text
    assert "ajout : Claire Vial" in text
    # Marks are written in bulk, and still recorded, with who took them.
    [marks] = LogEntry.objects.filter(content_type__model="attendance", action=LogEntry.Action.UPDATE)
    assert marks.changes == {"morning": ["", "present"]} and marks.actor == staff
    assert "Matin:  -> Présent·e" in text or "Matin: — -> Présent·e" in text or "Présent" in text
    # The calendar's bookkeeping is not.
    assert not any(
        "sequence" in (entry.changes or {}) or "uid" in (entry.changes or {}) for entry in LogEntry.objects.all()
    )


def test_scores_are_recorded_on_the_review_and_comments_only_as_changed(cohort, staff):
    candidacy = CandidacyFactory(cohort=cohort, status=Status.UNDER_REVIEW)
    scores = {criterion: 3 for criterion in Criterion.values}
    with set_actor(staff):
        services.save_review(candidacy=candidacy, reviewer=staff, scores=scores, comments={"team": "Solide."})
        services.save_review(
            candidacy=candidacy, reviewer=staff, scores={**scores, "team": 5}, comments={"team": "Très solide."}
        )

    review = Review.objects.get()
    text = trail_text(candidacy, Review.objects.filter(candidacy=candidacy))
    assert "Équipe: 3 -> 5" in text
    assert "Commentaire : Équipe:  ->  (caché)" in text
    assert "Solide" not in audit_table_dump()
    assert LogEntry.objects.filter(object_pk=str(review.pk), actor=staff).count() == 3  # created, graded, re-graded


def test_a_decision_and_its_wording_are_recorded_but_never_what_the_applicant_typed(cohort, staff):
    candidacy = CandidacyFactory(cohort=cohort, status=Status.SUBMITTED, contact_name="Zoé Martin", need="Un garage")
    with set_actor(staff):
        services.change_status(candidacy=candidacy, to_status=Status.UNDER_REVIEW, by=staff)
        message = DecisionMessage.objects.create(
            programme=cohort.programme, kind=Status.REJECTED, subject="Votre candidature", body="Merci."
        )
        message.body = "Merci beaucoup."
        message.save()

    text = trail_text(candidacy)
    assert "État: Envoyée -> À l'étude" in text
    assert "Merci beaucoup." in trail_text(message)
    dump = audit_table_dump()
    assert "Zoé Martin" not in dump and "Un garage" not in dump


def test_a_projects_coaching_is_recorded_without_the_meetings_notes(cohort, staff, coach):
    project = ProjectFactory(cohort=cohort, name="Le Fournil")
    with set_actor(staff):
        services.assign_coach(project=project, coach=coach, by=staff)
        meeting = services.log_meeting(
            project=project,
            coach=coach,
            date=datetime.date(2026, 9, 30),
            notes="Tension dans l'équipe.",
            topics=["legal"],
        )
        services.create_default_milestones(project=project)
        milestone = Milestone.objects.filter(project=project).first()
        milestone.done_on = datetime.date(2026, 9, 30)
        milestone.save()
        Outcome.objects.create(project=project, status=Outcome.Status.LAUNCHED, jobs_fte=2)
        project.commune = "Crest"
        project.save()

    text = " ".join(
        f"{e.action} {e.subject} " + " ".join(f"{c.label}: {c.after}" for c in e.changes)
        for e in project_history(project)
    )
    assert "Accompagnement confié" in text
    assert "Rendez-vous d'accompagnement" in text and "Modèle juridique" in text
    assert "Atteinte le: 30 septembre 2026" in text
    assert "Bilan de fin de saison" in text and "Lancé" in text
    assert "Commune: Crest" in text
    assert (
        Milestone.objects.filter(project=project).count()
        == LogEntry.objects.filter(content_type__model="milestone", action=LogEntry.Action.CREATE).count()
    )
    assert "Tension" not in audit_table_dump()
    assert not LogEntry.objects.filter(object_pk=str(meeting.pk), changes__has_key="notes").exists()


def test_a_member_answering_by_signed_link_is_named_as_such_without_an_account(client, day):
    attendance = AttendanceFactory(session=day, member__name="Marc Petit")
    page = client.get(member_tokens.member_page_url(attendance.member))
    submit(client, page, action=f"/{day.pk}/", field="reponse=oui")

    [entry] = LogEntry.objects.filter(content_type__model="attendance", action=LogEntry.Action.UPDATE)
    assert entry.actor is None and entry.additional_data == {"by": "member"}
    assert audit.actor_label(entry) == "Un membre du projet (lien personnel)"


def test_an_applicant_withdrawing_by_signed_link_is_named_as_such(client, cohort, staff):
    candidacy = CandidacyFactory(cohort=cohort, contact_name="Zoé Martin")
    page = client.get(project_tokens.status_url(candidacy))
    submit(client, page, {"confirm": True}, action="/retirer/")

    entry = LogEntry.objects.get(content_type__model="candidacy", action=LogEntry.Action.UPDATE)
    assert entry.changes["status"] == ["submitted", "withdrawn"]
    assert entry.actor is None and audit.actor_label(entry) == "La personne qui candidate (lien personnel)"
    client.force_login(staff)
    page = client.get(reverse("projects:candidacy_detail", args=[candidacy.pk])).content.decode()
    assert "La personne qui candidate (lien personnel)" in page and "Envoyée → Retirée" in page


def test_a_sweep_run_by_the_site_is_named_as_the_site(cohort):
    candidacy = CandidacyFactory(cohort=cohort, status=Status.SUBMITTED)
    candidacy.status = Status.UNDER_REVIEW
    candidacy.save()
    entry = LogEntry.objects.filter(action=LogEntry.Action.UPDATE).get()
    assert audit.actor_label(entry) == "Le site (tâche automatique)"


# --- Who reads it ---------------------------------------------------------------------------------------


def test_only_the_programmes_staff_read_a_candidacys_full_trail(client, cohort, staff, structure, outsider):
    candidacy = CandidacyFactory(cohort=cohort, status=Status.SUBMITTED)
    url = reverse("projects:candidacy_detail", args=[candidacy.pk])
    client.force_login(staff)
    assert "Toutes les modifications" in client.get(url).content.decode()
    # A coach who reviews reads the page and its steps, not the staff's trail.
    client.force_login(CoachFactory(partner_structure=structure, is_reviewer=True))
    response = client.get(url)
    assert response.status_code == 200 and "Toutes les modifications" not in response.content.decode()
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_only_the_programmes_staff_read_a_projects_trail(client, cohort, staff, coach, outsider):
    project = ProjectFactory(cohort=cohort)
    CoachAssignmentFactory(project=project, coach=coach, cohort=cohort)
    url = reverse("projects:project_detail", args=[project.pk])
    client.force_login(staff)
    assert 'id="journal-titre"' in client.get(url).content.decode()
    client.force_login(coach)
    response = client.get(url)
    assert response.status_code == 200 and 'id="journal-titre"' not in response.content.decode()
    for other in (outsider, CoachFactory()):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_another_programmes_staff_find_no_day_venue_or_trainer_history(client, day, structure, outsider):
    trainer = TrainerFactory(partner_structure=structure)
    urls = [
        reverse("trainings:session_detail", args=[day.pk]),
        reverse("trainings:venue_update", args=[day.venue.pk]),
        reverse("trainings:trainer_update", args=[trainer.pk]),
    ]
    client.force_login(outsider)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(StaffFactory(partner_structure=structure))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and 'id="journal-titre"' in response.content.decode()


def test_superusers_get_the_journal_of_every_entry_filterable_and_others_do_not(client, day, staff, coach):
    url = reverse("admin:auditlog_logentry_changelist")
    superuser = SuperuserFactory()
    client.force_login(superuser)
    home = client.get(reverse("home"), follow=True).content.decode()
    assert url in home and "Journal des modifications" in home
    response = client.get(url, {"action__exact": LogEntry.Action.CREATE})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le modèle économique" in page and "Création" in page
    entry = LogEntry.objects.filter(object_pk=str(day.pk), content_type__model="trainingsession").get()
    assert client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200
    for other in (staff, coach):
        client.force_login(other)
        assert client.get(url).status_code == 302  # to the admin's login
        assert url not in client.get(reverse("home"), follow=True).content.decode()
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("edits", [1, 10])
def test_a_days_page_runs_the_same_queries_whatever_its_trail(client, day, staff, django_assert_max_num_queries, edits):
    trainers = [TrainerFactory(partner_structure=day.venue.partner_structure) for _ in range(edits)]
    for index, trainer in enumerate(trainers):
        day.trainers.add(trainer)
        day.venue = VenueFactory(partner_structure=day.venue.partner_structure)
        day.title = f"Titre {index}"
        day.save()
        AttendanceFactory(session=day)
    client.force_login(staff)
    # The page's own queries (session and user, the day and its counts, trainers, attendances...) = 14,
    # then the trail: its entries with their authors, and one query per kind of row a change points to (venues).
    with django_assert_max_num_queries(16):
        response = client.get(reverse("trainings:session_detail", args=[day.pk]))
    assert response.status_code == 200 and "Titre 0" in response.content.decode()


# --- Personal data: recorded without the data, scrubbed on erasure -------------------------------------


@pytest.fixture
def lea(cohort, day):
    """Léa: contact of a rejected candidacy, member of an accepted project whose day she attended."""
    own = CandidacyFactory(
        cohort=cohort,
        status=Status.REJECTED,
        contact_name=LEA["name"],
        contact_email=LEA["email"],
        contact_phone=LEA["phone"],
    )
    CandidacyMemberFactory(candidacy=own, name=LEA["name"], email=LEA["email"], phone=LEA["phone"])
    project = ProjectFactory(cohort=cohort, name="Le Fournil")
    member = ProjectMemberFactory(project=project, **LEA)
    AttendanceFactory(session=day, member=member)
    return {"own": own, "project": project, "member": member}


def erase_on_the_page(client, email):
    url = reverse("projects:personal_data")
    page = submit(client, client.get(url), {"email": email}, button="action=search")
    return submit(client, page, {"confirm": True}, button="action=erase")


def test_an_erased_person_is_found_nowhere_in_the_trail(client, staff, lea, day):
    client.force_login(staff)
    # Her attendance is taken, she answers by her link: the trail now names her.
    attendance = Attendance.objects.get(member=lea["member"])
    submit(
        client,
        client.get(reverse("trainings:attendance", args=[day.pk])),
        {f"morning-{attendance.member_id}": "present"},
        field=f"morning-{attendance.member_id}",
    )
    client.logout()
    submit(client, client.get(member_tokens.member_page_url(lea["member"])), action=f"/{day.pk}/", field="reponse=oui")
    assert LEA["name"] in audit_table_dump()

    client.force_login(staff)
    erase_on_the_page(client, LEA["email"])

    dump = audit_table_dump().lower()
    for value in LEA.values():
        assert value.lower() not in dump
    # The rows stay, without her: what happened to the day is still known.
    assert LogEntry.objects.filter(content_type__model="attendance").count() >= 2
    assert "[effacé]" in dump or "personne effacée" in dump
    events = LogEntry.objects.filter(changes_text="personal_data_erasure")
    assert events.count() == 2 and all(event.actor == staff for event in events)


def test_exports_are_recorded_on_each_record_without_the_address_nor_the_data(client, staff, lea):
    client.force_login(staff)
    url = reverse("projects:personal_data")
    page = submit(client, client.get(url), {"email": LEA["email"]}, button="action=search")
    response = submit(client, page, {"email": LEA["email"]}, button="action=export")
    assert response.status_code == 200

    events = LogEntry.objects.filter(changes_text="personal_data_export")
    assert {(event.content_type.model, event.object_pk) for event in events} == {
        ("candidacy", str(lea["own"].pk)),
        ("projectmember", str(lea["member"].pk)),
    }
    assert all(event.actor == staff and event.changes is None for event in events)
    assert {event.object_repr for event in events} == {str(lea["own"]), "Membre de « Le Fournil »"}
    assert LEA["email"] not in audit_table_dump()
    assert "Données personnelles exportées" in trail_text(lea["own"])


def test_the_nightly_anonymisation_takes_the_projects_name_out_of_its_rows(cohort, staff):
    candidacy = CandidacyFactory(cohort=cohort, status=Status.SUBMITTED, project_name="Ferme de Zoé Martin")
    with set_actor(staff):
        services.change_status(candidacy=candidacy, to_status=Status.UNDER_REVIEW, by=staff)
        services.save_review(
            candidacy=candidacy, reviewer=staff, scores=dict.fromkeys(Criterion.values, 2), comments={}
        )
    assert "Zoé Martin" in audit_table_dump()

    services.anonymise_candidacy(candidacy=candidacy)

    assert "Zoé Martin" not in audit_table_dump()
    assert {entry.object_repr for entry in LogEntry.objects.filter(content_type__model="candidacy")} == {
        "Candidature anonymisée"
    }


def test_a_deleted_draft_leaves_its_trail_without_its_name(cohort):
    draft = CandidacyFactory(
        cohort=cohort, status=Status.DRAFT, project_name="Atelier de Zoé Martin", reference=None, submitted_at=None
    )
    delete_candidacy(candidacy=draft)
    assert "Zoé Martin" not in audit_table_dump()
    assert set(LogEntry.objects.values_list("action", flat=True)) == {LogEntry.Action.CREATE, LogEntry.Action.DELETE}


def test_tracked_models_are_the_ones_the_trail_promises():
    for model in (Candidacy, Review, DecisionMessage, Project, CoachingSession, Milestone, Outcome, TrainingSession):
        assert audit.is_tracked(model), model
    for model in (Attendance, Trainer, Venue):
        assert audit.is_tracked(model), model

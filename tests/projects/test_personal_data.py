"""Applicants' personal data: the retention sweep, a person's export and erasure, and the staff page."""

import datetime
import io
import json
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from projects import services, tasks, tokens
from projects.models import (
    Actor,
    Candidacy,
    CandidacyMember,
    FollowUp,
    Project,
    ProjectMember,
    Review,
    ReviewScore,
    StatusChange,
)
from projects.services.personal_data import add_months
from tests.factories import (
    ActorFactory,
    AttachmentFactory,
    CandidacyFactory,
    CandidacyMemberFactory,
    CoachFactory,
    CohortFactory,
    DraftFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    SuperuserFactory,
    UserFactory,
)
from tests.forms import submit

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
Status = Candidacy.Status
URL = "/projets/donnees-personnelles/"
# The season below ends on 31 March 2025; with 24 months of retention its data is kept until 31 March 2027.
SEASON_END = datetime.date(2025, 3, 31)
LAST_KEPT_DAY = datetime.date(2027, 3, 31)


@pytest.fixture
def season(programme):
    return CohortFactory(programme=programme, name="Saison 2024-2025", start_date=datetime.date(2024, 1, 1))


def _full_candidacy(season, status, **fields):
    """A candidacy with everything anonymisation must remove: team, document, notes, review comments."""
    candidacy = CandidacyFactory(cohort=season, status=status, **fields)
    CandidacyMemberFactory(candidacy=candidacy, name="Jeanne Morel", email="jeanne.morel@exemple.fr", phone="0611")
    AttachmentFactory(candidacy=candidacy)
    StatusChange.objects.create(
        candidacy=candidacy, from_status=Status.SUBMITTED, to_status=status, note="Mme Morel a appelé lundi."
    )
    reviewer = StaffFactory(partner_structure=season.programme.partners.first())
    review = Review.objects.create(candidacy=candidacy, reviewer=reviewer, conflict_note="Je connais sa sœur.")
    ReviewScore.objects.create(review=review, criterion="collective", score=4, comment="Jeanne porte tout seule.")
    return candidacy


def _stored_names(candidacy):
    return [attachment.file.name for attachment in candidacy.attachments.all()]


# --- The retention sweep ------------------------------------------------------------------------


def test_months_are_added_the_calendar_way():
    assert add_months(datetime.date(2025, 3, 31), 24) == datetime.date(2027, 3, 31)
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2023, 8, 31), 6) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2025, 11, 30), 2) == datetime.date(2026, 1, 30)


def test_the_season_fixture_ends_when_the_retention_dates_below_assume(season):
    assert season.end_date == SEASON_END


@pytest.mark.parametrize("status", [Status.REJECTED, Status.WITHDRAWN])
def test_a_closed_candidacy_is_kept_to_the_last_day_of_retention_and_anonymised_the_next_day(season, status):
    candidacy = _full_candidacy(season, status)

    for day in (LAST_KEPT_DAY - datetime.timedelta(days=1), LAST_KEPT_DAY):
        assert services.anonymise_expired_candidacies(today=day) == 0
        candidacy.refresh_from_db()
        assert candidacy.anonymised_at is None and candidacy.contact_email

    assert services.anonymise_expired_candidacies(today=LAST_KEPT_DAY + datetime.timedelta(days=1)) == 1
    candidacy.refresh_from_db()
    assert candidacy.anonymised_at is not None
    assert candidacy.contact_email == ""


def test_the_retention_period_is_a_setting(season, settings):
    settings.CANDIDACY_RETENTION_MONTHS = 6
    candidacy = CandidacyFactory(cohort=season, status=Status.REJECTED)
    assert services.anonymise_expired_candidacies(today=datetime.date(2025, 9, 30)) == 0
    assert services.anonymise_expired_candidacies(today=datetime.date(2025, 10, 1)) == 1
    candidacy.refresh_from_db()
    assert candidacy.anonymised_at is not None


def test_accepted_candidacies_are_never_touched_by_the_sweep(season):
    accepted = CandidacyFactory(cohort=season, status=Status.ACCEPTED, project_name="Le Garage du Diois")
    ProjectFactory(cohort=season, candidacy=accepted, name="Le Garage du Diois")

    assert services.anonymise_expired_candidacies(today=datetime.date(2040, 1, 1)) == 0

    accepted.refresh_from_db()
    assert accepted.anonymised_at is None
    assert accepted.contact_email.endswith("@exemple.fr")
    assert Project.objects.get().name == "Le Garage du Diois"


def test_candidacies_left_undecided_expire_like_rejected_ones(season):
    """Nobody decided before the season ended: the candidacy was not retained, its data goes in time."""
    undecided = [
        CandidacyFactory(cohort=season, status=status)
        for status in (Status.SUBMITTED, Status.UNDER_REVIEW, Status.SHORTLISTED)
    ]
    assert services.anonymise_expired_candidacies(today=datetime.date(2040, 1, 1)) == 3
    for candidacy in undecided:
        candidacy.refresh_from_db()
        assert candidacy.anonymised_at is not None and candidacy.contact_email == ""


def test_anonymisation_removes_everything_personal_and_keeps_what_the_figures_count(
    season, django_capture_on_commit_callbacks
):
    candidacy = _full_candidacy(season, Status.REJECTED, commune="Die", project_name="La Conserverie de Jeanne")
    before = Candidacy.objects.get(pk=candidacy.pk)
    status_link = tokens.make_token(candidacy, tokens.STATUS)

    with django_capture_on_commit_callbacks(execute=True):
        services.anonymise_candidacy(candidacy=candidacy)

    after = Candidacy.objects.get(pk=candidacy.pk)
    assert after.project_name == "Candidature anonymisée"
    for field in services.personal_data.FREE_TEXT_FIELDS:
        assert getattr(after, field) == "", field
    assert not after.members.exists()
    assert not after.attachments.exists()
    assert list(after.history.values_list("note", flat=True)) == [""]
    assert after.reviews.get().conflict_note == ""
    assert ReviewScore.objects.get().comment == ""
    # What the season figures count stays.
    kept = ["cohort_id", "territory_id", "sector", "stage", "heard_from", "status", "reference", "submitted_at"]
    assert [getattr(after, f) for f in kept] == [getattr(before, f) for f in kept]
    assert ReviewScore.objects.get().score == 4
    assert after.history.get().to_status == Status.REJECTED
    # The applicant's status link no longer opens anything.
    assert tokens.read_token(status_link, tokens.STATUS) is None


def test_anonymising_again_changes_nothing(season, django_capture_on_commit_callbacks):
    candidacy = _full_candidacy(season, Status.WITHDRAWN)
    with django_capture_on_commit_callbacks(execute=True):
        services.anonymise_candidacy(candidacy=candidacy)
    first = Candidacy.objects.values().get(pk=candidacy.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.anonymise_candidacy(candidacy=candidacy)

    second = Candidacy.objects.values().get(pk=candidacy.pk)
    assert second["anonymised_at"] == first["anonymised_at"]
    assert {k: v for k, v in second.items() if k != "updated_at"} == {
        k: v for k, v in first.items() if k != "updated_at"
    }
    assert callbacks == []  # no file left to delete


def test_stored_files_are_deleted_only_once_the_anonymisation_is_committed(season, django_capture_on_commit_callbacks):
    candidacy = _full_candidacy(season, Status.REJECTED)
    [name] = _stored_names(candidacy)
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.anonymise_candidacy(candidacy=candidacy)
    assert default_storage.exists(name), "deleted before the commit: a rollback would lose the file"

    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


def _touched_on(candidacy, moment):
    Candidacy.objects.filter(pk=candidacy.pk).update(updated_at=moment)


def test_a_draft_untouched_for_the_retention_days_is_deleted_with_its_team_and_files(
    season, django_capture_on_commit_callbacks
):
    draft = DraftFactory(cohort=season)
    CandidacyMemberFactory(candidacy=draft)
    AttachmentFactory(candidacy=draft)
    [name] = _stored_names(draft)
    # Just after midnight in Paris: still the day before in UTC, which must not count.
    _touched_on(draft, datetime.datetime(2026, 1, 10, 0, 15, tzinfo=PARIS))

    assert services.anonymise_expired_candidacies(today=datetime.date(2026, 4, 10)) == 0  # 90 days
    assert Candidacy.objects.filter(pk=draft.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.anonymise_expired_candidacies(today=datetime.date(2026, 4, 11)) == 1

    assert not Candidacy.objects.filter(pk=draft.pk).exists()
    assert not CandidacyMember.objects.exists()
    assert not default_storage.exists(name)


def test_a_recently_touched_draft_and_an_old_sent_candidacy_are_not_purged_as_drafts(season, settings):
    settings.CANDIDACY_DRAFT_RETENTION_DAYS = 30
    recent = DraftFactory(cohort=season)
    sent = CandidacyFactory(cohort=CohortFactory(programme=season.programme, start_date=datetime.date(2026, 9, 1)))
    _touched_on(recent, datetime.datetime(2026, 3, 20, 12, 0, tzinfo=PARIS))
    _touched_on(sent, datetime.datetime(2025, 1, 1, 12, 0, tzinfo=PARIS))

    assert services.anonymise_expired_candidacies(today=datetime.date(2026, 4, 10)) == 0
    assert Candidacy.objects.count() == 2


def test_the_nightly_task_runs_the_sweep_logs_the_count_and_can_run_twice(season, caplog):
    candidacy = CandidacyFactory(cohort=season, status=Status.REJECTED)
    caplog.set_level(logging.INFO, logger="projects.tasks")

    with time_machine.travel(datetime.datetime(2027, 4, 1, 3, 30, tzinfo=PARIS), tick=False):
        assert tasks.anonymise_expired_candidacies.delay().get() == 1
        assert tasks.anonymise_expired_candidacies.delay().get() == 0

    candidacy.refresh_from_db()
    assert candidacy.anonymised_at is not None
    assert [r.getMessage() for r in caplog.records if r.name == "projects.tasks"] == [
        "Retention sweep: 1 candidacies anonymised or deleted",
        "Retention sweep: 0 candidacies anonymised or deleted",
    ]


def test_the_beat_schedule_names_the_task(settings):
    assert settings.CELERY_BEAT_SCHEDULE["anonymise-candidacies"]["task"] == tasks.anonymise_expired_candidacies.name


def test_the_command_dry_run_lists_what_would_go_and_changes_nothing(season):
    rejected = _full_candidacy(season, Status.REJECTED)
    draft = DraftFactory(cohort=season)
    _touched_on(draft, datetime.datetime(2026, 1, 1, 12, 0, tzinfo=PARIS))
    snapshot = list(Candidacy.objects.order_by("pk").values())
    out = io.StringIO()

    with time_machine.travel(datetime.datetime(2027, 4, 1, 9, 0, tzinfo=PARIS), tick=False):
        call_command("anonymise_candidacies", "--dry-run", stdout=out)

    output = out.getvalue()
    assert "Simulation : rien n'est modifié." in output
    assert "1 candidature à anonymiser" in output and rejected.reference in output
    assert "1 brouillon à supprimer" in output and f"brouillon n°{draft.pk}" in output
    assert rejected.contact_email not in output and rejected.project_name not in output
    assert list(Candidacy.objects.order_by("pk").values()) == snapshot
    assert CandidacyMember.objects.count() == 1


def test_the_command_applies_the_retention_rules(season, django_capture_on_commit_callbacks):
    rejected = _full_candidacy(season, Status.REJECTED)
    draft = DraftFactory(cohort=season)
    _touched_on(draft, datetime.datetime(2026, 1, 1, 12, 0, tzinfo=PARIS))
    out = io.StringIO()

    with time_machine.travel(datetime.datetime(2027, 4, 1, 9, 0, tzinfo=PARIS), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("anonymise_candidacies", stdout=out)

    assert "2 candidatures anonymisées ou supprimées." in out.getvalue()
    rejected.refresh_from_db()
    assert rejected.anonymised_at is not None
    assert not Candidacy.objects.filter(pk=draft.pk).exists()


# --- One person's export and erasure --------------------------------------------------------------


@pytest.fixture
def lea(season):
    """Léa: contact of two candidacies, member of someone else's team, member of an accepted project."""
    own = _full_candidacy(season, Status.REJECTED, contact_email="Lea.Roux@Exemple.fr", project_name="La Cantine")
    CandidacyMemberFactory(candidacy=own, name="Léa Roux", email="lea.roux@exemple.fr", role="Présidente")
    pending = CandidacyFactory(cohort=season, status=Status.UNDER_REVIEW, contact_email="lea.roux@exemple.fr")
    draft = DraftFactory(cohort=season, contact_email="lea.roux@exemple.fr")
    others = CandidacyFactory(
        cohort=season, project_name="Garage de Paul", contact_name="Paul Blanc", contact_email="paul@exemple.fr"
    )
    CandidacyMemberFactory(candidacy=others, name="Paul Blanc", email="paul@exemple.fr", phone="0700")
    CandidacyMemberFactory(candidacy=others, name="Léa Roux", email="LEA.ROUX@exemple.fr", role="Mécanicienne")
    accepted = CandidacyFactory(
        cohort=season, status=Status.ACCEPTED, contact_email="lea.roux@exemple.fr", project_name="Le Fournil"
    )
    project = ProjectFactory(cohort=season, candidacy=accepted, name="Le Fournil")
    ProjectMemberFactory(project=project, name="Léa Roux", email="lea.roux@exemple.fr", role="Boulangère")
    ProjectMemberFactory(project=project, name="Marc Petit", email="marc@exemple.fr")
    return {"own": own, "pending": pending, "draft": draft, "others": others, "accepted": accepted, "project": project}


def test_the_export_holds_everything_about_the_person_whatever_the_case_of_the_address(lea):
    data = services.export_personal_data(email="  LEA.roux@exemple.FR ")

    json.dumps(data)  # plain data, no encoder needed
    by_reference = {c["reference"]: c for c in data["candidacies"]}
    assert set(by_reference) == {lea[k].reference for k in ("own", "pending", "draft", "others", "accepted")}
    own = by_reference[lea["own"].reference]
    assert own["role"] == "contact"
    assert own["answers"]["project_name"] == "La Cantine"
    assert own["answers"]["need"] == lea["own"].need
    assert own["contact"]["email"] == "Lea.Roux@Exemple.fr"
    assert {m["name"] for m in own["team"]} == {"Jeanne Morel", "Léa Roux"}
    assert [(h["from_status"], h["to_status"]) for h in own["status_history"]] == [("submitted", "rejected")]
    assert "note" not in own["status_history"][0] and own["status_history"][0]["at"]
    assert [a["name"] for a in own["attachments"]] == ["Dossier de candidature.pdf"]
    assert [m["project"] for m in data["project_memberships"]] == ["Le Fournil"]
    assert data["project_memberships"][0]["role"] == "Boulangère"


def test_the_export_gives_a_team_member_their_own_entry_not_the_contacts_details(lea):
    data = services.export_personal_data(email="lea.roux@exemple.fr")
    [others] = [c for c in data["candidacies"] if c["reference"] == lea["others"].reference]
    assert others["role"] == "team_member"
    assert others["answers"]["project_name"] == "Garage de Paul"
    assert "contact" not in others
    assert others["team"] == [{"name": "Léa Roux", "email": "LEA.ROUX@exemple.fr", "phone": "", "role": "Mécanicienne"}]
    assert "paul@exemple.fr" not in json.dumps(data)


def test_the_export_of_an_unknown_address_is_empty_and_can_be_limited_to_some_seasons(lea):
    assert services.export_personal_data(email="personne@exemple.fr")["candidacies"] == []
    limited = services.export_personal_data(email="lea.roux@exemple.fr", cohorts=Cohort.objects.none())
    assert limited["candidacies"] == [] and limited["project_memberships"] == []


def test_an_empty_address_is_refused_rather_than_matching_every_member_without_one(lea):
    with pytest.raises(ValueError):
        services.erase_personal_data(email="  ")


def test_erasure_removes_the_person_everywhere_and_keeps_the_accepted_project(lea, django_capture_on_commit_callbacks):
    [own_file] = _stored_names(lea["own"])
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.erase_personal_data(email="Lea.Roux@exemple.fr")

    # 5 candidacies, 1 project membership.
    assert changed == 6
    own = Candidacy.objects.get(pk=lea["own"].pk)
    assert own.anonymised_at and own.contact_email == "" and not own.members.exists()
    assert not default_storage.exists(own_file)
    # A candidacy under study is withdrawn first, as if the person had withdrawn it.
    pending = Candidacy.objects.get(pk=lea["pending"].pk)
    assert pending.status == Status.WITHDRAWN and pending.anonymised_at is not None
    assert pending.history.last().to_status == Status.WITHDRAWN
    assert not Candidacy.objects.filter(pk=lea["draft"].pk).exists()
    # Someone else's candidacy loses only her.
    others = Candidacy.objects.get(pk=lea["others"].pk)
    assert [m.name for m in others.members.all()] == ["Paul Blanc"]
    assert others.contact_email == "paul@exemple.fr" and others.anonymised_at is None
    # The accepted candidacy and its project stay, without her details.
    accepted = Candidacy.objects.get(pk=lea["accepted"].pk)
    assert accepted.status == Status.ACCEPTED and accepted.anonymised_at is None
    assert (accepted.contact_name, accepted.contact_email, accepted.contact_phone) == ("", "", "")
    assert accepted.project_name == "Le Fournil" and accepted.summary
    assert Project.objects.get().name == "Le Fournil"
    erased = ProjectMember.objects.get(role="Boulangère")
    assert (erased.name, erased.email, erased.phone) == ("Personne effacée", "", "")
    assert ProjectMember.objects.get(email="marc@exemple.fr").name != "Personne effacée"
    # Nothing is left to find.
    assert services.export_personal_data(email="lea.roux@exemple.fr")["candidacies"] == []
    assert services.export_personal_data(email="lea.roux@exemple.fr")["project_memberships"] == []
    assert services.erase_personal_data(email="lea.roux@exemple.fr") == 0


def test_erasure_blanks_the_address_a_follow_up_was_mailed_to_and_keeps_the_projects_answer(lea):
    row = FollowUp.objects.create(
        project=lea["project"],
        months=6,
        due_on=lea["project"].cohort.end_date,
        email="lea.roux@exemple.fr",
        sent_at=timezone.now(),
        status=FollowUp.Status.RUNNING,
        jobs_fte=2,
        volunteers=3,
        funds_raised=1000,
        answered_at=timezone.now(),
    )
    services.erase_personal_data(email="LEA.ROUX@exemple.fr")
    row.refresh_from_db()
    assert row.email == "" and (row.status, row.jobs_fte) == (FollowUp.Status.RUNNING, 2)


def _answered_follow_up(project, email, **fields):
    return FollowUp.objects.create(
        project=project,
        months=6,
        due_on=project.cohort.end_date,
        email=email,
        sent_at=timezone.now(),
        status=FollowUp.Status.RUNNING,
        jobs_fte=2,
        volunteers=3,
        funds_raised=1000,
        sentence="Deux salariés, un local trouvé.",
        answered_at=timezone.now(),
        **fields,
    )


def test_the_export_lists_the_follow_ups_mailed_to_the_person_and_their_answers(lea):
    _answered_follow_up(lea["project"], "lea.roux@exemple.fr")
    FollowUp.objects.create(
        project=lea["project"],
        months=12,
        due_on=lea["project"].cohort.end_date,
        email="marc@exemple.fr",
        sent_at=timezone.now(),
    )
    data = services.export_personal_data(email="LEA.ROUX@exemple.fr")
    json.dumps(data)
    [follow_up] = data["follow_ups"]
    assert (follow_up["project"], follow_up["months_after_season"]) == ("Le Fournil", 6)
    assert follow_up["answer"]["sentence"] == "Deux salariés, un local trouvé."
    assert follow_up["answer"]["jobs_fte"] == "2.0"
    # Another member's follow-up is theirs, and a season outside the staff's programmes is not handed over.
    assert "marc@exemple.fr" not in json.dumps(data)
    assert services.export_personal_data(email="lea.roux@exemple.fr", cohorts=Cohort.objects.none())["follow_ups"] == []


def test_erasure_takes_the_person_out_of_the_actors_cards_and_keeps_the_organisation(lea):
    programme = lea["project"].cohort.programme
    by_address = ActorFactory(programme=programme, organisation="Mairie", contact="Écrire à LEA.ROUX@exemple.fr")
    by_name = ActorFactory(programme=programme, organisation="Banque", contact="Léa Roux, 06 00 00 00 00")
    someone_else = ActorFactory(programme=programme, organisation="Région", contact="Paul Blanc")
    services.erase_personal_data(email="lea.roux@exemple.fr")
    contacts = dict(Actor.objects.values_list("organisation", "contact"))
    assert contacts["Mairie"] == "Écrire à [effacé]"
    assert contacts["Banque"] == "[effacé], 06 00 00 00 00"
    assert contacts["Région"] == "Paul Blanc"
    assert {by_address.pk, by_name.pk, someone_else.pk} <= set(Actor.objects.values_list("pk", flat=True))


def test_erasure_limited_to_some_seasons_leaves_other_programmes_actors_alone(lea):
    other = ActorFactory(contact="lea.roux@exemple.fr")  # a programme the staff member does not run
    services.erase_personal_data(
        email="lea.roux@exemple.fr", cohorts=Cohort.objects.filter(pk=lea["project"].cohort_id)
    )
    other.refresh_from_db()
    assert other.contact == "lea.roux@exemple.fr"


def test_erasure_limited_to_some_seasons_leaves_the_others_alone(lea):
    assert services.erase_personal_data(email="lea.roux@exemple.fr", cohorts=Cohort.objects.none()) == 0
    assert Candidacy.objects.get(pk=lea["own"].pk).contact_email == "Lea.Roux@Exemple.fr"
    assert ProjectMember.objects.filter(email="lea.roux@exemple.fr").exists()


# --- The staff page ------------------------------------------------------------------------------


def search(client, email="lea.roux@exemple.fr"):
    """Open the page, type the address, press « Rechercher »."""
    return submit(client, client.get(URL), {"email": email}, button="action=search")


def test_the_page_is_where_the_spec_says():
    assert reverse("projects:personal_data") == URL


def test_anonymous_visitors_are_sent_to_the_login_page(client, lea):
    # The posts are forged on purpose: the page is never shown to them.
    for response in (client.get(URL), client.post(URL, {"email": "lea.roux@exemple.fr", "action": "export"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Candidacy.objects.get(pk=lea["own"].pk).contact_email


@pytest.mark.parametrize("reviewer", [False, True])
def test_coaches_are_refused_even_reviewers(client, lea, structure, reviewer):
    client.force_login(CoachFactory(partner_structure=structure, is_reviewer=reviewer))
    assert client.get(URL).status_code == 403
    for action in ("search", "export", "erase"):  # forged on purpose: the page is never shown to them
        response = client.post(URL, {"email": "lea.roux@exemple.fr", "action": action, "confirm": "on"})
        assert response.status_code == 403
        assert "Léa" not in response.content.decode()
    assert Candidacy.objects.filter(pk=lea["draft"].pk).exists()


def test_people_without_a_role_are_refused(client, lea):
    client.force_login(UserFactory())
    # Forged on purpose: the page is never shown to them.
    assert client.post(URL, {"email": "lea.roux@exemple.fr", "action": "export"}).status_code == 403


def test_staff_find_what_is_held_about_a_person(client, staff, lea):
    Candidacy.objects.filter(pk=lea["own"].pk).update(project_name="<script>alert(1)</script>")
    client.force_login(staff)

    assert "Adresse e-mail de la personne" in client.get(URL).content.decode()
    response = search(client, "LEA.ROUX@exemple.fr")

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    for name in ("Garage de Paul", "Le Fournil", lea["pending"].project_name):
        assert name in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Contact de la candidature" in page and "Membre de l'équipe" in page
    assert "Candidature retirée puis anonymisée." in page
    assert "Brouillon supprimé, avec ses documents." in page
    assert "Projet retenu : le projet et ses réponses restent" in page
    assert "Boulangère" in page
    assert "Télécharger (JSON)" in page and "Effacer" in page


def test_staff_download_the_export_as_a_json_file_and_it_is_logged(client, staff, lea, caplog):
    caplog.set_level(logging.INFO, logger="projects.views.personal_data")
    client.force_login(staff)

    response = submit(client, search(client), button="action=export")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="donnees-personnelles-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert len(data["candidacies"]) == 5 and data["project_memberships"][0]["project"] == "Le Fournil"
    [record] = [r for r in caplog.records if r.name == "projects.views.personal_data"]
    message = record.getMessage()
    assert "export" in message and "lea.roux@exemple.fr" in message and staff.email in message
    assert "La Cantine" not in message


def test_erasing_needs_the_box_ticked_and_keeps_the_list_on_screen(client, staff, lea):
    client.force_login(staff)
    response = submit(client, search(client), button="action=erase")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Cochez la case pour confirmer l&#x27;effacement." in page
    assert "Garage de Paul" in page
    assert Candidacy.objects.filter(pk=lea["draft"].pk).exists()
    assert Candidacy.objects.get(pk=lea["own"].pk).anonymised_at is None


def test_staff_erase_a_person_and_it_is_logged(client, staff, lea, caplog):
    caplog.set_level(logging.INFO, logger="projects.views.personal_data")
    client.force_login(staff)

    results = search(client)
    response = submit(client, results, {"confirm": True}, button="action=erase", follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Données de lea.roux@exemple.fr effacées : 6 enregistrements modifiés." in response.content.decode()
    assert Candidacy.objects.get(pk=lea["own"].pk).anonymised_at is not None
    assert not ProjectMember.objects.filter(email="lea.roux@exemple.fr").exists()
    [record] = [r for r in caplog.records if r.name == "projects.views.personal_data"]
    assert "erasure" in record.getMessage() and "lea.roux@exemple.fr" in record.getMessage()

    # The same results, still open in another tab, sent once more.
    again = submit(client, results, {"confirm": True}, button="action=erase", follow=True)
    assert "Rien à effacer pour lea.roux@exemple.fr." in again.content.decode()


def test_staff_of_another_structure_see_export_and_erase_nothing_of_a_programme_they_do_not_run(client, lea):
    client.force_login(StaffFactory())

    page = search(client).content.decode()
    assert "Garage de Paul" not in page and "Le Fournil" not in page
    assert "Aucune candidature avec cette adresse dans les programmes que vous animez." in page
    assert "Télécharger (JSON)" not in page

    # Forged on purpose: the page offers them neither button.
    export = json.loads(client.post(URL, {"email": "lea.roux@exemple.fr", "action": "export"}).content)
    assert export["candidacies"] == [] and export["project_memberships"] == []

    client.post(URL, {"email": "lea.roux@exemple.fr", "action": "erase", "confirm": "on"})
    assert Candidacy.objects.filter(pk=lea["draft"].pk).exists()
    assert Candidacy.objects.get(pk=lea["own"].pk).anonymised_at is None
    assert ProjectMember.objects.filter(email="lea.roux@exemple.fr").exists()


def test_a_superuser_sees_every_programme(client, lea):
    client.force_login(SuperuserFactory())
    page = search(client).content.decode()
    assert "Garage de Paul" in page and "Le Fournil" in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": ""},
        {"email": "pas-une-adresse"},
        {"email": "a" * 300 + "@exemple.fr", "action": "export"},
        {"email": "<script>@x", "action": "erase", "confirm": "on"},
        {"email": ["lea.roux@exemple.fr", "paul@exemple.fr"], "action": "nimporte"},
        {"email": "lea.roux@exemple.fr", "action": "nimporte"},
    ],
)
def test_bad_input_gets_the_form_back_never_an_error(client, staff, lea, data):
    client.force_login(staff)
    # Hand-built on purpose: most of these are what a robot or a broken client sends.
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert Candidacy.objects.filter(pk=lea["draft"].pk).exists()


def test_an_invalid_address_is_explained_in_french(client, staff):
    client.force_login(staff)
    page = search(client, "pas-une-adresse").content.decode()
    assert "Saisissez une adresse de courriel valide." in page
    assert 'value="pas-une-adresse"' in page


def test_a_post_without_the_csrf_token_is_refused(staff, lea):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    # Forged on purpose: no token.
    response = client.post(URL, {"email": "lea.roux@exemple.fr", "action": "erase", "confirm": "on"})
    assert response.status_code == 403
    assert Candidacy.objects.filter(pk=lea["draft"].pk).exists()


def _held(season, email, count):
    for n in range(count):
        candidacy = CandidacyFactory(cohort=season, contact_email=email if n % 2 else f"autre{n}@exemple.fr")
        CandidacyMemberFactory(candidacy=candidacy, email=email)
        ProjectMemberFactory(project=ProjectFactory(cohort=season), email=email)


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_runs_the_same_number_of_queries_whatever_is_held(
    client, staff, season, count, django_assert_max_num_queries
):
    _held(season, "lea.roux@exemple.fr", count)
    client.force_login(staff)
    page = client.get(URL)
    # Session, user, the candidacies (seasons and programmes joined), the project memberships (likewise), and
    # the count of staff notes on them.
    with django_assert_max_num_queries(5):
        response = submit(client, page, {"email": "lea.roux@exemple.fr"}, button="action=search")
    page = response.content.decode()
    assert page.count("Membre de l'équipe") + page.count("Contact de la candidature") == count


def test_erasure_revokes_the_members_calendar_feed_and_export_lists_their_days(db):
    from projects.models import ProjectMember
    from tests.factories import AttendanceFactory, ProjectMemberFactory, TrainingSessionFactory

    member = ProjectMemberFactory(email="lea@exemple.fr")
    AttendanceFactory(member=member, session=TrainingSessionFactory(cohort=member.project.cohort, title="Le budget"))
    exported = services.export_personal_data(email="lea@exemple.fr")
    [membership] = exported["project_memberships"]
    assert [day["title"] for day in membership["collective_days"]] == ["Le budget"]
    old_key = member.calendar_key
    services.erase_personal_data(email="lea@exemple.fr")
    member = ProjectMember.objects.get(pk=member.pk)
    assert member.email == "" and member.calendar_key != old_key


def test_erasure_withdraws_the_mails_not_sent_to_the_person_and_empties_those_sent(lea):
    from outbox.models import OutgoingMail

    programme = lea["project"].cohort.programme
    Status = OutgoingMail.Status

    def mail(to, status, programme=programme):
        return OutgoingMail.objects.create(
            to=to, subject="Rappel : mardi, Léa", body="Bonjour Léa Roux", status=status, programme=programme
        )

    sent, waiting = mail(["Lea.Roux@exemple.fr"], Status.SENT), mail(["lea.roux@exemple.fr"], Status.RETRY)
    someone_else = mail(["marc.lea.roux@exemple.fr"], Status.QUEUED)  # holds her address as a part, not as a whole
    elsewhere = mail(["lea.roux@exemple.fr"], Status.SENT, programme=None)  # no programme: only a full erasure

    services.erase_personal_data(
        email="lea.roux@exemple.fr", cohorts=Cohort.objects.filter(pk=lea["project"].cohort_id)
    )
    sent.refresh_from_db()
    assert (sent.to, sent.body, sent.subject) == ([], "", "[effacé]") and sent.status == Status.SENT
    assert not OutgoingMail.objects.filter(pk=waiting.pk).exists()
    assert OutgoingMail.objects.get(pk=someone_else.pk).body == "Bonjour Léa Roux"
    assert OutgoingMail.objects.get(pk=elsewhere.pk).to == ["lea.roux@exemple.fr"]

    services.erase_personal_data(email="lea.roux@exemple.fr")
    assert OutgoingMail.objects.get(pk=elsewhere.pk).to == []

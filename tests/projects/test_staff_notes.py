"""Staff notes on a candidacy and on a project: who reads and writes them, and that they go nowhere else
(applicants' and members' pages, exports, the season report, the audit trail) and go with the person."""

import html
import json

import pytest
from auditlog.models import LogEntry
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse

from projects import services
from projects import tokens as project_tokens
from projects.models import CoachAssignment, StaffNote
from reports.datasets import all_datasets
from tests.factories import (
    CandidacyFactory,
    CandidacyMemberFactory,
    CoachFactory,
    CohortFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
)
from tests.forms import submit
from trainings.tokens import member_page_url

pytestmark = pytest.mark.django_db

SECRET = "Tensions dans l'équipe, à surveiller"


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme)


@pytest.fixture
def candidacy(cohort):
    return CandidacyFactory(
        cohort=cohort, status="accepted", contact_name="Lucie Ferrand", contact_email="lucie@exemple.fr"
    )


@pytest.fixture
def project(candidacy):
    return ProjectFactory(cohort=candidacy.cohort, candidacy=candidacy, name="Garage solidaire")


@pytest.fixture
def lead(structure, project):
    coach = CoachFactory(partner_structure=structure, first_name="Camille", last_name="Dière")
    services.assign_coach(project=project, coach=coach)
    return coach


@pytest.fixture
def second(structure, project, lead):
    coach = CoachFactory(partner_structure=structure, first_name="Julien", last_name="Marty")
    services.assign_coach(project=project, coach=coach, role=CoachAssignment.Role.SECOND)
    return coach


def candidacy_page(candidacy):
    return reverse("projects:candidacy_detail", args=[candidacy.pk])


def project_page(project):
    return reverse("projects:project_detail", args=[project.pk])


def text(response) -> str:
    """The page as a person reads it (apostrophes unescaped)."""
    return html.unescape(response.content.decode())


NOTE_FORM = "text"  # the only field of the note form


def write(client, page_url, text, **extra):
    """Open the page, type the note in its notes form and send it."""
    return submit(client, client.get(page_url), {"text": text}, field=NOTE_FORM, **extra)


# --- Writing, changing, deleting -----------------------------------------------------------------------


def test_staff_write_a_note_on_a_candidacy(client, staff, candidacy):
    client.force_login(staff)
    response = write(client, candidacy_page(candidacy), SECRET, follow=True)
    page = text(response)
    assert "La note est enregistrée." in page and SECRET in page
    note = candidacy.staff_notes.get()
    assert (note.author, note.text, note.project) == (staff, SECRET, None)


@pytest.mark.parametrize("who", ["lead", "second"])
def test_both_coaches_of_the_pair_write_notes_on_the_project(client, project, lead, second, who):
    coach = lead if who == "lead" else second
    client.force_login(coach)
    response = write(client, project_page(project), SECRET, follow=True)
    assert SECRET in text(response)
    assert project.staff_notes.get().author == coach
    # The other coach of the pair reads it, without the buttons that change it.
    client.force_login(second if who == "lead" else lead)
    page = text(client.get(project_page(project)))
    assert SECRET in page
    assert reverse("projects:note_update", args=[project.staff_notes.get().pk]) not in page


def test_an_empty_or_too_long_note_is_refused_in_french_and_kept(client, staff, candidacy):
    client.force_login(staff)
    response = write(client, candidacy_page(candidacy), "   ")
    assert response.status_code == 400
    assert "Écrivez la note avant de l'enregistrer." in text(response)
    too_long = "x" * 5001
    response = write(client, candidacy_page(candidacy), too_long)
    assert response.status_code == 400
    assert "Une note tient en 5000 caractères au plus" in text(response)
    assert too_long in text(response)  # nothing typed is lost
    # The page that explains it posts back to the same place.
    response = submit(client, response, {"text": "Plus court."}, field=NOTE_FORM)
    assert response.status_code == 302
    assert candidacy.staff_notes.get().text == "Plus court."


def test_the_author_changes_and_deletes_their_own_note(client, staff, candidacy):
    note = services.add_note(author=staff, candidacy=candidacy, text="Première idée").note
    client.force_login(staff)
    page = client.get(candidacy_page(candidacy))
    edit_url = reverse("projects:note_update", args=[note.pk])
    assert edit_url in text(page)
    response = submit(client, client.get(edit_url), {"text": "Idée corrigée"}, field=NOTE_FORM, follow=True)
    assert "La note est modifiée." in text(response)
    note.refresh_from_db()
    assert note.text == "Idée corrigée"
    response = submit(
        client, client.get(candidacy_page(candidacy)), action=reverse("projects:note_delete", args=[note.pk])
    )
    assert response.status_code == 302
    assert not StaffNote.objects.exists()


def test_nobody_changes_or_deletes_another_persons_note(client, staff, structure, candidacy):
    note = services.add_note(author=staff, candidacy=candidacy, text=SECRET).note
    colleague = StaffFactory(partner_structure=structure)
    client.force_login(colleague)
    page = text(client.get(candidacy_page(candidacy)))
    assert SECRET in page  # read, yes
    assert reverse("projects:note_update", args=[note.pk]) not in page
    # Forged on purpose: the page offers neither.
    assert client.get(reverse("projects:note_update", args=[note.pk])).status_code == 404
    assert client.post(reverse("projects:note_update", args=[note.pk]), {"text": "x"}).status_code == 404
    assert client.post(reverse("projects:note_delete", args=[note.pk])).status_code == 404
    assert StaffNote.objects.get().text == SECRET


# --- Who reads them ------------------------------------------------------------------------------------


def test_the_projects_coaches_read_the_candidacys_notes_on_the_project_page(client, staff, candidacy, project, lead):
    services.add_note(author=staff, candidacy=candidacy, text=SECRET)
    client.force_login(lead)
    page = text(client.get(project_page(project)))
    assert "Notes de l'équipe sur la candidature" in page and SECRET in page


def test_a_reviewer_coach_who_does_not_coach_the_project_reads_no_note(client, structure, staff, candidacy, project):
    services.add_note(author=staff, candidacy=candidacy, text=SECRET)
    reviewer = CoachFactory(partner_structure=structure, is_reviewer=True)
    client.force_login(reviewer)
    response = client.get(candidacy_page(candidacy))
    assert response.status_code == 200
    assert SECRET not in text(response) and "Notes de l'équipe" not in text(response)
    assert client.post(reverse("projects:candidacy_note_create", args=[candidacy.pk]), {"text": "x"}).status_code == 404


def test_a_coach_of_the_pair_writes_on_the_candidacy_of_their_project(client, structure, candidacy, project, lead):
    lead.is_reviewer = True
    lead.save()
    client.force_login(lead)
    assert write(client, candidacy_page(candidacy), SECRET).status_code == 302
    assert candidacy.staff_notes.get().author == lead


def test_another_coach_gets_a_404_and_a_reading_coach_reads_no_note(
    client, programme, structure, cohort, staff, project, lead
):
    note = services.add_note(author=staff, project=project, text=SECRET).note
    neighbour = CoachFactory(partner_structure=structure)
    services.assign_coach(project=ProjectFactory(cohort=cohort), coach=neighbour)
    client.force_login(neighbour)
    assert client.get(project_page(project)).status_code == 404
    assert client.post(reverse("projects:project_note_create", args=[project.pk]), {"text": "x"}).status_code == 404
    programme.coaches_read_season_projects = True
    programme.save()
    response = client.get(project_page(project))
    assert response.status_code == 200 and SECRET not in text(response)
    assert client.post(reverse("projects:project_note_create", args=[project.pk]), {"text": "x"}).status_code == 404
    assert client.get(reverse("projects:note_update", args=[note.pk])).status_code == 404
    assert StaffNote.objects.count() == 1


def test_another_programmes_staff_get_a_404_everywhere(client, staff, candidacy, project):
    note = services.add_note(author=staff, project=project, text=SECRET).note
    client.force_login(StaffFactory())
    for url in (
        candidacy_page(candidacy),
        project_page(project),
        reverse("projects:note_update", args=[note.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("projects:candidacy_note_create", args=[candidacy.pk]),
        reverse("projects:project_note_create", args=[project.pk]),
        reverse("projects:note_delete", args=[note.pk]),
    ):
        assert client.post(url, {"text": "x"}).status_code == 404, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, staff, candidacy):
    note = services.add_note(author=staff, candidacy=candidacy, text=SECRET).note
    for url in (
        reverse("projects:note_update", args=[note.pk]),
        reverse("projects:candidacy_note_create", args=[candidacy.pk]),
    ):
        response = client.post(url, {"text": "x"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_applicants_and_members_never_read_a_note(client, staff, candidacy, project):
    services.add_note(author=staff, candidacy=candidacy, text=SECRET)
    services.add_note(author=staff, project=project, text=SECRET + " bis")
    member = ProjectMemberFactory(project=project)
    for url in (project_tokens.status_url(candidacy), member_page_url(member)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in text(response)


# --- Kept out of exports and the report ----------------------------------------------------------------


def test_notes_are_in_no_export_and_not_in_the_season_report(client, staff, candidacy, project):
    services.add_note(author=staff, candidacy=candidacy, text=SECRET)
    services.add_note(author=staff, project=project, text=SECRET)
    for dataset in all_datasets(project.cohort):
        for row in dataset.rows():
            assert not any(SECRET in str(cell) for cell in row), dataset.key
    client.force_login(staff)
    response = client.get(reverse("reports:season_report", args=[project.cohort_id]))
    assert response.status_code == 200 and SECRET not in text(response)


def test_the_personal_data_export_leaves_notes_out_and_the_page_counts_them(client, staff, candidacy, project):
    services.add_note(author=staff, candidacy=candidacy, text=SECRET)
    data = services.export_personal_data(email="lucie@exemple.fr")
    assert SECRET not in json.dumps(data)
    client.force_login(staff)
    page = client.get(reverse("projects:personal_data"))
    response = submit(client, page, {"email": "lucie@exemple.fr"}, button="action=search")
    assert "Le fichier ne contient pas les notes de l'équipe : 1 note porte" in text(response)


# --- Erased with the person ----------------------------------------------------------------------------


def _trail_mentions(text: str) -> bool:
    as_text = TextField()
    entries = LogEntry.objects.annotate(c=Cast("changes", as_text), d=Cast("serialized_data", as_text))
    return entries.filter(Q(c__icontains=text) | Q(d__icontains=text) | Q(object_repr__icontains=text)).exists()


def test_notes_never_enter_the_audit_trail(staff, candidacy):
    note = services.add_note(author=staff, candidacy=candidacy, text=SECRET).note
    services.update_note(note=note, text=SECRET + " (suite)")
    # Its creation is recorded (by whom, on what), its words never; changing them records nothing new.
    assert LogEntry.objects.get_for_object(note).count() == 1
    assert not _trail_mentions(SECRET)


def test_anonymising_a_candidacy_deletes_its_notes(staff, cohort):
    candidacy = CandidacyFactory(cohort=cohort, status="rejected")
    services.add_note(author=staff, candidacy=candidacy, text=SECRET)
    services.anonymise_candidacy(candidacy=candidacy)
    assert not StaffNote.objects.exists()
    assert not _trail_mentions(SECRET)


def test_erasing_a_person_deletes_the_notes_on_their_candidacies_and_blanks_them_elsewhere(staff, cohort, project):
    # Their own candidacy, accepted: the project stays, the notes on the candidacy go.
    services.add_note(author=staff, candidacy=project.candidacy, text="Lucie Ferrand hésite à continuer.")
    # Another team's candidacy they were in, and a project they are a member of: their name goes from the notes.
    other = CandidacyFactory(cohort=cohort, contact_email="autre@exemple.fr")
    CandidacyMemberFactory(candidacy=other, name="Lucie Ferrand", email="lucie@exemple.fr")
    on_other = services.add_note(author=staff, candidacy=other, text="Lucie Ferrand porte la trésorerie.").note
    ProjectMemberFactory(project=project, name="Lucie Ferrand", email="lucie@exemple.fr", phone="06 11 22 33 44")
    on_project = services.add_note(
        author=staff, project=project, text="Appeler Lucie Ferrand au 06 11 22 33 44 (lucie@exemple.fr)."
    ).note
    unrelated = services.add_note(author=staff, project=ProjectFactory(cohort=cohort), text="Lucie Ferrand ?").note

    services.erase_personal_data(email="lucie@exemple.fr")

    assert not StaffNote.objects.filter(candidacy=project.candidacy).exists()
    on_other.refresh_from_db()
    on_project.refresh_from_db()
    assert on_other.text == "[effacé] porte la trésorerie."
    assert on_project.text == "Appeler [effacé] au [effacé] ([effacé])."
    unrelated.refresh_from_db()
    assert unrelated.text == "Lucie Ferrand ?"  # not about their projects: a namesake's business
    assert not _trail_mentions("hésite à continuer")


# --- Constant queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_pages_with_notes_run_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, staff, candidacy, project, lead, second, count
):
    for n in range(count):
        services.add_note(author=[staff, lead, second][n % 3], candidacy=candidacy, text=f"Note {n}")
        services.add_note(author=[staff, lead, second][n % 3], project=project, text=f"Note {n}")
    client.force_login(staff)
    # The candidacy page as pinned in test_staff_review (16), its notes with their authors included.
    with django_assert_max_num_queries(16):
        assert client.get(candidacy_page(candidacy)).status_code == 200
    client.force_login(second)
    # The project page as pinned in test_coach_workspace (16): the notes on the project and on its candidacy,
    # with their authors, are one of them.
    with django_assert_max_num_queries(16):
        response = client.get(project_page(project))
    assert text(response).count("Note 1") >= 2

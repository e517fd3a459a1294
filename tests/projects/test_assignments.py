"""Staff give each project a coach; a coach follows at most the season's maximum (3 by default)."""

import datetime
import threading
import time
from urllib.parse import urljoin

import lxml.html
import pytest
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from projects import services
from projects.models import CoachAssignment, Project
from tests.browser import log_in
from tests.factories import (
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    ProjectFactory,
    StaffFactory,
    SuperuserFactory,
    UserFactory,
)
from tests.forms import submit

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027")


@pytest.fixture
def projects(cohort):
    return [ProjectFactory(cohort=cohort, name=f"Projet {n}") for n in range(5)]


def test_a_coach_takes_up_to_three_projects_in_a_season(coach, projects):
    for project in projects[:3]:
        services.assign_coach(project=project, coach=coach)
    with pytest.raises(services.CoachAtCapacity):
        services.assign_coach(project=projects[3], coach=coach)
    assert CoachAssignment.objects.active().filter(coach=coach).count() == 3
    assert not projects[3].assignments.exists()


def test_the_cap_is_the_seasons_setting(coach, cohort, projects):
    cohort.max_projects_per_coach = 4
    cohort.save()
    for project in projects[:4]:
        services.assign_coach(project=project, coach=coach)
    with pytest.raises(services.CoachAtCapacity):
        services.assign_coach(project=projects[4], coach=coach)


def test_projects_of_another_season_do_not_count(coach, programme, projects):
    past = CohortFactory(programme=programme, start_date=D(2025, 1, 1))
    for n in range(3):
        services.assign_coach(project=ProjectFactory(cohort=past, name=f"Ancien {n}"), coach=coach)
    services.assign_coach(project=projects[0], coach=coach)
    assert CoachAssignment.objects.active().filter(coach=coach).count() == 4


def test_reassigning_ends_the_old_assignment_and_keeps_it(structure, projects, staff):
    first, second = CoachFactory(partner_structure=structure), CoachFactory(partner_structure=structure)
    project = projects[0]
    services.assign_coach(project=project, coach=first, on=D(2026, 9, 1))
    services.assign_coach(project=project, coach=second, on=D(2026, 12, 1), by=staff)
    old, new = project.assignments.order_by("started_on")
    assert (old.coach, old.started_on, old.ended_on) == (first, D(2026, 9, 1), D(2026, 12, 1))
    assert (new.coach, new.ended_on, new.assigned_by) == (second, None, staff)
    # The first coach has room again.
    assert not CoachAssignment.objects.active().filter(coach=first).exists()


def test_assigning_the_same_coach_again_changes_nothing(coach, projects):
    first = services.assign_coach(project=projects[0], coach=coach)
    assert services.assign_coach(project=projects[0], coach=coach) == first
    assert CoachAssignment.objects.count() == 1


def test_a_reassignment_to_a_full_coach_leaves_the_project_with_its_coach(structure, projects):
    busy, current = CoachFactory(partner_structure=structure), CoachFactory(partner_structure=structure)
    for project in projects[:3]:
        services.assign_coach(project=project, coach=busy)
    services.assign_coach(project=projects[3], coach=current)
    with pytest.raises(services.CoachAtCapacity):
        services.assign_coach(project=projects[3], coach=busy)
    assert projects[3].assignments.active().get().coach == current


def test_only_coaches_coach(projects, staff):
    with pytest.raises(services.NotACoach):
        services.assign_coach(project=projects[0], coach=staff)


def test_one_project_has_one_active_coach_at_most(structure, projects):
    from django.db import IntegrityError

    services.assign_coach(project=projects[0], coach=CoachFactory(partner_structure=structure))
    with pytest.raises(IntegrityError):
        CoachAssignment.objects.create(
            project=projects[0], coach=CoachFactory(partner_structure=structure), cohort=projects[0].cohort
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_cap_holds_when_twenty_assignments_race_on_postgresql(structure, programme, monkeypatch):
    cohort = CohortFactory(programme=programme)
    coach = CoachFactory(partner_structure=structure)
    projects = [ProjectFactory(cohort=cohort, name=f"Projet {n}") for n in range(20)]
    # A slow database between the count and the insert: without a lock, every attempt would see room.
    create = CoachAssignment.objects.create
    monkeypatch.setattr(CoachAssignment.objects, "create", lambda **kw: time.sleep(0.05) or create(**kw))
    start = threading.Barrier(len(projects))
    outcomes = []

    def attempt(project):
        try:
            connection.ensure_connection()  # connect first, so that all attempts start together
            start.wait()
            services.assign_coach(project=project, coach=coach)
            outcomes.append("assigned")
        except services.CoachAtCapacity:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(project,)) for project in projects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["assigned"] * 3 + ["refused"] * 17
    assert CoachAssignment.objects.active().filter(coach=coach, cohort=cohort).count() == 3


# --- The board -----------------------------------------------------------------------------------


def board(cohort):
    return reverse("projects:assignment_board", args=[cohort.pk])


def row_link(client, cohort, project, second=False) -> str:
    """The address of the « Confier » or « Changer » button on the project's row of the board (or, `second`,
    of its « Ajouter un second » or « Changer le second » button)."""
    document = lxml.html.fromstring(client.get(board(cohort)).content.decode())
    (item,) = document.xpath(f'//li[.//a[@href="{reverse("projects:project_detail", args=[project.pk])}"]]')
    lead_button, second_button = item.xpath('.//a[contains(@class, "btn")]')
    return urljoin(board(cohort), (second_button if second else lead_button).get("href"))


def board_form(response, cohort):
    """The board's one form, as the page shows it."""
    document = lxml.html.fromstring(response.content.decode())
    (form,) = [form for form in document.forms if form.get("action") == board(cohort)]
    return form


def pressed(client, cohort, project, second=False):
    """The board as it opens once the project's row button is pressed: the form with that project chosen."""
    return client.get(row_link(client, cohort, project, second=second))


def entrust(client, cohort, project, coach, second=False, **extra):
    """Open the board, press the project's row button (lead or second), pick `coach` in the form and send it."""
    page = pressed(client, cohort, project, second=second)
    return submit(client, page, {"coach": coach.pk}, field=f"project={project.pk}", **extra)


def test_anonymous_visitors_are_sent_to_the_login_page(client, cohort):
    assert client.get(board(cohort))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("factory", [CoachFactory, UserFactory])
def test_coaches_and_people_without_a_role_are_refused(client, cohort, factory):
    client.force_login(factory())
    assert client.get(board(cohort)).status_code == 403
    assert client.post(board(cohort), {}).status_code == 403  # forged on purpose: they are never shown the board


def test_staff_of_another_structure_do_not_find_the_season(client, cohort):
    client.force_login(StaffFactory())
    assert client.get(board(cohort)).status_code == 404


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_the_board_shows_loads_and_unassigned_projects_first(client, cohort, structure, staff, who):
    camille = CoachFactory(partner_structure=structure, first_name="Camille", last_name="Dière")
    julien = CoachFactory(partner_structure=structure, first_name="Julien", last_name="Marty")
    CoachFactory(first_name="Autre", last_name="Structure")
    services.assign_coach(project=ProjectFactory(cohort=cohort, name="Aa déjà suivi"), coach=camille)
    ProjectFactory(cohort=cohort, name="Zz sans personne")
    client.force_login(staff if who == "staff" else SuperuserFactory())
    page = client.get(board(cohort)).content.decode()
    assert "Camille Dière" in page and "1/3 projets" in page
    assert "Julien Marty" in page and "0/3 projets" in page
    assert "Autre Structure" not in page  # not a coach of this programme
    assert page.index("Zz sans personne") < page.index("Aa déjà suivi")
    assert julien.pk


def test_staff_assign_a_project(client, cohort, structure, staff):
    coach = CoachFactory(partner_structure=structure, first_name="Camille", last_name="Dière")
    project = ProjectFactory(cohort=cohort, name="Garage solidaire")
    client.force_login(staff)
    response = entrust(client, cohort, project, coach, follow=True)
    assert "Garage solidaire est confié à Camille Dière." in response.content.decode()
    assignment = project.assignments.get()
    assert (assignment.coach, assignment.assigned_by) == (coach, staff)


def test_pressing_change_on_a_row_left_as_it_is_keeps_the_coach_and_the_date(client, cohort, structure, staff):
    CoachFactory(partner_structure=structure, first_name="Aline", last_name="Avant")  # first in the list
    coach = CoachFactory(partner_structure=structure, first_name="Camille", last_name="Dière")
    project = ProjectFactory(cohort=cohort, name="Garage solidaire")
    services.assign_coach(project=project, coach=coach, on=datetime.date(2026, 1, 5))
    client.force_login(staff)
    assert submit(client, pressed(client, cohort, project), field=f"project={project.pk}").status_code == 302
    assignment = project.assignments.get()
    assert (assignment.coach, assignment.started_on, assignment.ended_on) == (coach, datetime.date(2026, 1, 5), None)


def test_pressing_entrust_without_choosing_anybody_assigns_nobody(client, cohort, structure, staff):
    CoachFactory(partner_structure=structure, first_name="Aline", last_name="Avant")  # first in the list
    project = ProjectFactory(cohort=cohort, name="Garage solidaire")
    client.force_login(staff)
    response = submit(client, pressed(client, cohort, project), field=f"project={project.pk}")
    assert response.status_code == 400
    assert "Choisissez la personne qui accompagnera ce projet." in response.content.decode()
    assert not project.assignments.exists()


def test_a_refused_assignment_is_explained_in_french(client, cohort, structure, staff, projects):
    coach = CoachFactory(partner_structure=structure, first_name="Camille", last_name="Dière")
    for project in projects[:3]:
        services.assign_coach(project=project, coach=coach)
    client.force_login(staff)
    response = entrust(client, cohort, projects[3], coach, follow=True)
    assert "Camille Dière accompagne déjà 3 projets dans cette saison, le maximum prévu." in response.content.decode()
    assert not projects[3].assignments.exists()


def test_a_coach_or_project_from_elsewhere_is_refused(client, cohort, staff, projects):
    outsider = CoachFactory()
    foreign_project = ProjectFactory(
        cohort=CohortFactory(programme=ProgrammeFactory(partners=[PartnerStructureFactory()]))
    )
    client.force_login(staff)
    # Forged on purpose: the board offers only its own season's projects and programme's coaches.
    for data in (
        {"project": projects[0].pk, "coach": outsider.pk},
        {"project": foreign_project.pk, "coach": outsider.pk},
        {},
    ):
        response = client.post(board(cohort), data)
        assert response.status_code == 400
        assert (
            "Sélectionnez un choix valide" in response.content.decode()
            or "Ce champ est obligatoire" in response.content.decode()
        )
    assert not CoachAssignment.objects.exists()


@pytest.mark.parametrize("count", [3, 30])
def test_the_board_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, cohort, structure, staff, count
):
    coaches = [CoachFactory(partner_structure=structure) for _ in range(count // 3)]
    for n in range(count):
        project = ProjectFactory(cohort=cohort, name=f"Projet {n}")
        if n % 2:
            services.assign_coach(project=project, coach=coaches[n % len(coaches)])
    client.force_login(staff)
    # session, user, season, projects, their current assignments (with coach), coaches with their load,
    # the season's meetings for the coaching totals
    with django_assert_max_num_queries(8):
        assert client.get(board(cohort)).status_code == 200


def test_unassigned_projects_are_those_without_a_current_coach(structure, projects):
    coach = CoachFactory(partner_structure=structure)
    services.assign_coach(project=projects[0], coach=coach)
    ended = services.assign_coach(project=projects[1], coach=coach)
    services.end_assignment(assignment=ended)
    assert set(Project.objects.unassigned()) == set(projects[1:])


def test_the_board_shows_the_time_spent_coaching(client, cohort, structure, staff):
    from projects.models import Topic
    from tests.factories import CoachingSessionFactory

    coach = CoachFactory(partner_structure=structure, first_name="Camille", last_name="Dière")
    project = ProjectFactory(cohort=cohort, name="Garage solidaire")
    services.assign_coach(project=project, coach=coach)
    CoachingSessionFactory(project=project, coach=coach, duration_minutes=90, topics=[Topic.ECONOMIC])
    CoachingSessionFactory(project=project, coach=coach, duration_minutes=60, topics=[Topic.PERSONAL, Topic.LEGAL])
    client.force_login(staff)
    page = client.get(board(cohort)).content.decode()
    assert "2,5 h en 2 rendez-vous" in page
    # 90 min on the economic model, then 60 min shared by a human topic and a technical one: the parts add up.
    assert "dont 2,0 h sur des sujets techniques et 0,5 h sur des sujets humains" in page


def test_the_row_button_opens_the_form_with_that_project_and_its_coach_chosen(client, cohort, structure, staff):
    CoachFactory(partner_structure=structure, first_name="Aline", last_name="Avant")
    camille = CoachFactory(partner_structure=structure, first_name="Camille", last_name="Dière")
    followed = ProjectFactory(cohort=cohort, name="Garage solidaire")
    waiting = ProjectFactory(cohort=cohort, name="Café des possibles")
    services.assign_coach(project=followed, coach=camille)
    client.force_login(staff)
    form = board_form(pressed(client, cohort, followed), cohort)
    assert (form.fields["project"], form.fields["coach"]) == (str(followed.pk), str(camille.pk))
    form = board_form(pressed(client, cohort, waiting), cohort)
    assert (form.fields["project"], form.fields["coach"]) == (str(waiting.pk), "")


@pytest.mark.parametrize("asked", ["abc", "999999", ""])
def test_a_mistyped_project_in_the_address_opens_the_form_on_the_first_waiting_project(
    client, cohort, structure, staff, asked
):
    coach = CoachFactory(partner_structure=structure)
    services.assign_coach(project=ProjectFactory(cohort=cohort, name="Aa suivi"), coach=coach)
    waiting = ProjectFactory(cohort=cohort, name="Zz en attente")
    client.force_login(staff)
    response = client.get(board(cohort) + f"?projet={asked}")
    assert response.status_code == 200
    assert board_form(response, cohort).fields["project"] == str(waiting.pk)


def test_a_refused_form_keeps_the_project_chosen(client, cohort, structure, staff):
    CoachFactory(partner_structure=structure)
    ProjectFactory(cohort=cohort, name="Aa premier")
    second = ProjectFactory(cohort=cohort, name="Bb second")
    client.force_login(staff)
    response = submit(client, pressed(client, cohort, second), field=f"project={second.pk}")
    assert response.status_code == 400
    assert board_form(response, cohort).fields["project"] == str(second.pk)


@pytest.mark.parametrize("size", [5, 50])
def test_the_board_lists_each_project_and_each_coach_once(client, cohort, structure, staff, size):
    coaches = [CoachFactory(partner_structure=structure) for _ in range(size)]
    for n in range(size):
        services.assign_coach(project=ProjectFactory(cohort=cohort, name=f"Projet {n}"), coach=coaches[n])
    client.force_login(staff)
    document = lxml.html.fromstring(client.get(board(cohort)).content.decode())
    (form,) = [form for form in document.forms if form.get("action") == board(cohort)]
    # One option per project, one per coach and « Choisissez »: the page grows with their sum, not their product.
    assert len(document.xpath("//main//option")) == len(form.xpath(".//option")) == size + size + 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_entrust_a_project_from_a_small_phone(browser, live_server, programme, structure, staff):
    cohort = CohortFactory(programme=programme)
    coaches = [CoachFactory(partner_structure=structure, first_name="Coach", last_name=f"N°{n:02d}") for n in range(12)]
    camille = CoachFactory(partner_structure=structure, first_name="Camille", last_name="Dière")
    for n in range(20):
        services.assign_coach(
            project=ProjectFactory(cohort=cohort, name=f"Projet suivi n°{n:02d}"), coach=coaches[n % 12]
        )
    waiting = ProjectFactory(cohort=cohort, name="Garage solidaire du Diois")
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="fr-FR")
    page = context.new_page()
    try:
        log_in(page, live_server, staff)
        page.goto(f"{live_server.url}{board(cohort)}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_role("link", name="Confier Garage solidaire du Diois").click()
        expect(page.get_by_label("Projet", exact=True)).to_have_value(str(waiting.pk))
        expect(page.get_by_role("heading", name="Confier un projet")).to_be_in_viewport()
        page.get_by_label("Chargé·e d'accompagnement").select_option(label="Camille Dière (0/3)")
        page.get_by_role("button", name="Confier le projet").click()
        expect(page.get_by_text("Garage solidaire du Diois est confié à Camille Dière.")).to_be_visible()
    finally:
        context.close()
    assert waiting.assignments.get().coach == camille

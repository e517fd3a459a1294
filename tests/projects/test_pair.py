"""The coaching pair: a project's lead coach and its second, the cap with or without second roles, a season's
coaches reading each other's projects, and meetings crediting each coach who took part."""

import datetime
import threading
import time

import lxml.html
import pytest
from django.db import connection
from django.urls import reverse

from projects import services
from projects.models import CoachAssignment, CoachingSession, Project, Topic
from reports.figures import season_report
from tests.factories import (
    CoachFactory,
    CoachingSessionFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProjectFactory,
)
from tests.forms import UNCHECK, submit
from tests.projects.test_assignments import board, board_form, entrust, pressed

pytestmark = pytest.mark.django_db

LEAD, SECOND = CoachAssignment.Role.LEAD, CoachAssignment.Role.SECOND
MEETING = "duration_minutes"  # a field only the meeting form has


@pytest.fixture
def other_structure(programme):
    other = PartnerStructureFactory(name="Alter'Incub")
    programme.partners.add(other)
    return other


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027")


@pytest.fixture
def pair(structure, other_structure):
    return (
        CoachFactory(partner_structure=structure, first_name="Camille", last_name="Dière"),
        CoachFactory(partner_structure=other_structure, first_name="Julien", last_name="Marty"),
    )


@pytest.fixture
def project(cohort, pair):
    project = ProjectFactory(cohort=cohort, name="Garage solidaire")
    services.assign_coach(project=project, coach=pair[0])
    services.assign_coach(project=project, coach=pair[1], role=SECOND)
    return project


def project_url(project):
    return reverse("projects:project_detail", args=[project.pk])


# --- Assigning the pair -----------------------------------------------------------------------------


def test_a_project_has_a_lead_coach_and_a_second(project, pair):
    roles = {a.role: a.coach for a in project.assignments.active()}
    assert roles == {LEAD: pair[0], SECOND: pair[1]}


def test_the_lead_cannot_also_be_the_second(project, pair):
    with pytest.raises(services.SameCoachTwice):
        services.assign_coach(project=project, coach=pair[0], role=SECOND)


def test_the_second_made_lead_leaves_the_second_role_empty_and_history_is_kept(project, pair):
    services.assign_coach(project=project, coach=pair[1])
    active = {a.role: a.coach for a in project.assignments.active()}
    assert active == {LEAD: pair[1]}
    assert project.assignments.filter(ended_on__isnull=False).count() == 2


def test_a_new_second_replaces_the_old_one(project, cohort, structure):
    newcomer = CoachFactory(partner_structure=structure)
    services.assign_coach(project=project, coach=newcomer, role=SECOND)
    assert project.assignments.active().seconds().get().coach == newcomer
    assert project.assignments.active().count() == 2


def test_a_project_with_only_a_second_still_waits_for_its_lead(cohort, pair):
    waiting = ProjectFactory(cohort=cohort)
    services.assign_coach(project=waiting, coach=pair[1], role=SECOND)
    assert list(Project.objects.unassigned()) == [waiting]


# --- The cap ----------------------------------------------------------------------------------------


def fill_leads(coach, cohort, count=3):
    for n in range(count):
        services.assign_coach(project=ProjectFactory(cohort=cohort, name=f"Suivi {n}"), coach=coach)


def test_second_roles_do_not_count_in_the_cap_by_default(cohort, pair):
    fill_leads(pair[1], cohort)
    extra = ProjectFactory(cohort=cohort)
    services.assign_coach(project=extra, coach=pair[0])
    assert services.assign_coach(project=extra, coach=pair[1], role=SECOND).role == SECOND
    assert services.counted_load(coach=pair[1], cohort=cohort) == 3
    with pytest.raises(services.CoachAtCapacity):
        services.assign_coach(project=ProjectFactory(cohort=cohort), coach=pair[1])


def test_second_roles_count_when_the_programme_says_so(cohort, programme, pair):
    programme.second_coach_counts_in_cap = True
    programme.save()
    fill_leads(pair[1], cohort, count=2)
    first, second = ProjectFactory(cohort=cohort), ProjectFactory(cohort=cohort)
    for extra in (first, second):
        services.assign_coach(project=extra, coach=pair[0])
    services.assign_coach(project=first, coach=pair[1], role=SECOND)
    with pytest.raises(services.CoachAtCapacity):
        services.assign_coach(project=second, coach=pair[1], role=SECOND)
    # Made lead of the project they already follow in second: the same project, counted once.
    services.assign_coach(project=first, coach=pair[1])
    assert services.counted_load(coach=pair[1], cohort=cohort) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seconds_count", [False, True])
def test_the_cap_holds_when_lead_and_second_assignments_race_on_postgresql(
    structure, other_structure, programme, monkeypatch, seconds_count
):
    programme.second_coach_counts_in_cap = seconds_count
    programme.save()
    cohort = CohortFactory(programme=programme)
    coach = CoachFactory(partner_structure=structure)
    leads = [CoachFactory(partner_structure=other_structure) for _ in range(4)]
    # Ten projects offered to `coach` as lead, ten as second (each with another lead already).
    as_lead = [ProjectFactory(cohort=cohort, name=f"Premier {n}") for n in range(10)]
    as_second = [ProjectFactory(cohort=cohort, name=f"Second {n}") for n in range(10)]
    for n, project in enumerate(as_second):
        CoachAssignment.objects.create(project=project, coach=leads[n % 4], cohort=cohort, role=LEAD)
    create = CoachAssignment.objects.create
    monkeypatch.setattr(CoachAssignment.objects, "create", lambda **kw: time.sleep(0.05) or create(**kw))
    attempts = [(project, LEAD) for project in as_lead] + [(project, SECOND) for project in as_second]
    start = threading.Barrier(len(attempts))
    outcomes = []

    def attempt(project, role):
        try:
            connection.ensure_connection()
            start.wait()
            services.assign_coach(project=project, coach=coach, role=role)
            outcomes.append((role, "assigned"))
        except services.CoachAtCapacity:
            outcomes.append((role, "refused"))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=item) for item in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    mine = CoachAssignment.objects.active().filter(coach=coach, cohort=cohort)
    if seconds_count:
        # Three projects in all, whichever role came first.
        assert mine.count() == 3
        assert sum(1 for _role, outcome in outcomes if outcome == "assigned") == 3
    else:
        # Second roles take no room: all ten are taken, beside the three leads.
        assert (mine.leads().count(), mine.seconds().count()) == (3, 10)
        assert sorted(o for role, o in outcomes if role == LEAD) == ["assigned"] * 3 + ["refused"] * 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_giving_a_project_a_second_at_once_leave_it_one_on_postgresql(
    structure, other_structure, programme, monkeypatch
):
    cohort = CohortFactory(programme=programme)
    project = ProjectFactory(cohort=cohort)
    CoachAssignment.objects.create(project=project, coach=CoachFactory(partner_structure=structure), cohort=cohort)
    candidates = [CoachFactory(partner_structure=other_structure) for _ in range(6)]
    create = CoachAssignment.objects.create
    monkeypatch.setattr(CoachAssignment.objects, "create", lambda **kw: time.sleep(0.05) or create(**kw))
    start = threading.Barrier(len(candidates))
    errors = []

    def attempt(coach):
        try:
            connection.ensure_connection()
            start.wait()
            services.assign_coach(project=project, coach=coach, role=SECOND)
        except Exception as error:  # noqa: BLE001 — any failure is the test's failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(coach,)) for coach in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Served one after the other on the project's row: each replaced the one before, nobody clashed.
    assert errors == []
    assert project.assignments.active().seconds().count() == 1
    assert project.assignments.seconds().count() == len(candidates)


# --- The board --------------------------------------------------------------------------------------


def test_staff_add_a_second_coach_from_the_board(client, cohort, pair, staff):
    project = ProjectFactory(cohort=cohort, name="Café des possibles")
    services.assign_coach(project=project, coach=pair[0])
    client.force_login(staff)
    page = pressed(client, cohort, project, second=True)
    assert board_form(page, cohort).fields["role"] == SECOND
    response = entrust(client, cohort, project, pair[1], second=True, follow=True)
    assert "Julien Marty suit Café des possibles en second." in response.content.decode()
    assert project.assignments.active().seconds().get().coach == pair[1]
    page = client.get(board(cohort)).content.decode()
    assert "En second : Julien Marty" in page and "Changer le second" in page
    assert "0/3 projets" in page and "et 1 en second" in page


def test_choosing_the_lead_as_second_is_refused_in_french(client, cohort, pair, staff, project):
    client.force_login(staff)
    page = pressed(client, cohort, project, second=True)
    response = submit(client, page, {"coach": pair[0].pk}, field=f"project={project.pk}", follow=True)
    assert "Camille Dière est déjà référent·e de Garage solidaire" in response.content.decode()
    assert project.assignments.active().seconds().get().coach == pair[1]


def test_staff_take_the_second_coach_off_a_project(client, cohort, pair, staff, project):
    client.force_login(staff)
    page = pressed(client, cohort, project, second=True)
    response = submit(client, page, field=f"project={project.pk}", button="end", follow=True)
    assert "Julien Marty ne suit plus Garage solidaire en second." in response.content.decode()
    assert {a.role for a in project.assignments.active()} == {LEAD}


def test_a_full_coach_made_second_is_refused_when_second_roles_count(client, cohort, programme, pair, staff, project):
    programme.second_coach_counts_in_cap = True
    programme.save()
    other = ProjectFactory(cohort=cohort, name="Épicerie")
    services.assign_coach(project=other, coach=pair[0])
    fill_leads(pair[1], cohort, count=2)  # with their second role on `project`: 3
    client.force_login(staff)
    response = entrust(client, cohort, other, pair[1], second=True, follow=True)
    assert "Julien Marty accompagne déjà 3 projets" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_board_with_pairs_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, cohort, structure, other_structure, staff, count
):
    cohort.max_projects_per_coach = count
    cohort.save()
    leads = [CoachFactory(partner_structure=structure) for _ in range(count // 3)]
    seconds = [CoachFactory(partner_structure=other_structure) for _ in range(count // 3)]
    for n in range(count):
        project = ProjectFactory(cohort=cohort, name=f"Projet {n}")
        services.assign_coach(project=project, coach=leads[n % len(leads)])
        services.assign_coach(project=project, coach=seconds[n % len(seconds)], role=SECOND)
        CoachingSessionFactory(project=project, coach=leads[n % len(leads)]).participants.set(
            [leads[n % len(leads)], seconds[n % len(seconds)]]
        )
    client.force_login(staff)
    # session, user, season, projects, their current assignments (with coach), coaches with their loads,
    # the season's meetings credited to who took part, for the coaching totals
    with django_assert_max_num_queries(8):
        response = client.get(board(cohort))
    document = lxml.html.fromstring(response.content.decode())
    assert len(document.xpath("//main//option")) == count + 2 * (count // 3) + 1


# --- Who sees and edits the project ----------------------------------------------------------------


def test_the_second_coach_sees_and_edits_the_project_as_the_lead_does(client, project, pair):
    client.force_login(pair[1])
    page = client.get(project_url(project)).content.decode()
    assert "Noter un rendez-vous" in page and "Notes de l'équipe" in page
    assert "(en second)" in page
    response = submit(
        client,
        client.get(reverse("projects:outcome_update", args=[project.pk])),
        {"status": "continuing"},
        field="status",
    )
    assert response.status_code == 302
    assert project.outcome.status == "continuing"


def test_another_coach_of_the_season_gets_a_404_unless_the_programme_lets_them_read(
    client, cohort, programme, structure, project
):
    neighbour = CoachFactory(partner_structure=structure)
    services.assign_coach(project=ProjectFactory(cohort=cohort, name="Le sien"), coach=neighbour)
    client.force_login(neighbour)
    assert client.get(project_url(project)).status_code == 404
    programme.coaches_read_season_projects = True
    programme.save()
    response = client.get(project_url(project))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vous lisez ce projet comme chargé·e d'accompagnement de la saison" in page
    assert "Noter un rendez-vous" not in page and reverse("projects:meeting_create", args=[project.pk]) not in page
    assert "Notes de l'équipe" not in page  # reading is not being in the pair: no staff notes
    assert 'id="conversation"' not in page  # nor the team's messages with the members
    # Reading only: every page that changes the project stays closed.
    for name in (
        "meeting_create",
        "milestones_update",
        "outcome_update",
        "actor_create",
        "project_note_create",
        "project_message",
    ):
        assert client.get(reverse(f"projects:{name}", args=[project.pk])).status_code in (404, 405), name
        assert client.post(reverse(f"projects:{name}", args=[project.pk]), {}).status_code == 404, name


def test_reading_covers_only_the_seasons_where_the_coach_coaches_now(client, programme, structure, project):
    programme.coaches_read_season_projects = True
    programme.save()
    elsewhere = CoachFactory(partner_structure=structure)
    other_season = CohortFactory(programme=programme, start_date=datetime.date(2025, 1, 1))
    services.assign_coach(project=ProjectFactory(cohort=other_season), coach=elsewhere)
    client.force_login(elsewhere)
    assert client.get(project_url(project)).status_code == 404
    client.force_login(CoachFactory(partner_structure=structure))  # coaches nothing
    assert client.get(project_url(project)).status_code == 404


# --- Meetings and who took part ---------------------------------------------------------------------


def test_a_meeting_of_the_pair_records_both_coaches_as_the_form_renders_them(client, project, pair):
    client.force_login(pair[0])
    page = client.get(reverse("projects:meeting_create", args=[project.pk]))
    assert "Qui était là" in page.content.decode()
    response = submit(
        client,
        page,
        {"participants": [str(pair[0].pk), str(pair[1].pk)], "duration_minutes": "120", "topics": ["economic"]},
        field=MEETING,
    )
    assert response.status_code == 302
    meeting = project.meetings.get()
    assert meeting.coach == pair[0]
    assert set(meeting.participants.all()) == set(pair)


def test_a_meeting_ticked_for_the_second_alone_is_the_seconds(client, project, pair, staff):
    client.force_login(staff)
    page = client.get(reverse("projects:meeting_create", args=[project.pk]))
    response = submit(client, page, {"participants": [str(pair[1].pk)]}, field=MEETING)
    assert response.status_code == 302
    meeting = project.meetings.get()
    assert (meeting.coach, list(meeting.participants.all())) == (pair[1], [pair[1]])


def test_nobody_ticked_leaves_the_meeting_to_its_author(client, project, pair):
    client.force_login(pair[1])
    page = client.get(reverse("projects:meeting_create", args=[project.pk]))
    assert submit(client, page, {"participants": UNCHECK}, field=MEETING).status_code == 302
    meeting = project.meetings.get()
    assert list(meeting.participants.all()) == [pair[1]]


def test_a_project_with_one_coach_is_not_asked_who_came(client, cohort, pair):
    alone = ProjectFactory(cohort=cohort)
    services.assign_coach(project=alone, coach=pair[0])
    client.force_login(pair[0])
    page = client.get(reverse("projects:meeting_create", args=[alone.pk]))
    assert "Qui était là" not in page.content.decode()
    assert submit(client, page, field=MEETING).status_code == 302
    assert list(alone.meetings.get().participants.all()) == [pair[0]]


def test_editing_a_meeting_changes_who_took_part(client, project, pair):
    meeting = services.log_meeting(project=project, coach=pair[0], participants=list(pair), duration_minutes=60)
    client.force_login(pair[0])
    page = client.get(reverse("projects:meeting_update", args=[meeting.pk]))
    assert submit(client, page, {"participants": [str(pair[0].pk)]}, field=MEETING).status_code == 302
    assert list(meeting.participants.all()) == [pair[0]]


def test_each_coach_who_took_part_is_credited_a_share_and_totals_add_up(project, pair, cohort):
    services.log_meeting(
        project=project, coach=pair[0], participants=list(pair), duration_minutes=90, topics=[Topic.ECONOMIC]
    )
    services.log_meeting(project=project, coach=pair[0], duration_minutes=60, topics=[Topic.PERSONAL])
    CoachingSessionFactory(project=project, coach=pair[1], duration_minutes=30, topics=[])  # nobody ticked
    totals = services.season_coaching_totals(cohort=cohort)
    assert (totals.total.meetings, totals.total.minutes) == (3, 180)
    assert (totals.by_project[project.pk].meetings, totals.by_project[project.pk].minutes) == (3, 180)
    lead, second = totals.by_coach[pair[0].pk], totals.by_coach[pair[1].pk]
    # The shared meeting: 45 minutes each; the lead's own 60, the second's own 30.
    assert (lead.meetings, lead.minutes, lead.technical_minutes, lead.human_minutes) == (2, 105, 45, 60)
    assert (second.meetings, second.minutes, second.unspecified_minutes) == (2, 75, 30)
    assert lead.minutes + second.minutes == totals.total.minutes
    shares = services.season_project_coaches(cohort=cohort)[project.pk]
    assert [c.name for c in shares.coaches] == ["Camille Dière", "Julien Marty"]  # the lead first
    assert [round(c.share, 3) for c in shares.coaches] == [round(105 / 180, 3), round(75 / 180, 3)]
    assert shares.describe() == "Camille Dière 58 %, Julien Marty 42 %"


@pytest.mark.parametrize("count", [2, 20])
def test_crediting_participants_takes_one_query_whatever_the_meetings(
    django_assert_num_queries, project, pair, cohort, count
):
    for _ in range(count):
        services.log_meeting(project=project, coach=pair[0], participants=list(pair), duration_minutes=60)
    # One grouped query: the meetings joined to who took part, with each meeting's number of participants.
    with django_assert_num_queries(1):
        totals = services.season_coaching_totals(cohort=cohort)
    assert totals.by_coach[pair[1].pk].minutes == 30 * count


def test_the_season_report_credits_each_coachs_share(project, pair, cohort):
    services.log_meeting(project=project, coach=pair[0], participants=list(pair), duration_minutes=120)
    figures = season_report(cohort)
    lines = {line.label: line for line in figures.coaching_by_coach}
    assert set(lines) >= {"Camille Dière", "Julien Marty"}
    assert lines["Camille Dière"].hours == lines["Julien Marty"].hours == 1


def test_existing_meetings_were_their_coachs_alone(project, pair):
    meeting = CoachingSessionFactory(project=project, coach=pair[0])
    assert not CoachingSession.objects.get(pk=meeting.pk).participants.exists()
    assert services.season_coaching_totals(cohort=project.cohort).by_coach[pair[0].pk].meetings == 1


# --- The programme's settings -------------------------------------------------------------------------


def test_staff_turn_the_pair_settings_on_from_the_programmes_page(client, programme, staff):
    client.force_login(staff)
    page = client.get(reverse("cohorts:programme_update", args=[programme.pk]))
    assert not programme.second_coach_counts_in_cap and not programme.coaches_read_season_projects
    changes = {"second_coach_counts_in_cap": True, "coaches_read_season_projects": True}
    assert submit(client, page, changes, button="submit").status_code == 302
    programme.refresh_from_db()
    assert programme.second_coach_counts_in_cap and programme.coaches_read_season_projects
    # Saved unchanged, as the page now shows them: still on.
    page = client.get(reverse("cohorts:programme_update", args=[programme.pk]))
    assert submit(client, page, button="submit").status_code == 302
    programme.refresh_from_db()
    assert programme.second_coach_counts_in_cap and programme.coaches_read_season_projects


# --- The coach's home ---------------------------------------------------------------------------------


def test_my_projects_marks_the_second_role_and_lists_the_projects_a_coach_reads(
    client, programme, cohort, structure, project, pair
):
    cohort.start_date = datetime.date.today() - datetime.timedelta(days=30)
    cohort.save()
    others = [ProjectFactory(cohort=cohort, name=f"Voisin {n}") for n in range(2)]
    neighbour = CoachFactory(partner_structure=structure)
    for other in others:
        services.assign_coach(project=other, coach=neighbour)
    client.force_login(pair[1])
    page = client.get(reverse("projects:my_projects")).content.decode()
    assert "Garage solidaire" in page and "En second" in page
    assert "Voisin 0" not in page
    programme.coaches_read_season_projects = True
    programme.save()
    page = client.get(reverse("projects:my_projects")).content.decode()
    assert "Les autres projets de la saison, à lire" in page
    assert all(reverse("projects:project_detail", args=[other.pk]) in page for other in others)


@pytest.mark.parametrize("count", [2, 20])
def test_my_projects_with_reading_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, programme, cohort, structure, project, pair, count
):
    programme.coaches_read_season_projects = True
    programme.save()
    cohort.start_date = datetime.date.today() - datetime.timedelta(days=30)
    cohort.max_projects_per_coach = count
    cohort.save()
    neighbour = CoachFactory(partner_structure=structure)
    for n in range(count):
        services.assign_coach(project=ProjectFactory(cohort=cohort, name=f"Voisin {n}"), coach=neighbour)
    client.force_login(pair[1])
    # session, user, the coach's seasons, their projects with every figure as subqueries, their attendance
    # rates, and the season's other projects they read
    with django_assert_max_num_queries(6):
        assert client.get(reverse("projects:my_projects")).status_code == 200

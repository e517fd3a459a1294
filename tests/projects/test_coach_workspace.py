"""The coach's workspace: their projects, a project's page, meetings and next steps, milestones, outcomes,
actors met, and the programme's default milestones (staff)."""

import dataclasses
import datetime
import decimal
import html

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from projects import services
from projects.models import ActorMet, CoachingSession, Milestone, MilestoneTemplate, NextStep, Outcome
from projects.services.coaching import DEFAULT_MILESTONES
from tests.browser import log_in
from tests.factories import (
    ActorMetFactory,
    AttachmentFactory,
    CandidacyFactory,
    CoachFactory,
    CoachingSessionFactory,
    CohortFactory,
    MilestoneFactory,
    NextStepFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    SuperuserFactory,
    UserFactory,
)
from tests.forms import submit

pytestmark = pytest.mark.django_db

D = datetime.date


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def cohort(programme):
    """The season under way: it began three months ago."""
    return CohortFactory(programme=programme, name="Saison en cours", start_date=days_ago(90))


@pytest.fixture
def project(cohort, coach):
    project = ProjectFactory(cohort=cohort, name="Garage solidaire des Collines", commune="Crest")
    services.assign_coach(project=project, coach=coach, on=days_ago(60))
    return project


@pytest.fixture
def meeting(project, coach):
    return services.log_meeting(
        project=project,
        coach=coach,
        date=days_ago(7),
        duration_minutes=90,
        topics=["economic", "personal"],
        notes="Le prévisionnel tient la route.",
        next_steps=[{"description": "Appeler la banque", "owner": "Lucie", "due_on": days_ago(-7)}],
    )


@pytest.fixture
def step(meeting):
    return meeting.next_steps.get()


def text(response):
    return html.unescape(response.content.decode())


def detail(project):
    return reverse("projects:project_detail", args=[project.pk])


def meeting_data(**overrides):
    """A meeting as a hand-built POST, for the access checks only (most of those people never see the form)."""
    data = {
        "date": days_ago(1).isoformat(),
        "duration_minutes": "60",
        "format": "video",
        "topics": ["legal", "governance"],
        "notes": "Statuts de SCIC relus ensemble.",
        "etapes-TOTAL_FORMS": "3",
        "etapes-INITIAL_FORMS": "0",
        "etapes-MIN_NUM_FORMS": "0",
        "etapes-MAX_NUM_FORMS": "3",
    }
    for n in range(3):
        data.update({f"etapes-{n}-description": "", f"etapes-{n}-owner": "", f"etapes-{n}-due_on": ""})
    data.update(overrides)
    return data


OUTCOME = {
    "status": "launched",
    "legal_form": "scic",
    "jobs_fte": "1,5",
    "volunteers": "12",
    "funds_raised": "25000",
    "skills_gained": "Gérer un budget, animer une assemblée.",
}
ACTOR = {"organisation": "Mairie de Crest", "kind": "local_authority", "met_on": "", "note": "La CAE a fait le lien."}

# A field each page's own form holds, to tell it from the language and log-out forms around it.
MEETING_FORM, MILESTONES_FORM, OUTCOME_FORM, ACTOR_FORM = (
    "etapes-TOTAL_FORMS",
    "jalons-TOTAL_FORMS",
    "status",
    "organisation",
)


def meeting_changes(**overrides):
    """What a coach types about a meeting that took place yesterday."""
    return {
        "date": days_ago(1).isoformat(),
        "duration_minutes": "60",
        "format": "video",
        "topics": ["legal", "governance"],
        "notes": "Statuts de SCIC relus ensemble.",
        **overrides,
    }


def fill(client, url, changes=None, *, field, **extra):
    """Open the page at `url` and send the form holding `field` back with `changes`."""
    return submit(client, client.get(url), changes, field=field, **extra)


def milestone_data(milestones, **values):
    data = {
        "jalons-TOTAL_FORMS": str(len(milestones)),
        "jalons-INITIAL_FORMS": str(len(milestones)),
        "jalons-MIN_NUM_FORMS": "0",
        "jalons-MAX_NUM_FORMS": "1000",
    }
    for n, milestone in enumerate(milestones):
        data[f"jalons-{n}-id"] = str(milestone.pk)
        data[f"jalons-{n}-target_on"] = milestone.target_on.isoformat() if milestone.target_on else ""
        data[f"jalons-{n}-done_on"] = milestone.done_on.isoformat() if milestone.done_on else ""
    data.update(values)
    return data


def project_requests(project, meeting, step):
    """(name, method, url, data) for each body of a project, with data that succeeds for those allowed.

    Hand-built on purpose: these check the door, and most of the people knocking are never shown the forms."""
    milestones = list(project.milestones.all())
    return [
        ("detail", "get", detail(project), None),
        ("meeting_create", "get", reverse("projects:meeting_create", args=[project.pk]), None),
        ("meeting_create_post", "post", reverse("projects:meeting_create", args=[project.pk]), meeting_data()),
        ("meeting_update", "get", reverse("projects:meeting_update", args=[meeting.pk]), None),
        (
            "meeting_update_post",
            "post",
            reverse("projects:meeting_update", args=[meeting.pk]),
            meeting_data(**{"etapes-TOTAL_FORMS": "0", "etapes-MAX_NUM_FORMS": "3"}),
        ),
        ("next_step_toggle", "post", reverse("projects:next_step_toggle", args=[project.pk, step.pk]), {"done": "1"}),
        ("milestones", "get", reverse("projects:milestones_update", args=[project.pk]), None),
        (
            "milestones_post",
            "post",
            reverse("projects:milestones_update", args=[project.pk]),
            milestone_data(milestones),
        ),
        ("outcome", "get", reverse("projects:outcome_update", args=[project.pk]), None),
        ("outcome_post", "post", reverse("projects:outcome_update", args=[project.pk]), OUTCOME),
        ("actor", "get", reverse("projects:actor_create", args=[project.pk]), None),
        ("actor_post", "post", reverse("projects:actor_create", args=[project.pk]), {**ACTOR, "met_on": days_ago(2)}),
    ]


def send(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


def nothing_recorded(project, meeting):
    assert CoachingSession.objects.filter(project=project).count() == 1
    assert not NextStep.objects.filter(done_at__isnull=False).exists()
    assert not Outcome.objects.exists() and not ActorMet.objects.exists()
    assert CoachingSession.objects.get(pk=meeting.pk).notes == "Le prévisionnel tient la route."


@pytest.fixture
def with_milestones(project):
    MilestoneFactory(project=project, name="Besoin validé", target_on=days_ago(10))
    MilestoneFactory(project=project, name="Modèle économique")
    return project


# --- Who may open what ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, project, meeting, step, programme):
    for name, method, url, data in [
        *project_requests(project, meeting, step),
        ("my_projects", "get", reverse("projects:my_projects"), None),
        ("milestone_templates", "get", reverse("projects:milestone_templates", args=[programme.pk]), None),
    ]:
        response = send(client, method, url, data)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
    nothing_recorded(project, meeting)


@pytest.mark.parametrize("who", ["other_coach", "other_structure_staff", "other_structure_coach", "no_role"])
def test_people_who_do_not_coach_or_run_the_project_get_a_404_everywhere(
    client, who, structure, project, meeting, step, with_milestones
):
    outsider = {
        "other_coach": lambda: CoachFactory(partner_structure=structure),
        "other_structure_staff": StaffFactory,
        "other_structure_coach": CoachFactory,
        "no_role": UserFactory,
    }[who]()
    client.force_login(outsider)
    for name, method, url, data in project_requests(project, meeting, step):
        assert send(client, method, url, data).status_code == 404, name
    nothing_recorded(project, meeting)


def test_a_coach_whose_assignment_ended_loses_access(client, structure, coach, project, meeting, step):
    services.assign_coach(project=project, coach=CoachFactory(partner_structure=structure))
    client.force_login(coach)
    for name, method, url, data in project_requests(project, meeting, step):
        assert send(client, method, url, data).status_code == 404, name
    nothing_recorded(project, meeting)


@pytest.mark.parametrize("who", ["coach", "staff", "superuser"])
def test_the_projects_coach_its_programmes_staff_and_superusers_use_every_page(
    client, who, coach, staff, project, meeting, step, with_milestones
):
    client.force_login({"coach": coach, "staff": staff, "superuser": SuperuserFactory()}[who])
    for name, method, url, data in project_requests(project, meeting, step):
        response = send(client, method, url, data)
        expected = 200 if method == "get" else 302
        assert response.status_code == expected, (name, response.content.decode()[-3000:])
    assert CoachingSession.objects.filter(project=project).count() == 2
    assert NextStep.objects.get(pk=step.pk).done_at is not None
    assert Outcome.objects.get(project=project).jobs_fte == decimal.Decimal("1.5")
    assert ActorMet.objects.get(project=project).actor.organisation == "Mairie de Crest"


def test_the_next_step_toggle_only_accepts_post(client, coach, project, step):
    client.force_login(coach)
    assert client.get(reverse("projects:next_step_toggle", args=[project.pk, step.pk])).status_code == 405


def test_a_next_step_of_another_project_is_not_found(client, coach, cohort, project):
    services.assign_coach(project=(mine := ProjectFactory(cohort=cohort)), coach=coach)
    other_step = NextStepFactory(project=project)
    client.force_login(coach)
    # Forged on purpose: a step of another project under this project's address.
    response = client.post(reverse("projects:next_step_toggle", args=[mine.pk, other_step.pk]), {"done": "1"})
    assert response.status_code == 404
    assert NextStep.objects.get(pk=other_step.pk).done_at is None


def test_a_meeting_of_another_coachs_project_cannot_be_edited(client, structure, cohort, meeting):
    other = CoachFactory(partner_structure=structure)
    services.assign_coach(project=ProjectFactory(cohort=cohort), coach=other)
    client.force_login(other)
    assert client.get(reverse("projects:meeting_update", args=[meeting.pk])).status_code == 404


# --- My projects ---------------------------------------------------------------------------------


def test_my_projects_is_for_coaches(client, staff):
    assert client.get(reverse("projects:my_projects"))["Location"].startswith(reverse("login"))
    client.force_login(staff)
    assert client.get(reverse("projects:my_projects")).status_code == 403
    client.force_login(SuperuserFactory())
    assert client.get(reverse("projects:my_projects")).status_code == 403


def test_my_projects_shows_only_the_coachs_own_projects_of_the_current_season(
    client, structure, programme, cohort, coach, project
):
    other = CoachFactory(partner_structure=structure)
    services.assign_coach(project=ProjectFactory(cohort=cohort, name="Tiers-lieu d'un autre"), coach=other)
    ProjectFactory(cohort=cohort, name="Projet sans personne")
    past = CohortFactory(programme=programme, name="Saison passée", start_date=days_ago(700))
    services.assign_coach(project=ProjectFactory(cohort=past, name="Projet de l'an passé"), coach=coach)
    client.force_login(coach)
    body = text(client.get(reverse("projects:my_projects")))
    assert "Saison en cours" in body and "Garage solidaire des Collines" in body
    assert detail(project) in body
    for hidden in ("Tiers-lieu d'un autre", "Projet sans personne", "Projet de l'an passé"):
        assert hidden not in body


def test_my_projects_lists_the_current_seasons_even_before_projects_are_given(client, programme, coach):
    CohortFactory(programme=programme, name="Saison toute neuve", start_date=days_ago(3))
    client.force_login(coach)
    body = text(client.get(reverse("projects:my_projects")))
    assert "Saison toute neuve" in body
    assert "Aucun projet ne vous est confié dans cette saison pour l'instant." in body


def test_my_projects_shows_nothing_of_other_structures_seasons(client, programme, coach):
    CohortFactory(programme=programme, name="Saison des autres", start_date=days_ago(3))
    client.force_login(CoachFactory())
    body = text(client.get(reverse("projects:my_projects")))
    assert "Saison des autres" not in body
    assert "Aucune saison n'est en cours pour les programmes de votre structure." in body


def test_the_season_switcher_shows_a_past_season_with_the_projects_the_coach_had_then(
    client, structure, programme, coach, cohort, project
):
    past = CohortFactory(programme=programme, name="Saison 2024-2025", start_date=days_ago(700))
    still_mine = ProjectFactory(cohort=past, name="Cantine du plateau")
    handed_over = ProjectFactory(cohort=past, name="Roue libre")
    services.assign_coach(project=still_mine, coach=coach, on=past.start_date)
    services.assign_coach(project=handed_over, coach=coach, on=past.start_date)
    services.assign_coach(
        project=handed_over,
        coach=CoachFactory(partner_structure=structure),
        on=past.start_date + datetime.timedelta(60),
    )
    never_mine = ProjectFactory(cohort=past, name="Pas le mien")
    CohortFactory(programme=ProgrammeFactory(), name="Saison d'ailleurs", start_date=days_ago(700))
    client.force_login(coach)

    page = client.get(reverse("projects:my_projects"))
    body = text(page)
    assert f'<option value="{past.pk}">' in body and "Saison d'ailleurs" not in body

    body = text(submit(client, page, {"saison": past.pk}, field="saison"))
    assert "Cantine du plateau" in body and detail(still_mine) in body
    # A project the coach handed over is listed, without a link they could no longer follow.
    assert "Roue libre" in body and detail(handed_over) not in body
    assert "Votre accompagnement s'est terminé le" in body
    assert never_mine.name not in body and project.name not in body


def test_a_coach_with_only_a_past_season_can_still_switch_to_it(client, programme, coach):
    past = CohortFactory(programme=programme, name="Saison 2024-2025", start_date=days_ago(700))
    services.assign_coach(project=ProjectFactory(cohort=past, name="Cantine du plateau"), coach=coach)
    client.force_login(coach)
    page = client.get(reverse("projects:my_projects"))
    body = text(page)
    assert "Aucune saison n'est en cours" in body and f'<option value="{past.pk}">' in body
    assert "Cantine du plateau" in text(submit(client, page, {"saison": past.pk}, field="saison"))


@pytest.mark.parametrize("value", ["abc", "999999", "", " "])
def test_an_unknown_season_shows_the_current_ones(client, coach, project, value):
    client.force_login(coach)
    # Forged on purpose (or an old bookmark): the switcher offers only the coach's seasons.
    response = client.get(reverse("projects:my_projects"), {"saison": value})
    assert response.status_code == 200
    assert project.name in text(response)


def test_each_card_says_where_the_project_stands(client, coach, project, with_milestones):
    CoachingSessionFactory(project=project, coach=coach, date=D(2020, 1, 1))
    CoachingSessionFactory(project=project, coach=coach, date=days_ago(3))
    NextStepFactory(project=project, due_on=days_ago(2))
    NextStepFactory(project=project, due_on=days_ago(-2))
    NextStepFactory(project=project, due_on=days_ago(5), done_at=timezone.now())
    Milestone.objects.filter(project=project, name="Besoin validé").update(done_on=days_ago(1))
    client.force_login(coach)
    card = client.get(reverse("projects:my_projects")).context["sections"][0][1][0]
    assert card.last_meeting_on == days_ago(3)
    assert (card.open_steps, card.overdue_steps) == (2, 1)
    assert (card.milestones_done, card.milestones_total) == (1, 2)
    assert card.attendance_rate is None
    assert [alert.kind for alert in card.alerts] == ["overdue_steps"]


def test_a_card_escapes_what_people_typed_and_says_it_in_the_persons_language(client, coach, cohort, structure):
    lead = CoachFactory(partner_structure=structure)
    project = ProjectFactory(cohort=cohort, name='Café <b>"Les Amis"</b> & Cie', commune="Saint-Jean-d'Arves")
    services.assign_coach(project=project, coach=lead, on=days_ago(60))
    services.assign_coach(project=project, coach=coach, role="second", on=days_ago(60))
    MilestoneFactory(project=project, done_on=days_ago(1))
    MilestoneFactory(project=project)
    NextStepFactory(project=project, due_on=days_ago(3))
    client.force_login(coach)
    body = client.get(reverse("projects:my_projects")).content.decode()
    name = "Café &lt;b&gt;&quot;Les Amis&quot;&lt;/b&gt; &amp; Cie"
    assert f'<a href="{detail(project)}">{name}</a>' in body and "<b>" not in body
    assert "Saint-Jean-d&#x27;Arves" in body and '<span class="badge text-bg-light border">En second</span>' in body
    assert "À faire : 1" in body and '<strong class="text-danger-emphasis">en retard : 1</strong>' in body
    assert f'max="2" value="1" aria-label="Étapes clés atteintes par {name}">50 %</progress>' in body
    assert "1 prochaine étape est en retard." in body
    assert "Aucun pour l'instant" in body
    assert f'href="{reverse("projects:meeting_create", args=[project.pk])}">Noter un rendez-vous' in body

    body = client.get(reverse("projects:my_projects"), headers={"accept-language": "en"}).content.decode()
    assert "To do: 1" in body and "overdue: 1" in body and "Reached: 1 of 2" in body


def test_the_project_page_counts_its_figures_as_the_coachs_home_and_the_season_report_do(
    client, coach, cohort, project, with_milestones
):
    # The project page counts from the rows it lists; the home and the report ask the database. Same answers.
    second = CoachFactory(partner_structure=coach.partner_structure)
    services.assign_coach(project=project, coach=second, role="second", on=days_ago(20))
    CoachingSessionFactory(project=project, coach=coach, date=days_ago(40), duration_minutes=60, topics=[])
    together = CoachingSessionFactory(project=project, coach=coach, date=days_ago(35), topics=["economic", "personal"])
    together.participants.set([coach, second])
    # A meeting whose coach is not among those ticked: the report leaves it out of the project's total.
    CoachingSessionFactory(project=project, coach=coach, date=days_ago(33)).participants.set([second])
    NextStepFactory(project=project, due_on=days_ago(2))
    NextStepFactory(project=project, due_on=None)
    NextStepFactory(project=project, due_on=days_ago(5), done_at=timezone.now())
    Milestone.objects.filter(project=project, name="Besoin validé").update(done_on=days_ago(1))
    with translation.override("fr"):  # the page's language, for the alerts' wording
        [expected] = services.project_progress(type(project).objects.filter(pk=project.pk))
    expected_totals = services.coaching_totals(CoachingSession.objects.filter(project=project)).total
    assert [alert.kind for alert in expected.alerts] == ["no_meeting", "overdue_steps"]

    client.force_login(coach)
    context = client.get(detail(project)).context
    assert dataclasses.replace(context["progress"], project=None) == dataclasses.replace(expected, project=None)
    assert context["totals"] == expected_totals
    assert (context["totals"].meetings, context["totals"].minutes) == (2, 60 + together.duration_minutes)


@pytest.mark.parametrize(("projects", "meetings"), [(3, 10), (30, 100)])
def test_my_projects_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, programme, coach, projects, meetings
):
    # Ten times the rows: 30 projects need a season that lets a coach take 30 of them.
    season = CohortFactory(programme=programme, start_date=days_ago(30), max_projects_per_coach=projects)
    CohortFactory(programme=programme, start_date=days_ago(800))  # a past season, for the switcher
    followed = [ProjectFactory(cohort=season) for _ in range(projects)]
    for item in followed:
        services.assign_coach(project=item, coach=coach)
        MilestoneFactory.create_batch(2, project=item, done_on=days_ago(1))
        NextStepFactory(project=item, due_on=days_ago(1))
    for n in range(meetings):
        CoachingSessionFactory(project=followed[n % projects], coach=coach, date=days_ago(n % 40))
    client.force_login(coach)
    # session, user, the coach's seasons, their projects with every figure as subqueries,
    # their attendance rates at the collective days
    with django_assert_max_num_queries(5):
        response = client.get(reverse("projects:my_projects"))
    assert len(response.context["sections"][0][1]) == projects


# --- Alerts, with frozen time --------------------------------------------------------------------


@pytest.fixture
def frozen_season(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027", start_date=D(2026, 1, 1))


@pytest.fixture
def followed(frozen_season, coach):
    project = ProjectFactory(cohort=frozen_season, name="Habitat partagé")
    services.assign_coach(project=project, coach=coach, on=D(2026, 3, 1))
    return project


def alerts(project, today):
    [progress] = services.project_progress(type(project).objects.filter(pk=project.pk), today=today)
    return [alert.message for alert in progress.alerts]


def test_a_project_never_met_is_flagged_30_days_after_its_assignment_began(followed):
    with time_machine.travel(datetime.datetime(2026, 3, 30, 12, 0), tick=False):
        assert alerts(followed, timezone.localdate()) == []
    with time_machine.travel(datetime.datetime(2026, 3, 31, 12, 0), tick=False):
        assert alerts(followed, timezone.localdate()) == [
            "Aucun rendez-vous depuis le début de l'accompagnement, il y a 30 jours."
        ]


def test_a_project_is_flagged_30_days_after_its_last_meeting(followed, coach):
    CoachingSessionFactory(project=followed, coach=coach, date=D(2026, 3, 2))
    CoachingSessionFactory(project=followed, coach=coach, date=D(2026, 4, 1))
    assert alerts(followed, D(2026, 4, 30)) == []
    assert alerts(followed, D(2026, 5, 1)) == ["Pas de rendez-vous depuis 30 jours."]
    assert alerts(followed, D(2026, 5, 2)) == ["Pas de rendez-vous depuis 31 jours."]


def test_overdue_next_steps_are_flagged_from_the_day_after_they_were_due(followed):
    NextStepFactory(project=followed, due_on=D(2026, 3, 10))
    NextStepFactory(project=followed, due_on=D(2026, 3, 5), done_at=timezone.now())  # done: not late
    NextStepFactory(project=followed, due_on=None)  # no date: never late
    assert alerts(followed, D(2026, 3, 10)) == []
    assert alerts(followed, D(2026, 3, 11)) == ["1 prochaine étape est en retard."]
    NextStepFactory(project=followed, due_on=D(2026, 3, 9))
    assert alerts(followed, D(2026, 3, 11)) == ["2 prochaines étapes sont en retard."]


def test_no_meeting_alert_once_the_season_is_over_or_without_a_coach(frozen_season, followed):
    assert alerts(followed, frozen_season.end_date + datetime.timedelta(days=1)) == []
    nobody = ProjectFactory(cohort=frozen_season)
    assert alerts(nobody, D(2026, 12, 1)) == []


def test_the_coach_sees_the_alerts_on_their_home_and_on_the_project(client, coach, followed):
    NextStepFactory(project=followed, due_on=D(2026, 4, 1))
    client.force_login(coach)
    with time_machine.travel(datetime.datetime(2026, 4, 15, 10, 0), tick=False):
        home = text(client.get(reverse("projects:my_projects")))
        body = text(client.get(detail(followed)))
    for content in (home, body):
        assert "Aucun rendez-vous depuis le début de l'accompagnement, il y a 45 jours." in content
        assert "1 prochaine étape est en retard." in content


# --- The project's body --------------------------------------------------------------------------


def test_the_project_page_shows_team_candidacy_meetings_steps_milestones_outcome_actors_history(
    client, structure, coach, cohort, with_milestones, meeting
):
    project = with_milestones
    candidacy = CandidacyFactory(cohort=cohort, status="accepted", need="Aucun garage à moins de 30 km.")
    AttachmentFactory(candidacy=candidacy)
    project.candidacy = candidacy
    project.save()
    ProjectMemberFactory(project=project, name="Lucie Bernard", role="Présidente")
    ActorMetFactory(project=project, actor__organisation="Mission locale", actor__kind="public_service")
    Outcome.objects.create(project=project, status="continuing", jobs_fte=decimal.Decimal("0.5"))
    client.force_login(coach)
    body = text(client.get(detail(project)))
    for expected in ("Lucie Bernard", "Aucun garage à moins de 30 km.", "Le prévisionnel tient la route."):
        assert expected in body
    assert "Modèle économique</li>" in body and "Posture, confiance en soi</li>" in body
    assert "Appeler la banque" in body and "Besoin validé" in body
    assert "Se poursuit" in body and "Mission locale" in body
    assert f"{coach}</strong>" in body
    assert "1,5 h en 1 rendez-vous" in body
    # Coaches read the candidacy, its documents stay with the programme's staff.
    assert "Dossier de candidature.pdf" in body and "/documents/" not in body
    client.force_login(StaffFactory(partner_structure=structure))
    assert "/documents/" in text(client.get(detail(project)))


def test_the_meetings_are_listed_newest_first_with_who_came_and_what_was_typed_escaped(
    client, programme, structure, coach, cohort, project
):
    second = CoachFactory(partner_structure=structure, first_name="Zoé", last_name="O'Neil")
    services.assign_coach(project=project, coach=second, role="second", on=days_ago(60))
    older = CoachingSessionFactory(project=project, coach=coach, date=D(2026, 3, 1), topics=[], notes="")
    newer = CoachingSessionFactory(
        project=project,
        coach=coach,
        date=D(2026, 4, 2),
        duration_minutes=45,
        format="video",
        topics=["economic"],
        notes="<script>alert(1)</script>\n\nDeuxième paragraphe",
    )
    newer.participants.set([coach, second])
    client.force_login(coach)
    body = client.get(detail(project)).content.decode()
    assert body.index(f'id="rdv-{newer.pk}"') < body.index(f'id="rdv-{older.pk}"')
    assert f'<h3 id="rdv-{newer.pk}" class="h6 mb-1">jeudi 2 avril 2026</h3>' in body
    assert f'<h3 id="rdv-{older.pk}" class="h6 mb-1">dimanche 1er mars 2026</h3>' in body
    edit = reverse("projects:meeting_update", args=[newer.pk])
    assert f'<a href="{edit}">Modifier<span class="visually-hidden"> le rendez-vous du 2 avril 2026</span></a>' in body
    assert f"45 min · {newer.get_format_display()} · avec {html.escape(str(coach))} et Zoé O&#x27;Neil</p>" in body
    assert '<li class="list-inline-item badge text-bg-light border">Modèle économique</li>' in body
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n\n<p>Deuxième paragraphe</p>" in body
    assert "<script>alert(1)" not in body

    # A coach of the season reading the project gets no link to change a meeting.
    programme.coaches_read_season_projects = True
    programme.save()
    neighbour = CoachFactory(partner_structure=structure)
    services.assign_coach(project=ProjectFactory(cohort=cohort), coach=neighbour)
    client.force_login(neighbour)
    body = client.get(detail(project)).content.decode()
    assert f'id="rdv-{newer.pk}"' in body and edit not in body

    CoachingSession.objects.filter(project=project).delete()
    client.force_login(coach)
    assert "Aucun rendez-vous noté pour l'instant." in text(client.get(detail(project)))


@pytest.mark.parametrize("meetings", [10, 100])
def test_the_project_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, coach, cohort, project, meetings
):
    candidacy = CandidacyFactory(cohort=cohort, status="accepted")
    project.candidacy = candidacy
    project.save()
    AttachmentFactory.create_batch(meetings // 10, candidacy=candidacy)
    ProjectMemberFactory.create_batch(meetings // 10, project=project)
    MilestoneFactory.create_batch(meetings // 10, project=project)
    ActorMetFactory.create_batch(meetings // 10, project=project)
    for n in range(meetings):
        meeting = CoachingSessionFactory(project=project, coach=coach, date=days_ago(n))
        NextStepFactory(project=project, meeting=meeting, due_on=days_ago(n - 5))
    client.force_login(coach)
    # session, user, the project, then members, candidacy members, attachments, meetings and who took part in
    # them, next steps, milestones, actors, assignments (where the project stands and its coaching time are
    # counted from these), the attendance rate, the staff notes on the project and on its candidacy (one query),
    # and the latest messages of its conversation (one more, their count, once there are more than a page
    # shows): 16
    with django_assert_max_num_queries(16):
        assert client.get(detail(project)).status_code == 200


# --- Meetings and next steps ---------------------------------------------------------------------


def test_a_coach_logs_a_meeting_with_next_steps(client, coach, project):
    client.force_login(coach)
    changes = meeting_changes(
        **{
            "etapes-0-description": "Envoyer les statuts",
            "etapes-0-owner": "Lucie",
            "etapes-0-due_on": days_ago(-10).isoformat(),
            "etapes-2-description": "Rencontrer la mairie",
        }
    )
    response = fill(client, reverse("projects:meeting_create", args=[project.pk]), changes, field=MEETING_FORM)
    assert response["Location"] == f"{detail(project)}#rendez-vous"
    meeting = CoachingSession.objects.get()
    assert (meeting.coach, meeting.date, meeting.duration_minutes, meeting.format) == (coach, days_ago(1), 60, "video")
    assert meeting.topics == ["legal", "governance"]
    assert sorted(meeting.next_steps.values_list("description", "owner")) == [
        ("Envoyer les statuts", "Lucie"),
        ("Rencontrer la mairie", ""),
    ]
    assert all(step.project == project for step in meeting.next_steps.all())


def test_the_meeting_form_starts_with_today_on_site_and_90_minutes(client, coach, project):
    client.force_login(coach)
    form = client.get(reverse("projects:meeting_create", args=[project.pk])).context["form"]
    assert (form["date"].value(), form["duration_minutes"].value(), form["format"].value()) == (
        timezone.localdate(),
        90,
        "on_site",
    )


def test_staff_log_a_meeting_on_behalf_of_the_projects_coach(client, staff, coach, project):
    client.force_login(staff)
    fill(client, reverse("projects:meeting_create", args=[project.pk]), meeting_changes(), field=MEETING_FORM)
    assert CoachingSession.objects.get().coach == coach


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"duration_minutes": "0"}, "duration_minutes", "Un rendez-vous dure au moins 5 minutes."),
        ({"duration_minutes": "-30"}, "duration_minutes", "Un rendez-vous dure au moins 5 minutes."),
        ({"duration_minutes": "une heure"}, "duration_minutes", "Une durée est un nombre entier de minutes"),
        ({"duration_minutes": "100000"}, "duration_minutes", "Un rendez-vous dure au plus 720 minutes"),
        ({"date": ""}, "date", "Indiquez la date du rendez-vous."),
        ({"date": "31/02/2026"}, "date", "Saisissez une date valide"),
        ({"date": "tomorrow"}, "date", "Saisissez une date valide"),
        ({"format": "pigeon"}, "format", "Sélectionnez un choix valide."),  # forged: no such button
        ({"topics": ["economic", "astrology"]}, "topics", "Ce sujet n'existe pas"),  # forged: no such box
    ],
)
def test_a_wrong_meeting_is_explained_in_french_and_nothing_typed_is_lost(
    client, coach, project, overrides, field, message
):
    client.force_login(coach)
    changes = meeting_changes(**{"etapes-0-description": "Relire le budget", **overrides})
    response = fill(client, reverse("projects:meeting_create", args=[project.pk]), changes, field=MEETING_FORM)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    body = text(response)
    assert "Statuts de SCIC relus ensemble." in body and "Relire le budget" in body
    assert not CoachingSession.objects.exists() and not NextStep.objects.exists()


def test_a_meeting_in_the_future_is_refused(client, coach, project):
    client.force_login(coach)
    changes = meeting_changes(date=days_ago(-1).isoformat())
    response = fill(client, reverse("projects:meeting_create", args=[project.pk]), changes, field=MEETING_FORM)
    assert response.context["form"].errors["date"] == [
        "Ce rendez-vous est dans le futur : notez-le une fois qu'il a eu lieu."
    ]


def test_a_next_step_needs_a_description_when_anything_else_is_filled(client, coach, project):
    client.force_login(coach)
    changes = meeting_changes(**{"etapes-1-owner": "Lucie", "etapes-1-due_on": "2026-13-45"})
    response = fill(client, reverse("projects:meeting_create", args=[project.pk]), changes, field=MEETING_FORM)
    errors = response.context["steps"].forms[1].errors
    assert errors["description"] == ["Décrivez l'étape, ou videz la ligne."]
    assert errors["due_on"] == ["Saisissez une date valide, par exemple 14/03/2026."]
    assert not CoachingSession.objects.exists()


def test_a_saved_next_step_emptied_says_to_tick_remove_and_keeps_it_meanwhile(client, coach, project, meeting, step):
    client.force_login(coach)
    url = reverse("projects:meeting_update", args=[meeting.pk])
    emptied = {"etapes-0-description": "", "etapes-0-owner": "", "etapes-0-due_on": ""}
    response = fill(client, url, emptied, field=MEETING_FORM)
    assert response.status_code == 200
    assert response.context["steps"].forms[0].errors["description"] == [
        "Décrivez l'étape, ou cochez « Supprimer » pour la retirer."
    ]
    assert NextStep.objects.get(pk=step.pk).description == "Appeler la banque"
    # Ticking the box on the page shown removes it, as the message says.
    assert submit(client, response, {"etapes-0-DELETE": True}, field=MEETING_FORM).status_code == 302
    assert not NextStep.objects.filter(pk=step.pk).exists()


def test_a_meeting_page_left_open_while_one_of_its_steps_goes_elsewhere_still_saves(
    client, coach, project, meeting, step
):
    other = NextStepFactory(project=project, meeting=meeting, description="Étape retirée dans un autre onglet")
    client.force_login(coach)
    url = reverse("projects:meeting_update", args=[meeting.pk])
    page = client.get(url)
    rows = {form.instance.pk: n for n, form in enumerate(page.context["steps"].initial_forms)}
    removed_row = rows[other.pk]
    other.delete()  # from another tab, or by the programme's staff
    response = submit(
        client, page, {"notes": "Notes complétées.", f"etapes-{rows[step.pk]}-owner": "Omar"}, field=MEETING_FORM
    )
    # Nothing is lost and nothing is hidden: the step removed meanwhile is shown with a message that says so.
    assert response.status_code == 200
    assert "Cette étape a été retirée entre-temps" in text(response)
    assert "Notes complétées." in text(response) and "Étape retirée dans un autre onglet" in text(response)
    # Emptying its line and saving again keeps the removal and saves the rest.
    response = submit(
        client,
        response,
        {f"etapes-{removed_row}-{name}": "" for name in ("description", "owner", "due_on")},
        field=MEETING_FORM,
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.notes == "Notes complétées."
    assert list(meeting.next_steps.values_list("description", "owner")) == [("Appeler la banque", "Omar")]


def test_a_step_removed_meanwhile_is_saved_again_when_the_page_is_sent_again(client, coach, project, meeting, step):
    client.force_login(coach)
    page = client.get(reverse("projects:meeting_update", args=[meeting.pk]))
    step.delete()
    response = submit(client, page, field=MEETING_FORM)
    assert "Cette étape a été retirée entre-temps" in text(response)
    response = submit(client, response, field=MEETING_FORM)
    assert response.status_code == 302, (response.context["steps"].errors, response.context["steps"].non_form_errors())
    assert list(meeting.next_steps.values_list("description", "owner")) == [("Appeler la banque", "Lucie")]


@pytest.mark.parametrize(
    "forged",
    [
        {"etapes-TOTAL_FORMS": "50"},
        {"etapes-TOTAL_FORMS": "abc"},
        {"etapes-TOTAL_FORMS": ""},
    ],
)
def test_a_forged_next_step_count_is_refused_without_an_error_page(client, coach, project, forged):
    client.force_login(coach)
    # Forged on purpose: a management form no page renders.
    data = meeting_data(**forged)
    for n in range(3, 50):
        data[f"etapes-{n}-description"] = f"Étape {n}"
    response = client.post(reverse("projects:meeting_create", args=[project.pk]), data)
    assert response.status_code == 200
    assert not CoachingSession.objects.exists() and not NextStep.objects.exists()


def test_editing_a_meeting_changes_adds_and_removes_its_next_steps(client, coach, project, meeting, step):
    kept = NextStepFactory(project=project, meeting=meeting, description="Déposer les statuts", done_at=timezone.now())
    removed = NextStepFactory(project=project, meeting=meeting, description="Étape en trop")
    steps = sorted([step, kept, removed], key=lambda s: (s.done_at is not None, s.due_on or D.max, s.pk))
    client.force_login(coach)
    url = reverse("projects:meeting_update", args=[meeting.pk])
    page = client.get(url)
    formset = page.context["steps"]
    assert [form.instance for form in formset.initial_forms] == list(meeting.next_steps.all())
    assert len(steps) == 3
    changes = {"duration_minutes": "120", "etapes-3-description": "Ouvrir un compte"}
    for n, existing in enumerate(meeting.next_steps.all()):
        if existing == step:
            changes[f"etapes-{n}-owner"] = "Omar"
        if existing == removed:
            changes[f"etapes-{n}-DELETE"] = True

    response = submit(client, page, changes, field=MEETING_FORM)
    assert response.status_code == 302, response.context and response.context["steps"].errors
    meeting.refresh_from_db()
    assert (meeting.duration_minutes, meeting.topics, meeting.coach) == (120, ["economic", "personal"], coach)
    assert dict(meeting.next_steps.values_list("description", "owner")) == {
        "Appeler la banque": "Omar",
        "Déposer les statuts": kept.owner,
        "Ouvrir un compte": "",
    }
    assert NextStep.objects.get(pk=kept.pk).done_at is not None  # untouched steps keep their state


def test_ticking_a_next_step_off_and_on_again(client, coach, project, step):
    client.force_login(coach)
    url = reverse("projects:next_step_toggle", args=[project.pk, step.pk])
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 30, tzinfo=datetime.UTC), tick=False):
        response = submit(client, client.get(detail(project)), action=url)
    assert response["Location"] == f"{detail(project)}#etapes"
    assert NextStep.objects.get(pk=step.pk).done_at == datetime.datetime(2026, 5, 4, 9, 30, tzinfo=datetime.UTC)
    page = client.get(detail(project))
    body = text(page)
    assert "faite le 04/05/2026" in body and "Remettre à faire" in body
    submit(client, page, action=url)
    assert NextStep.objects.get(pk=step.pk).done_at is None
    # Forged on purpose: the page sends 1 or 0, nothing else.
    client.post(url, {"done": "n'importe quoi"})
    assert NextStep.objects.get(pk=step.pk).done_at is None


# --- Milestones ----------------------------------------------------------------------------------


def test_a_coach_dates_the_projects_milestones(client, coach, with_milestones):
    project = with_milestones
    client.force_login(coach)
    changes = {
        "jalons-0-done_on": days_ago(2).isoformat(),
        "jalons-1-done_on": days_ago(1).isoformat(),  # reached without a target date: fine
    }
    response = fill(client, reverse("projects:milestones_update", args=[project.pk]), changes, field=MILESTONES_FORM)
    assert response["Location"] == f"{detail(project)}#jalons"
    assert list(project.milestones.values_list("target_on", "done_on")) == [
        (days_ago(10), days_ago(2)),
        (None, days_ago(1)),
    ]


def test_a_milestone_cannot_be_reached_in_the_future_and_what_was_typed_stays(client, coach, with_milestones):
    project = with_milestones
    client.force_login(coach)
    changes = {"jalons-0-done_on": days_ago(-3).isoformat(), "jalons-1-target_on": "2027-02-01"}
    response = fill(client, reverse("projects:milestones_update", args=[project.pk]), changes, field=MILESTONES_FORM)
    assert response.status_code == 200
    assert "Une étape clé ne peut pas être atteinte dans le futur" in text(response)
    assert 'value="2027-02-01"' in text(response)
    assert not project.milestones.filter(done_on__isnull=False).exists()


def test_milestones_of_another_project_or_extra_lines_cannot_be_slipped_in(client, coach, cohort, with_milestones):
    project = with_milestones
    foreign = MilestoneFactory(project=ProjectFactory(cohort=cohort))
    client.force_login(coach)
    # Forged on purpose: a line the page never showed, with another project's milestone.
    data = milestone_data([*project.milestones.all(), foreign])
    data["jalons-2-done_on"] = days_ago(1).isoformat()
    response = client.post(reverse("projects:milestones_update", args=[project.pk]), data)
    assert response.status_code == 200
    assert Milestone.objects.get(pk=foreign.pk).done_on is None
    assert Milestone.objects.count() == 3


def test_a_forged_form_count_cannot_create_milestones(client, coach, with_milestones):
    project = with_milestones
    client.force_login(coach)
    # Forged on purpose: a management form no page renders.
    data = milestone_data(list(project.milestones.all()))
    data["jalons-INITIAL_FORMS"] = "0"  # every line would look new
    response = client.post(reverse("projects:milestones_update", args=[project.pk]), data)
    assert response.status_code in (200, 302)
    assert Milestone.objects.count() == 2


# --- Outcome -------------------------------------------------------------------------------------


def test_a_coach_writes_then_edits_the_outcome(client, coach, project):
    client.force_login(coach)
    url = reverse("projects:outcome_update", args=[project.pk])
    assert fill(client, url, OUTCOME, field=OUTCOME_FORM)["Location"] == f"{detail(project)}#bilan"
    outcome = Outcome.objects.get(project=project)
    assert (outcome.status, outcome.legal_form, outcome.jobs_fte, outcome.volunteers, outcome.funds_raised) == (
        "launched",
        "scic",
        decimal.Decimal("1.5"),
        12,
        decimal.Decimal("25000"),
    )
    assert 'value="1,5"' in text(client.get(url))
    # Reopened: only what is changed changes.
    fill(client, url, {"status": "stopped", "jobs_fte": "0", "skills_gained": "Prendre la parole."}, field=OUTCOME_FORM)
    outcome = Outcome.objects.get(project=project)
    assert (outcome.status, outcome.jobs_fte, outcome.skills_gained) == ("stopped", 0, "Prendre la parole.")
    assert (outcome.legal_form, outcome.volunteers, outcome.funds_raised) == ("scic", 12, decimal.Decimal("25000"))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"jobs_fte": "-1"}, "jobs_fte", "Le nombre d'emplois ne peut pas être négatif."),
        ({"jobs_fte": "1,25"}, "jobs_fte", "Un seul chiffre après la virgule, par exemple 1,5."),
        ({"jobs_fte": "beaucoup"}, "jobs_fte", "Saisissez un nombre, par exemple 1,5."),
        ({"jobs_fte": "123456"}, "jobs_fte", "Ce nombre est trop grand : 9999,9 au plus."),
        ({"volunteers": "-3"}, "volunteers", "Le nombre de bénévoles ne peut pas être négatif."),
        ({"funds_raised": "-10"}, "funds_raised", "Un montant obtenu ne peut pas être négatif."),
        ({"funds_raised": "1e400"}, "funds_raised", "Ce montant est trop grand."),
        ({"status": ""}, "status", "Dites où en est le projet."),
        ({"legal_form": "sarl"}, "legal_form", "Sélectionnez un choix valide."),  # forged: no such option
    ],
)
def test_a_wrong_outcome_is_explained_in_french_and_kept(client, coach, project, overrides, field, message):
    client.force_login(coach)
    response = fill(
        client, reverse("projects:outcome_update", args=[project.pk]), {**OUTCOME, **overrides}, field=OUTCOME_FORM
    )
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert "Gérer un budget, animer une assemblée." in text(response)
    assert not Outcome.objects.exists()


# --- Actors met ----------------------------------------------------------------------------------


def test_a_coach_notes_an_actor_the_team_met(client, coach, project):
    client.force_login(coach)
    url = reverse("projects:actor_create", args=[project.pk])
    response = fill(client, url, {**ACTOR, "met_on": "2026-01-15"}, field=ACTOR_FORM)
    assert response["Location"] == f"{detail(project)}#acteurs"
    meeting = ActorMet.objects.select_related("actor").get()
    assert (meeting.project, meeting.actor.kind, meeting.met_on, meeting.note) == (
        project,
        "local_authority",
        D(2026, 1, 15),
        "La CAE a fait le lien.",
    )
    # The new actor joined the programme's directory.
    assert (meeting.actor.programme, meeting.actor.organisation) == (project.cohort.programme, "Mairie de Crest")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"organisation": ""}, "actor", "Choisissez un acteur de l'annuaire, ou écrivez le nom d'un nouvel acteur."),
        ({"kind": ""}, "kind", "Choisissez le type du nouvel acteur."),
        ({"met_on": ""}, "met_on", "Indiquez la date de la rencontre."),
        ({"met_on": "hier"}, "met_on", "Saisissez une date valide"),
    ],
)
def test_a_wrong_actor_is_explained_in_french(client, coach, project, overrides, field, message):
    client.force_login(coach)
    response = fill(
        client, reverse("projects:actor_create", args=[project.pk]), {**ACTOR, **overrides}, field=ACTOR_FORM
    )
    assert any(message in error for error in response.context["form"].errors[field])
    assert not ActorMet.objects.exists()


def test_an_actor_met_in_the_future_is_refused(client, coach, project):
    client.force_login(coach)
    changes = {**ACTOR, "met_on": days_ago(-5).isoformat()}
    response = fill(client, reverse("projects:actor_create", args=[project.pk]), changes, field=ACTOR_FORM)
    assert response.context["form"].errors["met_on"] == ["Cette rencontre est dans le futur : notez-la après."]


# --- The programme's default milestones (staff) --------------------------------------------------


def templates_url(programme):
    return reverse("projects:milestone_templates", args=[programme.pk])


def template_data(rows, initial=0):
    """A list as a hand-built POST, for the access check only (those people never see the form)."""
    data = {
        "jalons-TOTAL_FORMS": str(len(rows)),
        "jalons-INITIAL_FORMS": str(initial),
        "jalons-MIN_NUM_FORMS": "0",
        "jalons-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"jalons-{n}-{key}"] = value
    return data


def test_milestone_templates_are_for_the_programmes_staff(client, programme, coach, staff):
    url = templates_url(programme)
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(coach)
    assert client.get(url).status_code == 403
    client.force_login(StaffFactory())
    assert client.get(url).status_code == 404
    # Forged on purpose: the page is never shown to them.
    assert client.post(url, template_data([{"name": "Piratage", "order": "1"}])).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200
    client.force_login(SuperuserFactory())
    assert client.get(url).status_code == 200
    assert not MilestoneTemplate.objects.exists()


def test_staff_start_from_the_built_in_list_and_saving_it_unchanged_keeps_it(client, programme, staff):
    client.force_login(staff)
    response = fill(client, templates_url(programme), field=MILESTONES_FORM)
    assert response.status_code == 302
    assert list(programme.milestone_templates.values_list("name", "target_month")) == DEFAULT_MILESTONES


def test_staff_edit_delete_and_add_default_milestones_and_new_projects_get_them(client, programme, staff):
    MilestoneTemplate.objects.create(programme=programme, name="Besoin validé", order=1, target_month=3)
    MilestoneTemplate.objects.create(programme=programme, name="Statuts", order=2, target_month=9)
    client.force_login(staff)
    changes = {
        "jalons-0-name": "Besoin validé avec les habitants",
        "jalons-0-target_month": "2",
        "jalons-1-DELETE": True,
        "jalons-2-name": "Premier chiffre d'affaires",
        "jalons-2-target_month": "12",
    }
    response = fill(client, templates_url(programme), changes, field=MILESTONES_FORM)
    assert response.status_code == 302
    assert list(programme.milestone_templates.values_list("name", "order", "target_month")) == [
        ("Besoin validé avec les habitants", 1, 2),
        ("Premier chiffre d'affaires", 2, 12),
    ]
    cohort = CohortFactory(programme=programme, start_date=D(2026, 9, 1))
    project = ProjectFactory(cohort=cohort)
    services.create_default_milestones(project=project)
    assert list(project.milestones.values_list("name", "target_on")) == [
        ("Besoin validé avec les habitants", D(2026, 10, 31)),
        ("Premier chiffre d'affaires", D(2027, 8, 31)),
    ]


def test_default_milestones_saved_by_two_people_at_once_lose_nothing(client, programme, staff):
    MilestoneTemplate.objects.create(programme=programme, name="Besoin validé", order=1, target_month=3)
    statuts = MilestoneTemplate.objects.create(programme=programme, name="Statuts", order=2, target_month=9)
    client.force_login(staff)
    page = client.get(templates_url(programme))
    statuts.delete()  # a colleague removes it meanwhile, from their own page
    response = submit(client, page, {"jalons-0-name": "Besoin validé avec les habitants"}, field=MILESTONES_FORM)
    assert response.status_code == 200
    assert "Cette étape clé a été retirée entre-temps" in text(response)
    assert 'value="Besoin validé avec les habitants"' in text(response)
    # Sent again as it stands, the line is kept; its name change is saved too.
    assert submit(client, response, field=MILESTONES_FORM).status_code == 302
    assert list(programme.milestone_templates.values_list("name", "order", "target_month")) == [
        ("Besoin validé avec les habitants", 1, 3),
        ("Statuts", 2, 9),
    ]


def test_a_default_milestone_removed_meanwhile_stays_removed_when_its_box_is_ticked(client, programme, staff):
    statuts = MilestoneTemplate.objects.create(programme=programme, name="Statuts", order=1, target_month=9)
    client.force_login(staff)
    page = client.get(templates_url(programme))
    statuts.delete()
    response = submit(client, page, field=MILESTONES_FORM)
    assert submit(client, response, {"jalons-0-DELETE": True}, field=MILESTONES_FORM).status_code == 302
    assert not programme.milestone_templates.exists()


def test_the_built_in_list_saved_by_two_people_at_once_is_not_doubled(client, programme, staff):
    colleague = Client()
    colleague.force_login(StaffFactory(partner_structure=staff.partner_structure))
    client.force_login(staff)
    page = client.get(templates_url(programme))
    assert fill(colleague, templates_url(programme), field=MILESTONES_FORM).status_code == 302
    response = submit(client, page, {"jalons-0-target_month": "2"}, field=MILESTONES_FORM)
    assert response.status_code == 200
    assert "une autre personne a enregistré celle du programme" in text(response)
    assert 'name="jalons-0-target_month" value="2"' in response.content.decode()  # what was typed stays
    assert list(programme.milestone_templates.values_list("name", "target_month")) == DEFAULT_MILESTONES


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"name": "Lancement", "order": "1", "target_month": "0"}, "Le premier mois de la saison est le mois 1."),
        ({"name": "Lancement", "order": "1", "target_month": "40"}, "Une saison dure 36 mois au plus."),
        ({"name": "Lancement", "order": "-1", "target_month": "3"}, "L'ordre est un nombre positif."),
        ({"name": "", "order": "4", "target_month": "3"}, "Donnez un nom à l'étape clé, ou cochez « Supprimer »."),
    ],
)
def test_wrong_default_milestones_are_explained_in_french(client, programme, staff, row, message):
    MilestoneTemplate.objects.create(programme=programme, name="Besoin validé", order=1, target_month=3)
    client.force_login(staff)
    changes = {f"jalons-0-{key}": value for key, value in row.items()}
    response = fill(client, templates_url(programme), changes, field=MILESTONES_FORM)
    assert response.status_code == 200
    assert message in text(response)
    assert list(MilestoneTemplate.objects.values_list("name", "order", "target_month")) == [("Besoin validé", 1, 3)]


# --- On a phone, in a real browser ---------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coach_logs_a_meeting_from_a_phone(page, live_server, programme, coach):
    cohort = CohortFactory(programme=programme, name="Saison test", start_date=days_ago(60))
    project = ProjectFactory(cohort=cohort, name="Garage solidaire de l'Eyrieux")
    services.assign_coach(project=project, coach=coach, on=days_ago(45))
    log_in(page, live_server, coach)
    page.wait_for_url(f"{live_server.url}/projets/mes-projets/")
    expect(page.get_by_text("Aucun rendez-vous depuis le début de l'accompagnement, il y a 45 jours.")).to_be_visible()

    page.get_by_role("link", name="Noter un rendez-vous — Garage solidaire de l'Eyrieux").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noter un rendez-vous")
    page.get_by_label("Durée en minutes").fill("0")
    page.get_by_label("En visio").check()
    page.get_by_label("Modèle économique").check()
    page.get_by_label("Posture, confiance en soi").check()
    page.get_by_label("Notes").fill("Le plan de financement avance.")
    page.locator("#id_etapes-0-description").fill("Envoyer le prévisionnel à la banque")
    page.locator("#id_etapes-0-owner").fill("Lucie")
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()

    # Refused, explained, and nothing typed is lost.
    expect(page.get_by_text("Un rendez-vous dure au moins 5 minutes.")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("Le plan de financement avance.")
    expect(page.locator("#id_etapes-0-description")).to_have_value("Envoyer le prévisionnel à la banque")
    page.get_by_label("Durée en minutes").fill("75")
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()

    expect(page.get_by_text("Le rendez-vous est noté.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Garage solidaire de l'Eyrieux")
    meeting = CoachingSession.objects.get()
    assert (meeting.duration_minutes, meeting.format, meeting.topics) == (75, "video", ["economic", "personal"])
    # Nothing sticks out sideways on a 390-pixel screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("button", name="C'est fait : Envoyer le prévisionnel à la banque").click()
    expect(page.get_by_text("« Envoyer le prévisionnel à la banque » est faite.")).to_be_visible()
    assert NextStep.objects.get().done_at is not None


def test_the_workspace_shows_each_projects_attendance_at_held_collective_days(client, db):
    from tests.factories import AttendanceFactory, ProjectMemberFactory, TrainingSessionFactory
    from trainings.models import Attendance, TrainingSession

    coach = CoachFactory()
    cohort = CohortFactory(
        programme=ProgrammeFactory(partners=[coach.partner_structure]), start_date=timezone.localdate().replace(day=1)
    )
    project = ProjectFactory(cohort=cohort, name="Garage des Collines")
    services.assign_coach(project=project, coach=coach)
    member = ProjectMemberFactory(project=project)
    held = TrainingSessionFactory(cohort=cohort, status=TrainingSession.Status.HELD)
    AttendanceFactory(
        session=held, member=member, morning=Attendance.Presence.PRESENT, afternoon=Attendance.Presence.ABSENT
    )
    client.force_login(coach)
    html = client.get(reverse("projects:my_projects")).content.decode()
    assert "50 %" in html

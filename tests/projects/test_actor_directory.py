"""The programme's directory of territorial actors: who opens it, cards created and edited, meetings noted from
a project, duplicates reunited without losing a meeting, and the season report's shared actors."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Actor, ActorMet
from reports.figures import season_report
from tests.factories import (
    ActorFactory,
    ActorMetFactory,
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    ProjectFactory,
    StaffFactory,
    SuperuserFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.forms import submit

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def text(response):
    return response.content.decode()


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison en cours", start_date=days_ago(90))


@pytest.fixture
def project(cohort, coach):
    project = ProjectFactory(cohort=cohort, name="Garage solidaire")
    services.assign_coach(project=project, coach=coach, on=days_ago(60))
    return project


@pytest.fixture
def other_project(cohort):
    return ProjectFactory(cohort=cohort, name="Cantine des Collines")


@pytest.fixture
def mairie(programme):
    return ActorFactory(programme=programme, organisation="Mairie de Crest", commune="Crest")


def directory_pages(programme, actor):
    return {
        "list": reverse("projects:actor_list", args=[programme.pk]),
        "new": reverse("projects:actor_new", args=[programme.pk]),
        "detail": reverse("projects:actor_detail", args=[actor.pk]),
        "update": reverse("projects:actor_update", args=[actor.pk]),
    }


# --- Who opens the directory --------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, programme, mairie):
    for name, url in directory_pages(programme, mairie).items():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("who", ["staff", "coach", "other_coach", "superuser"])
def test_the_programmes_staff_and_coaches_open_every_page(client, who, structure, staff, coach, programme, mairie):
    user = {
        "staff": staff,
        "coach": coach,
        # A coach of the programme who does not follow any of its projects yet shares the directory too.
        "other_coach": CoachFactory(partner_structure=structure),
        "superuser": SuperuserFactory(),
    }[who]
    client.force_login(user)
    for name, url in directory_pages(programme, mairie).items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("who", ["other_staff", "other_coach", "no_role"])
def test_another_programmes_people_get_a_404(client, who, programme, mairie):
    elsewhere = PartnerStructureFactory(name="Ailleurs")
    ProgrammeFactory(partners=[elsewhere])
    user = {
        "other_staff": StaffFactory(partner_structure=elsewhere),
        "other_coach": CoachFactory(partner_structure=elsewhere),
        "no_role": UserFactory(),
    }[who]
    client.force_login(user)
    for name, url in directory_pages(programme, mairie).items():
        assert client.get(url).status_code == 404, name
        if name in ("new", "update"):
            assert client.post(url, {"organisation": "Piratée", "kind": "other"}).status_code == 404, name
    merge = reverse("projects:actor_merge", args=[programme.pk])
    assert client.get(merge, {"actors": [mairie.pk]}).status_code in (403, 404)
    assert Actor.objects.get().organisation == "Mairie de Crest"


def test_reuniting_cards_is_for_staff_only(client, coach, programme, mairie):
    other = ActorFactory(programme=programme, organisation="Mairie Crest")
    client.force_login(coach)
    url = reverse("projects:actor_merge", args=[programme.pk])
    assert client.get(url, {"actors": [mairie.pk, other.pk]}).status_code == 403
    assert client.post(url, {"actors": [mairie.pk, other.pk], "keep": mairie.pk}).status_code == 403
    assert Actor.objects.count() == 2
    # Nor is the merge offered on the list.
    assert 'name="actors"' not in text(client.get(reverse("projects:actor_list", args=[programme.pk])))


# --- The list, its search and filters -----------------------------------------------------------


def test_the_list_searches_by_name_and_filters_by_kind_and_territory(client, staff, programme, mairie):
    drome = TerritoryFactory(name="Drôme", department_code="26")
    mairie.territory = drome
    mairie.save()
    ActorFactory(programme=programme, organisation="Crédit coopératif", kind="funder")
    ActorFactory(organisation="Mairie d'ailleurs")  # another programme's
    client.force_login(staff)
    url = reverse("projects:actor_list", args=[programme.pk])
    page = client.get(url)
    assert [a.organisation for a in page.context["actors"]] == ["Crédit coopératif", "Mairie de Crest"]
    searched = submit(client, page, {"q": "CREST"}, field="q")
    assert [a.organisation for a in searched.context["actors"]] == ["Mairie de Crest"]
    by_kind = submit(client, page, {"kind": "funder"}, field="q")
    assert [a.organisation for a in by_kind.context["actors"]] == ["Crédit coopératif"]
    by_territory = submit(client, page, {"territory": str(drome.pk)}, field="q")
    assert [a.organisation for a in by_territory.context["actors"]] == ["Mairie de Crest"]


def test_a_wrong_filter_is_explained_and_the_list_stays(client, staff, programme, mairie):
    client.force_login(staff)
    response = client.get(reverse("projects:actor_list", args=[programme.pk]), {"kind": "pirate"})
    assert response.status_code == 200
    assert "Un filtre n'est pas valide" in text(response)


@pytest.mark.parametrize("actors", [10, 100])
def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, staff, cohort, actors):
    projects = ProjectFactory.create_batch(3, cohort=cohort)
    for n in range(actors):
        actor = ActorFactory(programme=cohort.programme)
        for project in projects[: n % 3 + 1]:
            ActorMetFactory(project=project, actor=actor)
    client.force_login(staff)
    # session, user, the programme, the filter's territories, the count, the page of actors with their counts
    with django_assert_max_num_queries(7):
        assert client.get(reverse("projects:actor_list", args=[cohort.programme_id])).status_code == 200


# --- An actor's page ----------------------------------------------------------------------------


def test_an_actors_page_lists_the_projects_that_met_it_and_who_introduced_whom(
    client, coach, programme, project, other_project, mairie
):
    credit = ActorFactory(programme=programme, organisation="Crédit coopératif", kind="funder")
    ActorMetFactory(project=project, actor=mairie, met_on=days_ago(30), note="Un local possible.")
    ActorMetFactory(project=other_project, actor=mairie, met_on=days_ago(20), introduced_by_project=project)
    ActorMetFactory(project=project, actor=credit, met_on=days_ago(10), introduced_by_actor=mairie)
    client.force_login(coach)
    body = text(client.get(reverse("projects:actor_detail", args=[mairie.pk])))
    assert "Rencontré par 2 projets" in body
    assert "Garage solidaire" in body and "Cantine des Collines" in body
    assert "mis en relation par le projet Garage solidaire" in body
    assert "Un local possible." in body
    assert "Garage solidaire a rencontré Crédit coopératif" in body
    # The coach's own project is a link; the other coach's project is named, not opened.
    assert reverse("projects:project_detail", args=[project.pk]) in body
    assert reverse("projects:project_detail", args=[other_project.pk]) not in body


@pytest.mark.parametrize("meetings", [5, 50])
def test_an_actors_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, staff, cohort, mairie, meetings
):
    introducer = ActorFactory(programme=cohort.programme)
    for n in range(meetings):
        project = ProjectFactory(cohort=cohort)
        ActorMetFactory(project=project, actor=mairie, introduced_by_actor=introducer if n % 2 else None)
        ActorMetFactory(project=project, actor=introducer, introduced_by_actor=mairie)
    client.force_login(staff)
    # session, user, the actor, its meetings, its introductions, the projects the person may open, and the
    # trail (entries, then the kinds of rows they point to)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:actor_detail", args=[mairie.pk])).status_code == 200


# --- Cards created and edited -------------------------------------------------------------------


def test_a_coach_adds_an_actor_to_the_directory(client, coach, programme):
    drome = TerritoryFactory(name="Drôme", department_code="26")
    client.force_login(coach)
    page = client.get(reverse("projects:actor_new", args=[programme.pk]))
    changes = {
        "organisation": "  Mission   locale ",
        "kind": "public_service",
        "commune": "Montélimar",
        "territory": str(drome.pk),
        "contact": "Nadia, 04 75 00 00 00",
    }
    response = submit(client, page, changes, field="organisation")
    actor = Actor.objects.get()
    assert response["Location"] == reverse("projects:actor_detail", args=[actor.pk])
    assert (actor.programme, actor.organisation, actor.kind, actor.territory) == (
        programme,
        "Mission locale",
        "public_service",
        drome,
    )


def test_a_name_already_in_the_directory_is_refused_and_what_was_typed_stays(client, staff, programme, mairie):
    client.force_login(staff)
    page = client.get(reverse("projects:actor_new", args=[programme.pk]))
    response = submit(
        client,
        page,
        {"organisation": "MAIRIE de crest.", "kind": "local_authority", "contact": "M. Roux"},
        field="organisation",
    )
    assert response.status_code == 200
    assert "est déjà dans l'annuaire du programme" in response.context["form"].errors["organisation"][0]
    assert "M. Roux" in text(response)
    assert Actor.objects.count() == 1


def test_the_same_name_in_another_programme_is_another_actor(client, staff, programme, mairie):
    ActorFactory(organisation="Mission locale")
    client.force_login(staff)
    page = client.get(reverse("projects:actor_new", args=[programme.pk]))
    submit(client, page, {"organisation": "Mission locale", "kind": "public_service"}, field="organisation")
    assert Actor.objects.filter(name_key="mission locale").count() == 2


def test_a_missing_kind_is_explained_in_french(client, staff, programme):
    client.force_login(staff)
    page = client.get(reverse("projects:actor_new", args=[programme.pk]))
    response = submit(client, page, {"organisation": "Mission locale"}, field="organisation")
    assert response.context["form"].errors["kind"] == ["Choisissez le type d'acteur."]
    assert not Actor.objects.exists()


def test_a_card_is_edited_as_the_page_renders_it(client, coach, mairie):
    client.force_login(coach)
    page = client.get(reverse("projects:actor_update", args=[mairie.pk]))
    response = submit(client, page, {"contact": "Accueil : 04 75 25 00 00"}, field="organisation")
    assert response.status_code == 302
    mairie.refresh_from_db()
    assert (mairie.organisation, mairie.commune, mairie.contact) == (
        "Mairie de Crest",
        "Crest",
        "Accueil : 04 75 25 00 00",
    )


# --- Meetings noted from a project --------------------------------------------------------------


def test_a_coach_picks_an_actor_of_the_directory_and_names_who_introduced_it(
    client, coach, project, other_project, mairie
):
    client.force_login(coach)
    page = client.get(reverse("projects:actor_create", args=[project.pk]))
    changes = {
        "actor": str(mairie.pk),
        "met_on": days_ago(3).isoformat(),
        "introduced_by_project": str(other_project.pk),
        "note": "Une friche à reprendre.",
    }
    assert submit(client, page, changes, field="organisation").status_code == 302
    meeting = ActorMet.objects.get()
    assert (meeting.actor, meeting.introduced_by_project, meeting.note) == (
        mairie,
        other_project,
        "Une friche à reprendre.",
    )
    assert Actor.objects.count() == 1


def test_a_name_typed_another_way_is_the_actor_already_there(client, coach, project, mairie):
    client.force_login(coach)
    page = client.get(reverse("projects:actor_create", args=[project.pk]))
    submit(client, page, {"organisation": "mairie de CREST", "met_on": days_ago(1).isoformat()}, field="organisation")
    assert ActorMet.objects.get().actor == mairie
    assert Actor.objects.count() == 1


def test_an_actor_and_a_project_cannot_both_be_the_introducer(client, coach, project, other_project, mairie):
    credit = ActorFactory(programme=mairie.programme, organisation="Crédit coopératif")
    client.force_login(coach)
    page = client.get(reverse("projects:actor_create", args=[project.pk]))
    changes = {
        "actor": str(mairie.pk),
        "met_on": days_ago(1).isoformat(),
        "introduced_by_actor": str(credit.pk),
        "introduced_by_project": str(other_project.pk),
        "note": "Gardée",
    }
    response = submit(client, page, changes, field="organisation")
    assert response.status_code == 200
    assert "pas des deux" in response.context["form"].errors["introduced_by_project"][0]
    assert "Gardée" in text(response)
    assert not ActorMet.objects.exists()


def test_another_programmes_actor_is_not_a_choice(client, coach, project):
    elsewhere = ActorFactory(organisation="Mairie d'ailleurs")
    client.force_login(coach)
    page = client.get(reverse("projects:actor_create", args=[project.pk]))
    assert "Mairie d&#x27;ailleurs" not in text(page) and "Mairie d'ailleurs" not in text(page)
    response = client.post(
        reverse("projects:actor_create", args=[project.pk]),
        {"actor": str(elsewhere.pk), "met_on": days_ago(1).isoformat()},
    )
    assert "plus dans l'annuaire" in response.context["form"].errors["actor"][0]
    assert not ActorMet.objects.exists()


# --- Reuniting duplicates -----------------------------------------------------------------------


def test_reuniting_cards_keeps_every_meeting_and_introduction(client, staff, programme, project, other_project, mairie):
    twin = ActorFactory(
        programme=programme, organisation="Mairie Crest", commune="", contact="Secrétariat : 04 75 00 00 01"
    )
    third = ActorFactory(programme=programme, organisation="Ville de Crest", territory=TerritoryFactory(name="Drôme"))
    mairie.contact = "M. le maire"
    mairie.save()
    credit = ActorFactory(programme=programme, organisation="Crédit coopératif")
    kept_meeting = ActorMetFactory(project=project, actor=mairie)
    twin_meetings = [ActorMetFactory(project=project, actor=twin), ActorMetFactory(project=other_project, actor=twin)]
    third_meeting = ActorMetFactory(project=other_project, actor=third, note="Le service technique")
    introduced = ActorMetFactory(project=other_project, actor=credit, introduced_by_actor=third)
    client.force_login(staff)

    listing = client.get(reverse("projects:actor_list", args=[programme.pk]))
    chosen = [str(mairie.pk), str(twin.pk), str(third.pk)]
    page = submit(client, listing, {"actors": chosen}, action=reverse("projects:actor_merge", args=[programme.pk]))
    assert page.status_code == 200
    # The card met most often is offered to keep; the staff picks the first one instead.
    assert page.context["form"].initial["keep"] == twin.pk
    response = submit(client, page, {"keep": str(mairie.pk)}, field="keep")
    assert response["Location"] == reverse("projects:actor_detail", args=[mairie.pk])

    assert set(Actor.objects.values_list("organisation", flat=True)) == {"Mairie de Crest", "Crédit coopératif"}
    for meeting in [kept_meeting, *twin_meetings, third_meeting]:
        meeting.refresh_from_db()
        assert meeting.actor_id == mairie.pk
    third_meeting.refresh_from_db()
    assert third_meeting.note == "Le service technique"
    introduced.refresh_from_db()
    assert introduced.introduced_by_actor_id == mairie.pk
    mairie.refresh_from_db()
    assert mairie.contact == "M. le maire\nSecrétariat : 04 75 00 00 01"
    assert mairie.territory == third.territory and mairie.commune == "Crest"
    # The trail says which cards went into the kept one, and where each meeting went.
    trail = LogEntry.objects.get_for_object(mairie)
    assert any("Mairie Crest, Ville de Crest" in str(entry.changes) for entry in trail)
    assert LogEntry.objects.filter(content_type__model="actormet", changes__icontains="Mairie Crest").count() == 2


def test_reuniting_needs_two_cards_and_the_kept_one_among_them(client, staff, programme, mairie):
    twin = ActorFactory(programme=programme, organisation="Mairie Crest")
    other = ActorFactory(programme=programme, organisation="Crédit coopératif")
    client.force_login(staff)
    url = reverse("projects:actor_merge", args=[programme.pk])
    response = client.get(url, {"actors": [mairie.pk]})
    assert response["Location"] == reverse("projects:actor_list", args=[programme.pk])
    page = client.get(url, {"actors": [mairie.pk, twin.pk]})
    response = submit(client, page, {"actors": [str(mairie.pk)]}, field="keep")
    assert response.context["form"].errors["actors"] == ["Cochez au moins deux fiches à réunir."]
    # A card not ticked cannot be kept (a forged post).
    response = client.post(url, {"actors": [mairie.pk, twin.pk], "keep": other.pk})
    assert "parmi celles cochées" in response.context["form"].errors["keep"][0]
    # Another programme's card is not among the choices.
    foreign = ActorFactory(organisation="Mairie d'ailleurs")
    response = client.post(url, {"actors": [mairie.pk, foreign.pk], "keep": mairie.pk})
    assert response.status_code == 200 and "actors" in response.context["form"].errors
    assert Actor.objects.count() == 4


def test_a_card_number_that_is_no_plain_number_is_ignored_not_a_crash(client, staff, programme, mairie):
    # "²" and "١" pass `str.isdigit` but are no id: the form raised a ValueError on the page and on the post.
    twin = ActorFactory(programme=programme, organisation="Mairie Crest")
    client.force_login(staff)
    url = reverse("projects:actor_merge", args=[programme.pk])
    for odd in ("²", "١", "9" * 30):
        response = client.get(url, {"actors": [mairie.pk, odd]})
        assert response["Location"] == reverse("projects:actor_list", args=[programme.pk])
        response = client.post(url, {"actors": [mairie.pk, twin.pk, odd], "keep": mairie.pk})
        assert response.status_code == 200
        assert response.context["form"].errors["actors"] == [
            "Une des fiches n'est plus dans l'annuaire : recommencez depuis la liste."
        ]
        assert Actor.objects.filter(pk=twin.pk).exists()


def test_merging_at_the_service_keeps_introductions_between_the_merged_cards(programme, project):
    first, second = ActorFactory(programme=programme), ActorFactory(programme=programme)
    meeting = ActorMetFactory(project=project, actor=first, introduced_by_actor=second)
    merged = services.merge_actors(keep=first, others=[second])
    meeting.refresh_from_db()
    assert (merged.meetings_moved, merged.introductions_moved) == (0, 1)
    assert meeting.actor_id == meeting.introduced_by_actor_id == first.pk


# --- The season report ---------------------------------------------------------------------------


def test_the_season_report_shows_the_actors_projects_share_and_the_links_between_projects(
    client, staff, cohort, project, other_project, mairie
):
    third = ProjectFactory(cohort=cohort, name="Atelier vélo")
    credit = ActorFactory(programme=cohort.programme, organisation="Crédit coopératif", kind="funder")
    alone = ActorFactory(programme=cohort.programme, organisation="Menuiserie")
    for who in (project, other_project, third):
        ActorMetFactory(project=who, actor=mairie)
    ActorMetFactory(project=project, actor=mairie)  # met twice, counted once
    ActorMetFactory(project=project, actor=credit)
    ActorMetFactory(project=other_project, actor=credit)
    ActorMetFactory(project=third, actor=alone)
    report = season_report(cohort)
    assert [(a.name, a.projects) for a in report.shared_actors] == [
        ("Mairie de Crest", ["Atelier vélo", "Cantine des Collines", "Garage solidaire"]),
        ("Crédit coopératif", ["Cantine des Collines", "Garage solidaire"]),
    ]
    assert [(link.first, link.second, link.actors) for link in report.project_links] == [
        ("Cantine des Collines", "Garage solidaire", ["Crédit coopératif", "Mairie de Crest"]),
        ("Atelier vélo", "Cantine des Collines", ["Mairie de Crest"]),
        ("Atelier vélo", "Garage solidaire", ["Mairie de Crest"]),
    ]
    client.force_login(staff)
    body = text(client.get(reverse("reports:season_report", args=[cohort.pk])))
    assert "Les acteurs que plusieurs projets ont rencontrés" in body
    assert "Crédit coopératif, Mairie de Crest" in body


def test_staff_are_offered_the_cards_that_look_alike(client, staff, coach, programme, mairie):
    lookalike = ActorFactory(programme=programme, organisation="Mairie de Crest (services techniques)")
    typo = ActorFactory(programme=programme, organisation="Mairie de Cerst")
    ActorFactory(programme=programme, organisation="Crédit coopératif")
    ActorFactory(organisation="Mairie de Crest")  # another programme's
    assert services.possible_duplicates(mairie) == [lookalike, typo]
    client.force_login(staff)
    body = text(client.get(reverse("projects:actor_detail", args=[mairie.pk])))
    merge = reverse("projects:actor_merge", args=[programme.pk])
    assert f"{merge}?actors={mairie.pk}&amp;actors={lookalike.pk}" in body
    page = client.get(merge, {"actors": [mairie.pk, lookalike.pk]})
    assert [actor.pk for actor in page.context["form"].fields["actors"].queryset] == [mairie.pk, lookalike.pk]
    client.force_login(coach)
    assert merge not in text(client.get(reverse("projects:actor_detail", args=[mairie.pk])))

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import Client

from cohorts.models import Cohort, Programme
from incubator.models import PartnerStructure, Territory, User
from projects.models import (
    Actor,
    ActorMet,
    Candidacy,
    CandidacyMember,
    CoachAssignment,
    CoachingSession,
    Message,
    Milestone,
    NextStep,
    Outcome,
    Project,
    ProjectMember,
    Review,
    ReviewScore,
    StaffNote,
    StatusChange,
    Thread,
)
from projects.services import candidacy_figures, possible_duplicates
from reports.figures import season_report
from tests.forms import submit

pytestmark = pytest.mark.django_db

MODELS = (
    PartnerStructure,
    Territory,
    Programme,
    Cohort,
    User,
    Candidacy,
    CandidacyMember,
    StatusChange,
    Review,
    ReviewScore,
    Project,
    ProjectMember,
    CoachAssignment,
    CoachingSession,
    NextStep,
    Milestone,
    Outcome,
    ActorMet,
    Thread,
    Message,
)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _seed():
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    _seed()


def test_seed_demo_loads_the_partnership_and_adds_nothing_the_second_time(seeded):
    first = _counts()
    _seed()
    assert _counts() == first
    assert first["Candidacy"] > 0 and first["Project"] > 0 and first["Review"] > 0

    assert {s.kind for s in PartnerStructure.objects.all()} >= {"cae", "incubator", "union"}
    assert set(Territory.objects.values_list("department_code", flat=True)) == {"26", "07"}
    assert Cohort.objects.current().count() == 1
    assert Cohort.objects.filter(end_date__lt=Cohort.objects.current().get().start_date).exists()
    assert all(c.duration_months == 15 for c in Cohort.objects.filter(season_import__isnull=True))
    coaches = User.objects.filter(role=User.Role.COACH)
    assert coaches.count() == 2 and coaches.values("partner_structure").distinct().count() == 2
    assert User.objects.filter(role=User.Role.STAFF).exists()
    assert User.objects.filter(is_superuser=True).exists()


def test_seed_demo_run_again_months_later_reuses_the_seasons(seeded):
    first = _counts()
    seasons = list(Cohort.objects.order_by("start_date").values_list("pk", "name", "start_date"))

    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=200)
    with time_machine.travel(later, tick=False):
        _seed()

    assert list(Cohort.objects.order_by("start_date").values_list("pk", "name", "start_date")) == seasons
    assert _counts() == first


def test_seed_demo_uses_the_seasons_a_programme_already_has(settings, programme):
    settings.DEBUG = True
    Programme.objects.filter(pk=programme.pk).update(name="Accompagnement partagé Drôme-Ardèche")
    for year in (2023, 2025):
        Cohort.objects.create(
            programme=programme,
            name=f"Saison {year}",
            start_date=datetime.date(year, 1, 1),
            call_opens_on=datetime.date(year - 1, 9, 1),
            call_closes_on=datetime.date(year - 1, 11, 30),
        )

    _seed()

    assert list(programme.cohorts.order_by("start_date").values_list("name", flat=True)) == [
        "Saison 2023",
        "Saison 2025",
    ]
    candidacies = Candidacy.objects.filter(cohort__programme=programme).select_related("cohort")
    assert {c.cohort.name for c in candidacies} == {"Saison 2023", "Saison 2025"}


def test_seed_demo_has_every_candidacy_status_in_the_past_and_the_current_season(seeded):
    current = Cohort.objects.current().get()
    past = Cohort.objects.filter(end_date__lt=current.start_date).order_by("-start_date").first()
    for season in (past, current):
        statuses = set(season.candidacies.values_list("status", flat=True))
        assert statuses == set(Candidacy.Status.values), season.name


def test_seed_demo_accepts_through_the_acceptance_service(seeded):
    current = Cohort.objects.current().get()
    past = (
        Cohort.objects.filter(end_date__lt=current.start_date, season_import__isnull=True)
        .order_by("-start_date")
        .first()
    )
    assert past.projects.count() == past.places == 6
    assert current.projects.count() == current.places == 6
    # The earlier season, followed after its end, shows its projects as recorded then, without their candidacies;
    # so do the seasons brought in from a file, which came before the site.
    earlier = (
        Cohort.objects.filter(programme__name="Accompagnement partagé Drôme-Ardèche", season_import__isnull=True)
        .order_by("start_date")
        .first()
    )
    without = Project.objects.filter(candidacy__isnull=True, cohort__season_import__isnull=True)
    assert set(without.values_list("cohort", flat=True)) == {earlier.pk}
    for project in Project.objects.filter(candidacy__isnull=False).select_related("candidacy"):
        assert project.candidacy.status == Candidacy.Status.ACCEPTED
        assert project.name == project.candidacy.project_name
        assert project.members.count() == project.candidacy.members.count() >= 2
        assert list(project.candidacy.history.values_list("to_status", flat=True)) == [
            "submitted",
            "under_review",
            "shortlisted",
            "accepted",
        ]
    # Every sent candidacy has a reference and a submission date within its season's call.
    for candidacy in Candidacy.objects.received().select_related("cohort"):
        assert candidacy.reference
        assert candidacy.cohort.call_opens_on <= candidacy.submitted_at.date() <= candidacy.cohort.call_closes_on
    # Both staff review, and so does the coach given the reviewer role.
    assert Review.objects.values("reviewer").distinct().count() == 3
    assert set(Review.objects.values_list("reviewer__role", flat=True)) == {User.Role.STAFF, User.Role.COACH}


def test_seed_demo_gives_each_demo_coach_three_coached_projects_in_the_current_season(seeded):
    current = Cohort.objects.current().get()
    today = datetime.date.today()
    for coach in User.objects.filter(role=User.Role.COACH):
        projects = Project.objects.filter(
            cohort=current, assignments__coach=coach, assignments__ended_on__isnull=True, assignments__role="lead"
        )
        assert projects.count() == 3, coach.email
        for project in projects:
            meetings = project.meetings.all()
            assert meetings.count() >= 3
            assert all(meeting.date <= today and meeting.coach == coach for meeting in meetings)
            assert len({topic for meeting in meetings for topic in meeting.topics}) >= 4
            assert project.milestones.filter(done_on__isnull=False).exists()
            assert project.milestones.filter(done_on__isnull=True).exists()
            assert project.actors_met.exists()
    steps = NextStep.objects.filter(project__cohort=current)
    assert steps.filter(done_at__isnull=False).exists()
    assert steps.overdue(today).exists()
    assert steps.open().filter(due_on__gte=today).exists()
    assert not Outcome.objects.filter(project__cohort=current).exists()


def test_seed_demo_gives_the_past_seasons_projects_their_outcome_and_ended_coaching(seeded):
    current = Cohort.objects.current().get()
    past = (
        Cohort.objects.filter(end_date__lt=current.start_date, season_import__isnull=True)
        .order_by("-start_date")
        .first()
    )
    assert Outcome.objects.filter(project__cohort=past).count() == past.projects.count() == 6
    assert {o.status for o in Outcome.objects.all()} == set(Outcome.Status.values)
    assignments = CoachAssignment.objects.filter(cohort=past)
    assert assignments.count() == 6 and not assignments.active().exists()
    assert CoachingSession.objects.filter(project__cohort=past).exists()
    assert ActorMet.objects.filter(project__cohort=past).exists()


DEMO_LOGINS = [
    ("coordination@demo.incubateur.example", "/saisons/"),
    ("coach.alterincub@demo.incubateur.example", "/projets/mes-projets/"),
    ("formatrice@demo.incubateur.example", "/journees/mes-journees/"),
    ("equipe@demo.incubateur.example", "/saisons/"),
    ("coach.prisme@demo.incubateur.example", "/projets/mes-projets/"),
    ("admin@demo.incubateur.example", "/saisons/"),
]


def test_seed_demo_prints_one_login_per_role_and_each_one_works(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert "demo-incubateur" in printed

    for email, lands_on in DEMO_LOGINS:
        assert email in printed
        client = Client()
        page = client.get("/compte/connexion/")
        typed = {"username": email, "password": "demo-incubateur"}
        response = submit(client, page, typed, field="username", follow=True)
        assert response.status_code == 200, email
        assert response.redirect_chain[-1][0] == lands_on, email


def test_seed_demo_refuses_to_create_known_passwords_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_has_a_coach_who_reviews_and_steps_aside_once(seeded):
    coach = User.objects.get(email="coach.prisme@demo.incubateur.example")
    assert coach.is_coach and coach.is_reviewer
    reviews = Review.objects.filter(reviewer=coach)
    assert reviews.filter(conflict_of_interest=False).exists()
    conflicted = reviews.get(conflict_of_interest=True)
    assert not conflicted.scores.exists() and conflicted.conflict_note


def test_seed_demo_candidacies_grow_season_after_season(seeded):
    programme = Cohort.objects.filter(programme__name="Accompagnement partagé Drôme-Ardèche")  # one programme's
    seasons = [cohort for cohort in programme.order_by("start_date") if cohort.call_closes_on < datetime.date.today()]
    # The seasons brought in from a file count too: the programme grows since its first season.
    received = candidacy_figures(seasons).received
    assert len(received) >= 4
    assert received == sorted(received) and len(set(received)) == len(received), received


def test_seed_demo_ends_every_assignment_of_a_season_that_is_over_at_its_end(seeded):
    seasons = Cohort.objects.filter(season_import__isnull=True)  # those brought in from a file had no coaching here
    over = [cohort for cohort in seasons if cohort.end_date < datetime.date.today()]
    assert over
    for cohort in over:
        assignments = list(CoachAssignment.objects.filter(cohort=cohort))
        assert assignments
        assert {assignment.ended_on for assignment in assignments} == {cohort.end_date}


def test_seed_demo_prints_the_links_of_people_without_an_account(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    for path in ("/projets/candidater/brouillon/", "/projets/candidature/", "/journees/membre/", "/projets/suivi/"):
        link = next(line.split()[-1] for line in printed.splitlines() if path in line)
        assert Client().get(link).status_code == 200, link


def test_seed_demo_has_survey_answers_and_attestations_for_past_days(seeded):
    from trainings import services as trainings_services
    from trainings.models import Survey

    answered = Survey.objects.filter(answered_at__isnull=False)
    assert answered.exists()
    assert answered.exclude(comment="").exists()
    cohort = answered.first().session.cohort
    assert trainings_services.season_attestations(cohort)
    assert (
        trainings_services.season_satisfaction(cohort, with_comments=False).total.answered
        == answered.filter(session__cohort=cohort).count()
    )


def test_seed_demo_has_a_short_conversation_on_a_candidacy_and_on_a_project(seeded):
    on_candidacy = Thread.objects.filter(candidacy__status=Candidacy.Status.UNDER_REVIEW).get()
    kinds = list(on_candidacy.messages.values_list("author_kind", flat=True))
    assert kinds == [Message.Author.STAFF, Message.Author.APPLICANT, Message.Author.STAFF]
    on_project = Thread.objects.filter(project__isnull=False).first()
    assert on_project.messages.filter(author_kind=Message.Author.MEMBER, author_member__isnull=False).exists()
    # The demo's answers are not news: the team's notification has nothing to send for them.
    assert not Message.objects.exclude(author_kind=Message.Author.STAFF).filter(notified_at__isnull=True).exists()


def test_seed_demo_shows_two_programmes_sharing_a_structure_and_the_resources_committed(seeded):
    incubator = PartnerStructure.objects.get(kind=PartnerStructure.Kind.INCUBATOR)
    assert incubator.programmes.count() == 2
    mountain = Cohort.objects.get(programme__name="Montagne ardéchoise coopérative")
    assert mountain.end_date < datetime.date.today() and mountain.projects.count() == 3
    assert CoachingSession.objects.filter(project__cohort=mountain).exists()
    current = Cohort.objects.current().get()
    assert set(current.commitments.values_list("partner_structure__kind", flat=True)) == {"cae", "incubator", "union"}
    assert mountain.commitments.count() == 2

    client = Client()
    client.force_login(User.objects.get(email="coordination@demo.incubateur.example"))
    page = client.get("/saisons/reseau/").content.decode()
    assert "Accompagnement partagé Drôme-Ardèche" in page and "Montagne ardéchoise coopérative" in page


def test_seed_demo_has_one_past_mailing_with_its_results_and_sends_it_once(seeded):
    from outbox.models import OutgoingMail
    from trainings import services as trainings_services
    from trainings.models import Mailing

    _seed()
    mailing = trainings_services.with_results(Mailing.objects.all()).get()
    assert mailing.audience == Mailing.Audience.DAY_PRESENT and mailing.session is not None
    assert mailing.total > 1 and mailing.failed == 1 and mailing.sent == mailing.total - 1
    body = OutgoingMail.objects.filter(mailing_recipient__mailing=mailing).first().body
    assert "{" not in body and "/membre/" in body


def test_seed_demo_shares_the_current_seasons_report_with_a_funder_and_prints_no_link(settings):
    import html

    from reports.models import ReportShare
    from reports.sharing import share_url
    from trainings.models import Survey

    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    shares = ReportShare.objects.filter(cohort=Cohort.objects.current().get())
    active, revoked = shares.filter(revoked_at__isnull=True).get(), shares.filter(revoked_at__isnull=False).get()
    assert active.visits.exists()
    assert "/saisons/rapport-partage/" not in out.getvalue()
    assert active.key not in out.getvalue() and revoked.key not in out.getvalue()
    page = Client().get(share_url(active))
    assert page.status_code == 200
    comments = Survey.objects.filter(session__cohort=active.cohort).exclude(comment="")
    assert comments.exists()
    text = html.unescape(page.content.decode())
    assert not any(comment in text for comment in comments.values_list("comment", flat=True))
    assert Client().get(share_url(revoked)).status_code == 404
    call_command("seed_demo", stdout=io.StringIO())
    assert ReportShare.objects.count() == 2


def test_seed_demo_shows_a_pair_on_one_project_and_two_staff_notes(seeded):
    (second,) = CoachAssignment.objects.active().seconds().select_related("project", "coach")
    lead = second.project.assignments.active().leads().get()
    assert lead.coach.partner_structure != second.coach.partner_structure  # one coach of each structure
    shared = second.project.meetings.filter(participants=second.coach).filter(participants=lead.coach)
    assert shared.count() == 1
    notes = StaffNote.objects.all()
    assert notes.count() == 2
    assert {note.project_id or note.candidacy.project.pk for note in notes} == {second.project_id}


def test_seed_demo_has_a_season_followed_6_and_12_months_after_its_end(seeded):
    from projects import services as project_services
    from projects.models import FollowUp

    earlier = (
        Cohort.objects.filter(programme__name="Accompagnement partagé Drôme-Ardèche", season_import__isnull=True)
        .order_by("start_date")
        .first()
    )
    rows = FollowUp.objects.filter(project__cohort=earlier)
    assert set(rows.values_list("months", flat=True)) == {6, 12}
    assert rows.filter(months=6, answered_at__isnull=False).count() == earlier.projects.count() == 3
    waiting = rows.filter(answered_at__isnull=True)
    assert waiting.count() == 1 and waiting.get().reminded_at is not None
    lines = project_services.season_follow_up(earlier, projects=3)
    assert [(line.asked, line.answered) for line in lines[1:3]] == [(3, 3), (3, 2)]
    assert lines[2].jobs > lines[0].jobs  # more jobs a year on than at the season's end


def test_seed_demo_brings_in_two_past_seasons_that_the_growth_chart_covers(seeded):
    imported = Cohort.objects.filter(season_import__isnull=False).order_by("start_date")
    assert imported.count() == 2
    assert all(season.imported_candidacy_counts.exists() and season.projects.exists() for season in imported)
    current = Cohort.objects.current().get()
    report = season_report(current)
    assert report.seasons[-2:] == list(reversed(imported))
    received = dict(zip(report.seasons, report.candidacies.received, strict=True))
    assert received[imported[0]] == 7 and received[imported[1]] == 11


def test_seed_demo_fills_the_directory_with_actors_several_projects_met(seeded):
    current = Cohort.objects.current().get()
    shared = Actor.objects.annotate(
        n=Count("meetings__project", filter=Q(meetings__project__cohort=current), distinct=True)
    ).filter(n__gte=2)
    assert shared.exists()
    assert ActorMet.objects.filter(introduced_by_actor__isnull=False).exists()
    assert ActorMet.objects.filter(introduced_by_project__isnull=False).exists()
    assert any(possible_duplicates(actor) for actor in Actor.objects.all())

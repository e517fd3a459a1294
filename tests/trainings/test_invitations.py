"""Every member of every project of the season is invited to each day still to come, exactly once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from outbox.models import OutgoingMail
from projects import services as project_services
from projects.models import Candidacy
from tests.factories import (
    AttendanceFactory,
    CandidacyFactory,
    CandidacyMemberFactory,
    CohortFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TrainingSessionFactory,
    VenueFactory,
)
from trainings import services
from trainings.models import Attendance, TrainingSession

pytestmark = pytest.mark.django_db

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
TUESDAY = 1
INVITED, CONFIRMED, DECLINED = Attendance.Response.INVITED, Attendance.Response.CONFIRMED, Attendance.Response.DECLINED


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=PARIS), tick=False)


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, start_date=D(2026, 9, 1))


@pytest.fixture
def teams(cohort):
    """Two projects of the season, five people in all."""
    first, second = ProjectFactory(cohort=cohort), ProjectFactory(cohort=cohort)
    return [ProjectMemberFactory(project=first) for _ in range(3)] + [
        ProjectMemberFactory(project=second) for _ in range(2)
    ]


def invitations(member):
    return set(Attendance.objects.filter(member=member).values_list("session__date", flat=True))


def test_generating_the_calendar_invites_every_member_of_the_season_to_every_day(cohort, teams):
    with on(D(2026, 8, 20)):
        services.generate_calendar(
            cohort=cohort, weekday=TUESDAY, nth=2, venues=[VenueFactory()], title="Journée", dry_run=False
        )
    assert Attendance.objects.count() == 5 * 14
    assert set(Attendance.objects.values_list("response", flat=True)) == {INVITED}
    for member in teams:
        assert len(invitations(member)) == 14


def test_members_of_another_season_are_not_invited(cohort, teams, programme):
    outsider = ProjectMemberFactory(project=ProjectFactory(cohort=CohortFactory(programme=programme)))
    session = TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13))
    with on(D(2026, 8, 20)):
        services.invite_members(sessions=[session])
    assert Attendance.objects.filter(session=session).count() == 5
    assert not invitations(outsider)


def test_past_and_cancelled_days_get_no_invitations(cohort, teams):
    past = TrainingSessionFactory(cohort=cohort, date=D(2026, 9, 8))
    cancelled = TrainingSessionFactory(cohort=cohort, date=D(2026, 11, 10), status=TrainingSession.Status.CANCELLED)
    today = TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13))
    with on(D(2026, 10, 13)):
        added = services.invite_members(sessions=[past, cancelled, today])
    assert added == 5
    assert set(Attendance.objects.values_list("session", flat=True)) == {today.pk}


def test_a_project_accepted_mid_season_is_invited_to_the_remaining_days_only(cohort, teams, staff):
    sessions = [TrainingSessionFactory(cohort=cohort, date=day) for day in (D(2026, 9, 8), D(2026, 10, 13))]
    sessions.append(TrainingSessionFactory(cohort=cohort, date=D(2026, 11, 10)))
    with on(D(2026, 8, 20)):
        services.invite_members(sessions=sessions)
    candidacy = CandidacyFactory(cohort=cohort, status=Candidacy.Status.SHORTLISTED)
    CandidacyMemberFactory(candidacy=candidacy, name="Léa Martin")
    CandidacyMemberFactory(candidacy=candidacy, name="Karim Haddad")

    with on(D(2026, 10, 1)):
        project_services.change_status(
            candidacy=candidacy, to_status=Candidacy.Status.ACCEPTED, by=staff, confirm_over_capacity=True
        )

    newcomers = list(candidacy.project.members.all())
    assert [m.name for m in newcomers] == ["Léa Martin", "Karim Haddad"]
    for member in newcomers:
        assert invitations(member) == {D(2026, 10, 13), D(2026, 11, 10)}
    # The members already there keep their invitations, nothing doubled.
    assert Attendance.objects.filter(member__in=teams).count() == 5 * 3


def test_a_project_accepted_before_any_day_is_planned_gets_its_invitations_with_the_calendar(cohort, staff):
    candidacy = CandidacyFactory(cohort=cohort, status=Candidacy.Status.SHORTLISTED)
    CandidacyMemberFactory(candidacy=candidacy)
    with on(D(2026, 7, 1)):
        project_services.change_status(candidacy=candidacy, to_status=Candidacy.Status.ACCEPTED, by=staff)
        assert not Attendance.objects.exists()
        services.generate_calendar(
            cohort=cohort, weekday=TUESDAY, nth=2, venues=[VenueFactory()], title="Journée", dry_run=False
        )
    assert Attendance.objects.filter(member__project__candidacy=candidacy).count() == 14


def test_inviting_again_adds_nothing_and_keeps_answers(cohort, teams):
    session = TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13))
    with on(D(2026, 8, 20)):
        assert services.invite_members(sessions=[session]) == 5
        services.answer(attendance=Attendance.objects.get(member=teams[0]), response=DECLINED)
        assert services.invite_members(sessions=[session]) == 0
        assert services.invite_members(members=teams) == 0
    assert Attendance.objects.count() == 5
    assert Attendance.objects.get(member=teams[0]).response == DECLINED


def test_a_new_member_is_invited_to_the_days_still_to_come(cohort, teams):
    past = TrainingSessionFactory(cohort=cohort, date=D(2026, 9, 8))
    coming = TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13))
    newcomer = ProjectMemberFactory(project=teams[0].project)
    with on(D(2026, 9, 20)):
        assert services.invite_members(members=[newcomer]) == 1
    assert invitations(newcomer) == {coming.date}
    assert not Attendance.objects.filter(session=past).exists()


def test_answering_records_the_answer_and_its_time(cohort, teams):
    attendance = AttendanceFactory(session=TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13)), member=teams[0])
    with on(D(2026, 10, 1)):
        services.answer(attendance=attendance, response=CONFIRMED)
    attendance.refresh_from_db()
    assert attendance.response == CONFIRMED
    assert attendance.responded_at == datetime.datetime(2026, 10, 1, 10, tzinfo=PARIS)
    with on(D(2026, 10, 2)):
        services.answer(attendance=attendance, response=DECLINED)  # people change their minds
    attendance.refresh_from_db()
    assert attendance.response == DECLINED


@pytest.mark.parametrize(
    ("today", "status"),
    [(D(2026, 10, 14), TrainingSession.Status.PLANNED), (D(2026, 10, 1), TrainingSession.Status.CANCELLED)],
)
def test_a_past_or_cancelled_day_takes_no_answer(cohort, teams, today, status):
    session = TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13), status=status)
    attendance = AttendanceFactory(session=session, member=teams[0])
    with on(today), pytest.raises(services.AnswerClosed):
        services.answer(attendance=attendance, response=CONFIRMED)
    attendance.refresh_from_db()
    assert (attendance.response, attendance.responded_at) == (INVITED, None)


def test_an_answer_must_be_yes_or_no(cohort, teams):
    attendance = AttendanceFactory(session=TrainingSessionFactory(cohort=cohort, date=D(2026, 10, 13)), member=teams[0])
    with on(D(2026, 10, 1)), pytest.raises(ValueError):
        services.answer(attendance=attendance, response=INVITED)


def test_each_new_invitee_gets_one_email_with_their_links(db, django_capture_on_commit_callbacks):
    import datetime

    from django.core import mail

    from projects.models import ProjectMember
    from tests.factories import CohortFactory, ProjectFactory, ProjectMemberFactory, TrainingSessionFactory
    from trainings import tokens
    from trainings.services import invite_members

    today = datetime.date.today()
    cohort = CohortFactory(start_date=today.replace(day=1))
    project = ProjectFactory(cohort=cohort, name="La Recyclerie")
    lea = ProjectMemberFactory(project=project, name="Léa", email="lea@exemple.fr")
    ProjectMemberFactory(project=project, name="Sans adresse", email="")
    for days in (10, 40):
        TrainingSessionFactory(cohort=cohort, date=today + datetime.timedelta(days=days))
    with django_capture_on_commit_callbacks(execute=True):
        invite_members(members=ProjectMember.objects.filter(project=project))
    [message] = mail.outbox
    assert message.to == ["lea@exemple.fr"]
    assert "Invitation aux journées collectives" in message.subject
    assert tokens.member_page_url(lea) in message.body
    assert tokens.calendar_feed_url(lea) in message.body
    assert "Ajouter toutes les journées à mon agenda" in message.body and "abonne" not in message.body
    assert OutgoingMail.objects.get().programme == cohort.programme
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invite_members(members=ProjectMember.objects.filter(project=project))
    assert mail.outbox == []  # nobody is invited twice

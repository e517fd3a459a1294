"""Coaching: assigning coaches within the season's cap, and what coaches record."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cohorts.models import season_end_date
from incubator import audit

from ..models import CoachAssignment, CoachingSession, Milestone, MilestoneTemplate, NextStep, Project

DEFAULT_MILESTONES = [
    # (name, target month within the season)
    ("Besoin validé auprès du territoire", 3),
    ("Modèle économique construit", 6),
    ("Forme juridique choisie", 9),
    ("Plan de financement bouclé", 11),
    ("Premiers clients ou usagers", 13),
    ("Lancement de l'activité", 15),
]


class CoachAtCapacity(Exception):
    """The coach already follows the season's maximum number of projects."""

    def __init__(self, coach, cohort):
        super().__init__(f"{coach} already follows {cohort.max_projects_per_coach} projects in {cohort}")
        self.coach, self.cohort = coach, cohort


class NotACoach(Exception):
    pass


class SameCoachTwice(Exception):
    """The pair is two people: the lead coach cannot also be the project's second."""


Role = CoachAssignment.Role


def counted_load(*, coach, cohort) -> int:
    """Projects counted against the coach's cap in the season: those they lead, and those they follow in second
    when the programme says second roles count too."""
    assignments = CoachAssignment.objects.active().filter(coach=coach, cohort=cohort)
    if not cohort.programme.second_coach_counts_in_cap:
        assignments = assignments.leads()
    return assignments.count()


@transaction.atomic
def assign_coach(
    *, project: Project, coach, role: str = Role.LEAD, by=None, on: datetime.date | None = None
) -> CoachAssignment:
    """Give the project to `coach` as its lead coach (or as its second), ending the assignment of whoever held
    that role. A project's second coach made its lead leaves the second role empty.

    The cap holds under concurrency: the coach's row is locked first, so two staff assigning the same
    coach at once are served one after the other, and the second sees the first's assignment. The project's row
    is locked next, so two staff changing the same project's pair are served in turn too.
    """
    on = on or timezone.localdate()
    coach = get_user_model().objects.select_for_update().get(pk=coach.pk)
    if not coach.is_coach:
        raise NotACoach
    project = Project.objects.select_for_update(of=("self",)).select_related("cohort__programme").get(pk=project.pk)
    active = {assignment.role: assignment for assignment in project.assignments.active()}
    current = active.get(role)
    if current and current.coach_id == coach.pk:
        return current
    other = active.get(Role.SECOND if role == Role.LEAD else Role.LEAD)
    promoted = other is not None and other.coach_id == coach.pk
    if promoted and role == Role.SECOND:
        raise SameCoachTwice
    cohort = project.cohort
    # A second promoted to lead: their second role stops counting as it becomes a lead one.
    already_counted = promoted and cohort.programme.second_coach_counts_in_cap
    counts = role == Role.LEAD or cohort.programme.second_coach_counts_in_cap
    if counts and not already_counted and counted_load(coach=coach, cohort=cohort) >= cohort.max_projects_per_coach:
        raise CoachAtCapacity(coach, cohort)
    for ended in (current, other if promoted else None):
        if ended:
            ended.ended_on = max(on, ended.started_on)
            ended.save(update_fields=["ended_on"])
    return CoachAssignment.objects.create(
        project=project, coach=coach, cohort=cohort, role=role, started_on=on, assigned_by=by
    )


@transaction.atomic
def end_assignment(*, assignment: CoachAssignment, on: datetime.date | None = None) -> CoachAssignment:
    assignment.ended_on = max(on or timezone.localdate(), assignment.started_on)
    assignment.save(update_fields=["ended_on"])
    return assignment


def create_default_milestones(*, project: Project) -> list[Milestone]:
    """Copy the programme's default milestones (or the built-in list) to a new project."""
    cohort = project.cohort
    templates = list(MilestoneTemplate.objects.filter(programme_id=cohort.programme_id))
    rows = [(t.name, t.target_month) for t in templates] or DEFAULT_MILESTONES
    milestones = Milestone.objects.bulk_create(
        Milestone(project=project, name=name, order=index, target_on=_month_in_season(cohort, month))
        for index, (name, month) in enumerate(rows)
    )
    audit.record_created(milestones)
    return milestones


def _month_in_season(cohort, month: int | None) -> datetime.date | None:
    return season_end_date(cohort.start_date, month) if month else None


def meeting_participants(*, coach, participants=None) -> tuple:
    """(the meeting's coach, who took part): the coach always takes part; when the people ticked leave the coach
    out, the first of them becomes the meeting's coach (staff logging a meeting the second coach held alone)."""
    participants = list(participants or [])
    if participants and coach not in participants:
        coach = participants[0]
    return coach, participants or [coach]


@transaction.atomic
def log_meeting(
    *, project: Project, coach, participants=None, next_steps: list[dict] = (), **fields
) -> CoachingSession:
    coach, participants = meeting_participants(coach=coach, participants=participants)
    meeting = CoachingSession.objects.create(project=project, coach=coach, **fields)
    meeting.participants.set(participants)
    NextStep.objects.bulk_create(NextStep(project=project, meeting=meeting, **step) for step in next_steps)
    return meeting


def tick_next_step(*, step: NextStep, done: bool = True) -> NextStep:
    step.done_at = timezone.now() if done else None
    step.save(update_fields=["done_at"])
    return step

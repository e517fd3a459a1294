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


@transaction.atomic
def assign_coach(*, project: Project, coach, by=None, on: datetime.date | None = None) -> CoachAssignment:
    """Give the project to `coach`, ending its current assignment if another coach had it.

    The cap holds under concurrency: the coach's row is locked first, so two staff assigning the same
    coach at once are served one after the other, and the second sees the first's assignment.
    """
    on = on or timezone.localdate()
    coach = get_user_model().objects.select_for_update().get(pk=coach.pk)
    if not coach.is_coach:
        raise NotACoach
    project = Project.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=project.pk)
    current = project.assignments.active().first()
    if current and current.coach_id == coach.pk:
        return current
    cohort = project.cohort
    load = CoachAssignment.objects.active().filter(coach=coach, cohort=cohort).count()
    if load >= cohort.max_projects_per_coach:
        raise CoachAtCapacity(coach, cohort)
    if current:
        current.ended_on = max(on, current.started_on)
        current.save(update_fields=["ended_on"])
    return CoachAssignment.objects.create(project=project, coach=coach, cohort=cohort, started_on=on, assigned_by=by)


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


@transaction.atomic
def log_meeting(*, project: Project, coach, next_steps: list[dict] = (), **fields) -> CoachingSession:
    meeting = CoachingSession.objects.create(project=project, coach=coach, **fields)
    NextStep.objects.bulk_create(NextStep(project=project, meeting=meeting, **step) for step in next_steps)
    return meeting


def tick_next_step(*, step: NextStep, done: bool = True) -> NextStep:
    step.done_at = timezone.now() if done else None
    step.save(update_fields=["done_at"])
    return step

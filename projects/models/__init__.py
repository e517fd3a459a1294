"""Candidacies, their review, and the projects they become."""

from .actors import Actor, ActorMet, actor_key
from .candidacy import Attachment, Candidacy, CandidacyMember, DecisionMessage, Sector, StatusChange
from .coaching import (
    CoachAssignment,
    CoachingSession,
    MeetingFormat,
    Milestone,
    MilestoneTemplate,
    NextStep,
    Outcome,
    Topic,
)
from .imports import ImportedCandidacyCount, SeasonImport
from .project import Project, ProjectMember
from .review import Criterion, Review, ReviewScore

__all__ = [
    "Actor",
    "ActorMet",
    "actor_key",
    "CoachAssignment",
    "CoachingSession",
    "MeetingFormat",
    "Milestone",
    "MilestoneTemplate",
    "NextStep",
    "Outcome",
    "Topic",
    "Attachment",
    "Candidacy",
    "CandidacyMember",
    "Criterion",
    "DecisionMessage",
    "ImportedCandidacyCount",
    "SeasonImport",
    "Project",
    "ProjectMember",
    "Review",
    "ReviewScore",
    "Sector",
    "StatusChange",
]

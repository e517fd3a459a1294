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
from .conversation import Message, Thread
from .follow_up import FollowUp
from .imports import ImportedCandidacyCount, SeasonImport
from .notes import StaffNote
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
    "Message",
    "DecisionMessage",
    "FollowUp",
    "ImportedCandidacyCount",
    "SeasonImport",
    "Project",
    "ProjectMember",
    "Review",
    "ReviewScore",
    "Sector",
    "StaffNote",
    "StatusChange",
    "Thread",
]

"""Candidacies, their review, and the projects they become."""

from .candidacy import Attachment, Candidacy, CandidacyMember, DecisionMessage, Sector, StatusChange
from .coaching import (
    ActorMet,
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
from .notes import StaffNote
from .project import Project, ProjectMember
from .review import Criterion, Review, ReviewScore

__all__ = [
    "ActorMet",
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
    "Project",
    "ProjectMember",
    "Review",
    "ReviewScore",
    "Sector",
    "StaffNote",
    "StatusChange",
    "Thread",
]

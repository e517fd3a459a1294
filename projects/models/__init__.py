"""Candidacies, their review, and the projects they become."""

from .candidacy import Attachment, Candidacy, CandidacyMember, DecisionMessage, Sector, StatusChange
from .project import Project, ProjectMember
from .review import Criterion, Review, ReviewScore

__all__ = [
    "Attachment",
    "Candidacy",
    "CandidacyMember",
    "Criterion",
    "DecisionMessage",
    "Project",
    "ProjectMember",
    "Review",
    "ReviewScore",
    "Sector",
    "StatusChange",
]

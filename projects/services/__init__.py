from .candidacies import (
    CallClosed,
    PlacesFull,
    TransitionNotAllowed,
    change_status,
    decision_message,
    save_draft,
    submit_candidacy,
    withdraw_candidacy,
)

__all__ = [
    "CallClosed",
    "PlacesFull",
    "TransitionNotAllowed",
    "change_status",
    "decision_message",
    "save_draft",
    "submit_candidacy",
    "withdraw_candidacy",
]
from .reviews import (  # noqa: E402
    ConflictOfInterest,
    ReviewClosed,
    candidacies_for_review,
    criterion_averages,
    decision_texts,
    declare_conflict,
    review_panel,
    save_decision_messages,
    save_review,
)
from .statistics import candidacy_figures, status_counts  # noqa: E402

__all__ += [
    "ConflictOfInterest",
    "ReviewClosed",
    "candidacies_for_review",
    "candidacy_figures",
    "criterion_averages",
    "decision_texts",
    "declare_conflict",
    "review_panel",
    "save_decision_messages",
    "save_review",
    "status_counts",
]
from .personal_data import (  # noqa: E402
    Erasure,
    anonymise_candidacy,
    anonymise_expired_candidacies,
    candidacies_of,
    erase_personal_data,
    erasure_outcome,
    expired_candidacies,
    export_personal_data,
    project_memberships_of,
)

__all__ += [
    "Erasure",
    "anonymise_candidacy",
    "anonymise_expired_candidacies",
    "candidacies_of",
    "erase_personal_data",
    "erasure_outcome",
    "expired_candidacies",
    "export_personal_data",
    "project_memberships_of",
]

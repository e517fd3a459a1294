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

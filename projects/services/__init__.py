"""The projects app's business rules, one module per topic. Callers import them from here."""

from .actors import Merged, merge_actors, possible_duplicates, record_actor_met
from .applications import Outcome as ApplicationOutcome
from .applications import Received, receive_application
from .candidacies import (
    CallClosed,
    ConflictOfInterest,
    PlacesFull,
    TransitionNotAllowed,
    change_status,
    decision_message,
    has_conflict,
    save_draft,
    submit_candidacy,
    withdraw_candidacy,
)
from .coaching import (
    CoachAtCapacity,
    NotACoach,
    assign_coach,
    create_default_milestones,
    end_assignment,
    log_meeting,
    tick_next_step,
)
from .personal_data import (
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
from .reviews import (
    ReviewClosed,
    candidacies_for_review,
    criterion_averages,
    decision_texts,
    declare_conflict,
    review_panel,
    save_decision_messages,
    save_review,
)
from .season_import import Imported, ImportFileError, ImportPlan, import_seasons, plan_import, read_rows
from .statistics import candidacy_figures, status_counts
from .workspace import (
    NO_MEETING_ALERT_DAYS,
    Alert,
    CoachingTotals,
    CoachShare,
    ProjectCoaches,
    ProjectProgress,
    SeasonCoachingTotals,
    attendance_rates,
    coach_projects,
    coach_seasons,
    coaching_totals,
    meeting_coach,
    progress,
    project_progress,
    season_coaching_totals,
    season_project_coaches,
    update_meeting,
    with_progress,
)

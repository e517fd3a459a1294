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
    SameCoachTwice,
    assign_coach,
    counted_load,
    create_default_milestones,
    end_assignment,
    log_meeting,
    meeting_participants,
    tick_next_step,
)
from .conversations import (
    Answer,
    Answered,
    Conversation,
    ConversationClosed,
    Written,
    answer_as_applicant,
    answer_as_member,
    conversation,
    notify_answers,
    write_to_applicant,
    write_to_members,
)
from .follow_ups import (
    FollowUpClosed,
    FollowUpLine,
    FollowUpTrend,
    answer_follow_up,
    follow_up_from_token,
    follow_up_url,
    project_follow_ups,
    season_follow_up,
    seasons_follow_up,
    send_due_follow_ups,
)
from .notes import NoteChange, add_note, delete_note, note_candidacies, note_projects, own_notes, update_note
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
    redact_notes,
    staff_notes_about,
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
    loaded_coaching_totals,
    loaded_progress,
    meeting_coach,
    progress,
    project_progress,
    season_coaching_totals,
    season_project_coaches,
    update_meeting,
    with_progress,
)

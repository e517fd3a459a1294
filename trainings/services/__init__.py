"""The trainings app's business rules, one module per topic. Callers import them from here."""

from .attendance import (
    AttendanceNotAllowed,
    Rate,
    attendance_rate,
    attendance_rates_by_project,
    half_days,
    participant_days,
    project_attendance_rates,
    record_attendance,
    session_attendance_rates,
)
from .attestations import (
    AttendedDay,
    Attestation,
    Check,
    attestation_code,
    attestations,
    check_attestation,
    member_attestation,
    member_for_code,
    season_attestations,
)
from .planning import (
    AFTERNOON,
    LAST,
    MORNING,
    AnswerClosed,
    PlannedDay,
    SessionCancelled,
    answer,
    can_answer,
    cancel_session,
    generate_calendar,
    invite_members,
    nth_weekday,
    season_days,
    update_session,
)
from .surveys import (
    Answered,
    Satisfaction,
    SatisfactionLine,
    SurveyClosed,
    answer_survey,
    can_change,
    change_deadline,
    season_satisfaction,
    send_due_surveys,
    survey_from_token,
    survey_url,
)

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

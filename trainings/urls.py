from django.urls import path

from .views import attendance, attestations, calendars, mailings, members, planning, reminders, surveys

app_name = "trainings"

urlpatterns = [
    # Planning (staff): venues, trainers, the season calendar, sessions.
    path("lieux/", planning.VenueListView.as_view(), name="venue_list"),
    path("lieux/nouveau/", planning.VenueCreateView.as_view(), name="venue_create"),
    path("lieux/<int:pk>/modifier/", planning.VenueUpdateView.as_view(), name="venue_update"),
    path("formateurs/", planning.TrainerListView.as_view(), name="trainer_list"),
    path("formateurs/nouveau/", planning.TrainerCreateView.as_view(), name="trainer_create"),
    path("formateurs/<int:pk>/modifier/", planning.TrainerUpdateView.as_view(), name="trainer_update"),
    path("saisons/<int:cohort_pk>/calendrier/", planning.CalendarGenerateView.as_view(), name="calendar_generate"),
    path("saisons/<int:cohort_pk>/journees/", planning.SessionListView.as_view(), name="session_list"),
    path("<int:pk>/", planning.SessionDetailView.as_view(), name="session_detail"),
    path("<int:pk>/modifier/", planning.SessionUpdateView.as_view(), name="session_update"),
    path("<int:pk>/annuler/", planning.SessionCancelView.as_view(), name="session_cancel"),
    path("<int:pk>/rappels/", reminders.SessionRemindersView.as_view(), name="session_reminders"),
    # Members: their page, their answers (signed links).
    path("membre/<str:token>/", members.member_page, name="member_page"),
    path("membre/<str:token>/<int:session_pk>/", members.member_answer, name="member_answer"),
    path("membre/<str:token>/attestation.pdf", attestations.member_attestation, name="member_attestation"),
    path("avis/<str:token>/", surveys.survey, name="survey"),
    # Attestations: all of a season's (staff), and the public check of a code.
    path(
        "saisons/<int:cohort_pk>/attestations.zip", attestations.SeasonAttestationsView.as_view(), name="attestations"
    ),
    path("saisons/<int:cohort_pk>/avis/", surveys.SurveyResultsView.as_view(), name="survey_results"),
    path("attestation/verifier/", attestations.attestation_check, name="attestation_check"),
    path("attestation/verifier/<str:code>/", attestations.attestation_check, name="attestation_check"),
    # Attendance (staff and the session's trainers) and calendars.
    path("<int:pk>/emargement/", attendance.AttendanceView.as_view(), name="attendance"),
    path("<int:pk>/feuille-emargement.pdf", attendance.AttendanceSheetView.as_view(), name="attendance_sheet"),
    path("mes-journees/", attendance.MySessionsView.as_view(), name="my_sessions"),
    path("<uuid:uid>/journee.ics", calendars.session_ics, name="session_ics"),
    path("calendrier/<uuid:key>.ics", calendars.calendar_feed, name="calendar_feed"),
]

# Pages named in the seasons' namespace (cohorts:…), mounted by incubator/urls.py under /saisons/.
cohort_patterns: list = [
    path("<int:cohort_pk>/envois/", mailings.MailingView.as_view(), name="mailing"),
    path("<int:cohort_pk>/envois/<int:mailing_pk>/", mailings.MailingDetailView.as_view(), name="mailing_detail"),
]

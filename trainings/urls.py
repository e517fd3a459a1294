from django.urls import path

app_name = "trainings"

urlpatterns = [
    # Planning (staff): venues, trainers, the season calendar, sessions.
    # Members: their page, their answers (signed links).
    # Attendance (staff and the session's trainers) and calendars.
]

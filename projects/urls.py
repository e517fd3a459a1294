from django.urls import path

from .views import apply, coach

app_name = "projects"

urlpatterns = [
    # Applicants: no account, signed links.
    path("candidater/<int:cohort_pk>/", apply.apply, name="apply"),
    path("candidater/brouillon/<str:token>/", apply.apply, name="apply_resume"),
    path("candidature/<str:token>/", apply.candidacy_status, name="candidacy_status"),
    path("candidature/<str:token>/retirer/", apply.candidacy_withdraw, name="candidacy_withdraw"),
    # Coaches.
    path("mes-projets/", coach.MyProjectsView.as_view(), name="my_projects"),
]

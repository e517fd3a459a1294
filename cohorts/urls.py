from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("", views.ProgrammeListView.as_view(), name="cohort_list"),
    path("programmes/nouveau/", views.ProgrammeCreateView.as_view(), name="programme_create"),
    path("programmes/<int:pk>/modifier/", views.ProgrammeUpdateView.as_view(), name="programme_update"),
    path("nouvelle/", views.CohortCreateView.as_view(), name="cohort_create"),
    path("<int:pk>/appel/", views.CallView.as_view(), name="call"),
    path("<int:pk>/moyens/", views.CommitmentsView.as_view(), name="commitments"),
    path("<int:pk>/modifier/", views.CohortUpdateView.as_view(), name="cohort_update"),
]

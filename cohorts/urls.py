from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("", views.ProgrammeListView.as_view(), name="cohort_list"),
    path("programmes/nouveau/", views.ProgrammeCreateView.as_view(), name="programme_create"),
    path("programmes/<int:pk>/modifier/", views.ProgrammeUpdateView.as_view(), name="programme_update"),
    path("nouvelle/", views.CohortCreateView.as_view(), name="cohort_create"),
    path("<int:pk>/", views.CohortDetailView.as_view(), name="cohort_detail"),
    path("<int:pk>/appel/", views.CallView.as_view(), name="call"),
    path("<int:pk>/modifier/", views.CohortUpdateView.as_view(), name="cohort_update"),
    path("<int:pk>/rapport/", views.SeasonReportView.as_view(), name="season_report"),
    path("rapports/<int:pk>/", views.ReportExportView.as_view(), name="report_export"),
    path("rapports/<int:pk>/fichier/", views.ReportDownloadView.as_view(), name="report_download"),
]

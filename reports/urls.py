from django.urls import path

from . import views

app_name = "reports"

# Under /saisons/, beside the seasons' own pages.
urlpatterns = [
    path("<int:pk>/", views.SeasonView.as_view(), name="season"),
    path("<int:pk>/rapport/", views.SeasonReportView.as_view(), name="season_report"),
    path("rapports/<int:pk>/", views.ReportExportView.as_view(), name="export"),
    path("rapports/<int:pk>/fichier/", views.ReportDownloadView.as_view(), name="download"),
]

# Pages named in the seasons' namespace (cohorts:…), mounted by incubator/urls.py under /saisons/.
cohort_patterns: list = [
    path("reseau/", views.NetworkView.as_view(), name="network"),
]

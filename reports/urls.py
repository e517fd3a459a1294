from django.urls import path

from . import views

app_name = "reports"

# Under /saisons/, beside the seasons' own pages.
urlpatterns = [
    path("<int:pk>/", views.SeasonView.as_view(), name="season"),
    path("<int:pk>/rapport/", views.SeasonReportView.as_view(), name="season_report"),
    path("rapports/<int:pk>/", views.ReportExportView.as_view(), name="export"),
    path("rapports/<int:pk>/fichier/", views.ReportDownloadView.as_view(), name="download"),
    # A funder's link: no account, the token is the key.
    path("rapport-partage/<str:token>/", views.shared_report, name="shared_report"),
]

# Pages named in the seasons' namespace (cohorts:…), mounted by incubator/urls.py under /saisons/.
cohort_patterns: list = [
    path("reseau/", views.NetworkView.as_view(), name="network"),
    path("<int:pk>/rapport/partages/", views.ReportSharesView.as_view(), name="report_share"),
]

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("mes-projets/", views.MyProjectsView.as_view(), name="my_projects"),
]

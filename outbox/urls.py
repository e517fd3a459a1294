from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.FailedMailListView.as_view(), name="failed"),
]

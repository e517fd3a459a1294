from django.urls import path

from incubator.urls import urlpatterns as site_patterns

from .views import layout_floor

urlpatterns = [path("banc/plancher/", layout_floor, name="bench_floor"), *site_patterns]

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cohorts import urls as cohorts_urls
from projects import urls as projects_urls
from reports import urls as reports_urls
from trainings import urls as trainings_urls

from . import views
from .forms import LoginForm

admin.site.site_header = _("Administration du programme d'incubation")
admin.site.site_title = _("Administration")

# French paths, Django's own auth views and names.
account_patterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/modifie/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "mot-de-passe-oublie/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("mot-de-passe-oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "nouveau-mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "nouveau-mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

# A season's or a programme's own pages keep its names (cohorts:…) even when their work lies in a later app:
# each app lists those as `cohort_patterns`, mounted here beside the seasons' pages.
cohort_patterns = [
    *cohorts_urls.urlpatterns,
    *projects_urls.cohort_patterns,
    *trainings_urls.cohort_patterns,
    *reports_urls.cohort_patterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sante/", views.health, name="health"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("courriels-en-echec/", include("outbox.urls")),
    path("compte/", include(account_patterns)),
    path("langue/", include("django.conf.urls.i18n")),
    path("saisons/", include((cohort_patterns, "cohorts"))),
    path("saisons/", include("reports.urls")),
    path("projets/", include("projects.urls")),
    path("journees/", include("trainings.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = views.bad_request

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import CohortFactory, SuperuserFactory
from tests.forms import submit

pytestmark = pytest.mark.django_db


def test_every_model_of_the_four_apps_is_in_the_admin():
    from django.apps import apps

    for app in ("incubator", "cohorts", "projects", "trainings"):
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model


def test_a_superuser_opens_every_admin_list_and_add_page(client, staff, programme):
    CohortFactory(programme=programme)
    client.force_login(SuperuserFactory())
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        if info[0] not in ("incubator", "cohorts", "projects", "trainings"):
            continue
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, info
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, info
        obj = model.objects.first()
        if obj:
            assert client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200, info


def test_a_superuser_creates_a_user_in_the_admin(client):
    client.force_login(SuperuserFactory())
    page = client.get(reverse("admin:incubator_user_add"))
    typed = {"email": "Nouvelle@Exemple.fr", "password1": "Xq7-long-mot", "password2": "Xq7-long-mot"}
    response = submit(client, page, typed, button="_save")
    assert response.status_code == 302, response.content.decode()
    from incubator.models import User

    assert User.objects.filter(email="nouvelle@exemple.fr").exists()


def test_staff_and_coaches_do_not_reach_the_admin(client, staff, coach):
    for user in (staff, coach):
        client.force_login(user)
        assert client.get(reverse("admin:index")).status_code == 302


def test_a_user_saved_unchanged_in_the_admin_keeps_everything(client, structure):
    from incubator.models import User
    from tests.factories import CoachFactory

    coach = CoachFactory(partner_structure=structure, is_reviewer=True, first_name="Rémi", last_name="Relecteur")
    before = User.objects.filter(pk=coach.pk).values().get()
    client.force_login(SuperuserFactory())
    page = client.get(reverse("admin:incubator_user_change", args=[coach.pk]))
    assert submit(client, page, button="_save").status_code == 302
    after = User.objects.filter(pk=coach.pk).values().get()
    # The admin shows dates to the second: only the microseconds of the sign-up moment go.
    before["date_joined"] = before["date_joined"].replace(microsecond=0)
    assert after == before


@pytest.mark.parametrize(
    "model", ["projects_candidacy", "projects_project", "projects_coachassignment", "trainings_trainingsession"]
)
def test_an_admin_list_filtered_by_season_reads_the_same_queries_with_ten_times_the_seasons(client, staff, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CandidacyFactory, ProgrammeFactory

    client.force_login(SuperuserFactory())
    url = reverse(f"admin:{model}_changelist")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add_seasons(count):
        for _ in range(count):
            CandidacyFactory(cohort=CohortFactory(programme=ProgrammeFactory(partners=[staff.partner_structure])))

    add_seasons(2)
    few = queries()
    add_seasons(18)
    assert queries() == few

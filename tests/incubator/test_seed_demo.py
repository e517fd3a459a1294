import pytest
from django.core.management import CommandError, call_command

from cohorts.models import Cohort, Programme
from incubator.models import PartnerStructure, Territory, User

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (PartnerStructure, Territory, Programme, Cohort, User)]


def test_seed_demo_loads_the_partnership_and_adds_nothing_the_second_time(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first

    assert {s.kind for s in PartnerStructure.objects.all()} >= {"cae", "incubator", "union"}
    assert set(Territory.objects.values_list("department_code", flat=True)) == {"26", "07"}
    assert Cohort.objects.current().count() == 1
    assert Cohort.objects.filter(end_date__lt=Cohort.objects.current().get().start_date).exists()
    assert all(c.duration_months == 15 for c in Cohort.objects.all())
    coaches = User.objects.filter(role=User.Role.COACH)
    assert coaches.count() == 2 and coaches.values("partner_structure").distinct().count() == 2
    assert User.objects.filter(role=User.Role.STAFF).exists()
    assert User.objects.filter(is_superuser=True).exists()


def test_seed_demo_prints_one_login_per_role(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    for email in User.objects.values_list("email", flat=True).filter(
        email__in=[
            "equipe@demo.incubateur.example",
            "coach.prisme@demo.incubateur.example",
            "admin@demo.incubateur.example",
        ]
    ):
        assert email in out
    assert "demo-incubateur" in out


def test_seed_demo_refuses_to_create_known_passwords_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()

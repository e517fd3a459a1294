import pytest
from django.db import IntegrityError

from incubator.models import User
from tests.factories import PartnerStructureFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_stored_in_lower_case():
    user = User.objects.create_user(email="Camille.Diere@Exemple.FR", password="x")
    assert user.email == "camille.diere@exemple.fr"
    assert User.objects.get_by_natural_key("CAMILLE.DIERE@exemple.fr") == user


def test_two_accounts_cannot_share_an_email_whatever_its_case():
    User.objects.create_user(email="julien@exemple.fr")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="JULIEN@exemple.fr")])


def test_staff_and_coaches_belong_to_a_partner_structure():
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="coach@exemple.fr", role=User.Role.COACH)


def test_roles():
    structure = PartnerStructureFactory()
    staff = User.objects.create_user(email="a@exemple.fr", role=User.Role.STAFF, partner_structure=structure)
    coach = User.objects.create_user(email="b@exemple.fr", role=User.Role.COACH, partner_structure=structure)
    admin = User.objects.create_superuser(email="c@exemple.fr")
    assert staff.is_programme_staff and not staff.is_coach
    assert coach.is_coach and not coach.is_programme_staff
    assert admin.is_programme_staff and not admin.is_coach

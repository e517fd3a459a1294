import datetime

import factory

from cohorts.models import Cohort, Programme
from incubator.models import PartnerStructure, Territory, User

PASSWORD = "un-mot-de-passe-solide"


class PartnerStructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerStructure

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = PartnerStructure.Kind.CAE
    town = "Montélimar"


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["name"]

    name = "Drôme"
    department_code = "26"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    role = User.Role.STAFF
    partner_structure = factory.SubFactory(PartnerStructureFactory)


class CoachFactory(UserFactory):
    role = User.Role.COACH
    partner_structure = factory.SubFactory(PartnerStructureFactory)


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Programme {n}")
    description = "Un programme d'accompagnement partagé."

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.set(extracted)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Saison {n}")
    start_date = datetime.date(2026, 9, 1)
    call_opens_on = factory.LazyAttribute(lambda o: o.start_date - datetime.timedelta(days=120))
    call_closes_on = factory.LazyAttribute(lambda o: o.start_date - datetime.timedelta(days=30))

    @factory.post_generation
    def territories(self, create, extracted, **kwargs):
        if create:
            self.territories.set(extracted if extracted is not None else [TerritoryFactory()])

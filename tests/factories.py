import datetime

import factory
from django.utils import timezone

from cohorts.models import Cohort, Programme
from incubator.models import PartnerStructure, Territory, User
from projects.models import Candidacy, CandidacyMember, Sector

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


class CandidacyFactory(factory.django.DjangoModelFactory):
    """A complete candidacy, sent (status `submitted`) unless told otherwise."""

    class Meta:
        model = Candidacy

    cohort = factory.SubFactory(CohortFactory)
    status = Candidacy.Status.SUBMITTED
    reference = factory.Sequence(lambda n: f"2026-T{n:04d}")
    submitted_at = factory.LazyFunction(timezone.now)
    project_name = factory.Sequence(lambda n: f"Tiers-lieu n°{n}")
    summary = "Un tiers-lieu dans une ancienne école du village."
    need = "Aucun lieu de rencontre à moins de 20 km."
    collective_dimension = "Une association de huit habitants."
    economic_model = "Café associatif, location de salles, subventions."
    territory = factory.SubFactory(TerritoryFactory)
    commune = "Dieulefit"
    anchoring = "La mairie et l'école sont partenaires."
    sector = Sector.THIRD_PLACE
    stage = Candidacy.Stage.STUDY
    expectations = "Construire le modèle économique."
    heard_from = Candidacy.HeardFrom.WORD_OF_MOUTH
    contact_name = "Camille Martin"
    contact_email = factory.Sequence(lambda n: f"porteur{n}@exemple.fr")
    contact_phone = "06 12 34 56 78"
    consent_at = factory.LazyFunction(timezone.now)


class DraftFactory(CandidacyFactory):
    status = Candidacy.Status.DRAFT
    reference = None
    submitted_at = None


class CandidacyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidacyMember

    candidacy = factory.SubFactory(CandidacyFactory)
    name = factory.Faker("name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"membre{n}@exemple.fr")
    role = "Trésorière"


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A small PDF joined to a candidacy, stored through the storage API like a real upload."""

    class Meta:
        model = "projects.Attachment"

    candidacy = factory.SubFactory(CandidacyFactory)
    file = factory.django.FileField(filename="dossier.pdf", data=b"%PDF-1.4\n% un dossier de candidature\n")
    original_name = "Dossier de candidature.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: o.file.size)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Project"

    cohort = factory.SubFactory(CohortFactory)
    name = factory.Sequence(lambda n: f"Garage solidaire n°{n}")
    summary = "Un garage associatif pour entretenir sa voiture à petit prix."
    sector = Sector.SOLIDARITY_GARAGE
    territory = factory.SubFactory(TerritoryFactory)
    commune = "Crest"


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.ProjectMember"

    project = factory.SubFactory(ProjectFactory)
    name = factory.Faker("name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"equipier{n}@exemple.fr")
    phone = "06 98 76 54 32"
    role = "Mécanicien bénévole"


class CoachAssignmentFactory(factory.django.DjangoModelFactory):
    """A coach following a project; use `services.assign_coach` when the season's cap matters."""

    class Meta:
        model = "projects.CoachAssignment"

    project = factory.SubFactory(ProjectFactory)
    coach = factory.SubFactory(CoachFactory)
    cohort = factory.SelfAttribute("project.cohort")
    started_on = factory.LazyAttribute(lambda o: o.project.cohort.start_date)


class CoachingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.CoachingSession"

    project = factory.SubFactory(ProjectFactory)
    coach = factory.SubFactory(CoachFactory)
    date = factory.LazyFunction(timezone.localdate)
    duration_minutes = 90
    format = "on_site"
    topics = factory.LazyFunction(lambda: ["economic"])
    notes = "Point sur le prévisionnel."


class NextStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.NextStep"

    project = factory.SubFactory(ProjectFactory)
    description = factory.Sequence(lambda n: f"Appeler le financeur n°{n}")
    owner = "L'équipe"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Milestone"

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Étape clé n°{n}")
    order = factory.Sequence(lambda n: n)


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Actor"

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.Sequence(lambda n: f"Mairie n°{n}")
    kind = "local_authority"


class ActorMetFactory(factory.django.DjangoModelFactory):
    """A meeting; the actor belongs to the project's programme unless one is given."""

    class Meta:
        model = "projects.ActorMet"

    project = factory.SubFactory(ProjectFactory)
    actor = factory.SubFactory(ActorFactory, programme=factory.SelfAttribute("..project.cohort.programme"))


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Venue"

    name = factory.Sequence(lambda n: f"Tiers-lieu n°{n}")
    kind = "third_place"
    address = "12 rue des Écoles"
    postcode = "26200"
    commune = "Montélimar"
    territory = factory.SubFactory(TerritoryFactory)
    partner_structure = factory.SubFactory(PartnerStructureFactory)


class TrainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Trainer"

    name = factory.Faker("name", locale="fr_FR")
    organisation = "Coopérative de formation"
    email = factory.Sequence(lambda n: f"formateur{n}@exemple.fr")
    home_commune = "Valence"
    home_territory = factory.SubFactory(TerritoryFactory)
    partner_structure = factory.SubFactory(PartnerStructureFactory)


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.TrainingSession"
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Journée collective n°{n}")
    date = factory.Sequence(lambda n: datetime.date(2026, 10, 13) + datetime.timedelta(days=28 * n))
    morning_start = datetime.time(9, 0)
    morning_end = datetime.time(12, 30)
    afternoon_start = datetime.time(13, 30)
    afternoon_end = datetime.time(17, 0)
    venue = factory.SubFactory(VenueFactory)

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainers.set(extracted)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.Attendance"

    session = factory.SubFactory(TrainingSessionFactory)
    member = factory.SubFactory(ProjectMemberFactory, project__cohort=factory.SelfAttribute("...session.cohort"))

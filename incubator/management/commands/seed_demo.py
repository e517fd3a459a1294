"""Demo data for a first run: the partnership of the article, its seasons and one login per role.

Safe to run again: everything is looked up by its natural key first, so a second run adds nothing.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from cohorts.models import Cohort, Programme, season_end_date
from incubator.models import PartnerStructure, Territory, User

DEMO_PASSWORD = "demo-incubateur"


def _months_before(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


class Command(BaseCommand):
    help = "Charge les données de démonstration (sans rien dupliquer si on la relance)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Autorise le chargement quand DEBUG est désactivé (les comptes de démo ont un mot de passe connu).",
        )

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG est désactivé : les comptes de démonstration ont un mot de passe public. "
                "Relancez avec --allow-production si c'est bien voulu."
            )
        fake = Faker("fr_FR")
        fake.seed_instance(2020)  # the same fictional people on every machine

        prisme, _ = PartnerStructure.objects.get_or_create(
            name="CAE Prisme",
            defaults={"kind": PartnerStructure.Kind.CAE, "town": "Montélimar"},
        )
        incubator, _ = PartnerStructure.objects.get_or_create(
            name="Alter'Incub Auvergne-Rhône-Alpes",
            defaults={"kind": PartnerStructure.Kind.INCUBATOR, "town": "Lyon"},
        )
        urscop, _ = PartnerStructure.objects.get_or_create(
            name="Union régionale des Scop et Scic Auvergne-Rhône-Alpes",
            defaults={"kind": PartnerStructure.Kind.UNION, "town": "Lyon"},
        )
        drome, _ = Territory.objects.get_or_create(name="Drôme", defaults={"department_code": "26"})
        ardeche, _ = Territory.objects.get_or_create(name="Ardèche", defaults={"department_code": "07"})

        programme, created = Programme.objects.get_or_create(
            name="Accompagnement partagé Drôme-Ardèche",
            defaults={
                "description": (
                    "Un programme d'accompagnement de projets collectifs de l'économie sociale et solidaire "
                    "en Drôme et en Ardèche rurales, porté ensemble par la CAE Prisme et l'incubateur "
                    "Alter'Incub, né de l'appel à manifestation d'intérêt « Fabriques de Territoires ». "
                    "Journées collectives chaque mois près de chez vous et accompagnement individuel "
                    "pendant 15 mois."
                )
            },
        )
        if created:
            programme.partners.set([prisme, incubator, urscop])

        # Seasons follow one another: the current one began five months ago.
        today = timezone.localdate()
        current_start = _months_before(today, 5)
        past_start = _months_before(current_start, 15)
        next_start = season_end_date(current_start, 15) + datetime.timedelta(days=1)
        seasons = [
            (past_start, past_start - datetime.timedelta(days=90), past_start - datetime.timedelta(days=30)),
            (current_start, current_start - datetime.timedelta(days=90), current_start - datetime.timedelta(days=30)),
            (next_start, today - datetime.timedelta(days=14), today + datetime.timedelta(days=45)),
        ]
        for start, opens, closes in seasons:
            end = season_end_date(start, 15)
            cohort, created = Cohort.objects.get_or_create(
                programme=programme,
                name=f"Saison {start.year}-{end.year}",
                defaults={"start_date": start, "call_opens_on": opens, "call_closes_on": closes},
            )
            if created:
                cohort.territories.set([drome, ardeche])

        people = [
            ("equipe@demo.incubateur.example", User.Role.STAFF, prisme, False),
            ("coordination@demo.incubateur.example", User.Role.STAFF, incubator, False),
            ("coach.prisme@demo.incubateur.example", User.Role.COACH, prisme, False),
            ("coach.alterincub@demo.incubateur.example", User.Role.COACH, incubator, False),
            ("admin@demo.incubateur.example", "", None, True),
        ]
        for email, role, structure, superuser in people:
            first_name, last_name = fake.first_name(), fake.last_name()
            if User.objects.filter(email=email).exists():
                continue
            User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                first_name=first_name,
                last_name=last_name,
                role=role,
                partner_structure=structure,
                is_staff=superuser,
                is_superuser=superuser,
            )

        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        self.stdout.write("  équipe du programme       equipe@demo.incubateur.example")
        self.stdout.write("  chargé·e d'accompagnement coach.prisme@demo.incubateur.example")
        self.stdout.write("  super-administrateur      admin@demo.incubateur.example")

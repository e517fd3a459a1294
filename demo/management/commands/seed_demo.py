"""Demo data for a first run: the partnership of the article, its seasons, one login per role, and the
candidacies of the past and current seasons in every status, with their reviews and projects.

Safe to run again: everything is looked up by its natural key first, so a second run adds nothing.
Candidacies go through the application's own services (draft, review, decision, acceptance), so the
e-mails those send go out too: to the console in development (fictional `.example` addresses included, so a
newcomer reads every link there); a real SMTP server never mails those addresses.
"""

import datetime
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from cohorts.models import Cohort, PartnerCommitment, Programme, season_end_date
from demo.candidacies import (
    ACTORS,
    ANSWERS,
    COACH_EMAILS,
    CURRENT_SEASON,
    DUPLICATE_ACTOR,
    IMPORTED_PROJECTS,
    MEETINGS,
    MOUNTAIN_SEASON,
    OUTCOMES,
    PAST_SEASON,
    PATHS,
    REVIEW_COMMENTS,
    SCORES,
    TEAM_ROLES,
    reapplications,
)
from demo.conversations import seed_conversations
from demo.follow_ups import seed_follow_ups
from demo.shares import seed_share_links
from demo.trainings import seed_trainings
from incubator.models import PartnerStructure, Territory, User
from projects import services
from projects import tokens as project_tokens
from projects.models import (
    Actor,
    ActorMet,
    Candidacy,
    CoachAssignment,
    Criterion,
    FollowUp,
    Milestone,
    NextStep,
    Outcome,
    Project,
    ProjectMember,
    Review,
    SeasonImport,
    StaffNote,
    StatusChange,
    actor_key,
)
from projects.services.candidacies import new_reference  # the same format as a real submission
from trainings.models import Trainer, TrainingSession, Venue
from trainings.tokens import member_page_url

DEMO_PASSWORD = "demo-incubateur"
REVIEWER_COACH = "coach.prisme@demo.incubateur.example"
LOGINS = [
    ("équipe du programme (CAE Prisme)", "equipe@demo.incubateur.example"),
    ("équipe du programme (Alter'Incub)", "coordination@demo.incubateur.example"),
    ("chargé·e d'accompagnement, évalue aussi", REVIEWER_COACH),
    ("chargé·e d'accompagnement (Alter'Incub)", "coach.alterincub@demo.incubateur.example"),
    ("super-administrateur", "admin@demo.incubateur.example"),
]
TRAINER_LOGIN = "formatrice@demo.incubateur.example"
APPLICANTS_DOMAIN = "porteurs.demo.example"  # reserved top-level domain: never delivered anywhere
Status = Candidacy.Status
Stage = Candidacy.Stage
Heard = Candidacy.HeardFrom


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
                    "Alter'Incub, né de l'appel national « Fabriques de Territoires », qui soutient les lieux et projets collectifs des territoires. "
                    "Journées collectives chaque mois près de chez vous et accompagnement individuel "
                    "pendant 15 mois."
                )
            },
        )
        if created:
            programme.partners.set([prisme, incubator, urscop])

        fresh = not programme.cohorts.exists()
        seasons = self._seasons(programme, [drome, ardeche])

        people = [
            ("equipe@demo.incubateur.example", User.Role.STAFF, prisme, False),
            ("coordination@demo.incubateur.example", User.Role.STAFF, incubator, False),
            ("coach.prisme@demo.incubateur.example", User.Role.COACH, prisme, False),  # also reviews candidacies
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
                is_reviewer=email == REVIEWER_COACH,
            )

        reviewers = list(
            User.objects.filter(
                email__in=["equipe@demo.incubateur.example", "coordination@demo.incubateur.example"]
            ).order_by("email")
        )
        coach_reviewer = User.objects.filter(email=REVIEWER_COACH, is_reviewer=True).first()
        territories = {"26": drome, "07": ardeche}
        created_count = 0
        # More candidacies each season, as in the article: the current one also has the past season's turned-down
        # and withdrawn projects trying again.
        current = [*CURRENT_SEASON, *reapplications(PAST_SEASON)]
        for cohort, projects in zip(seasons[:2], [PAST_SEASON, current], strict=False):
            extra_reviewer = coach_reviewer if cohort == seasons[1] else None  # the current season's
            for index, project in enumerate(projects):
                created_count += self._candidacy(cohort, index, project, territories, reviewers, fake, extra_reviewer)

        meetings_count = self._coaching(seasons[:2], reviewers[0] if reviewers else None)
        if len(seasons) >= 2:
            self._pair_and_notes(seasons[1])
        seed_trainings(stdout=self.stdout, trainer_login=TRAINER_LOGIN, password=DEMO_PASSWORD)
        seed_conversations(season=seasons[1] if len(seasons) > 1 else None, staff=reviewers[0] if reviewers else None)
        mountain = self._second_programme(incubator, urscop, ardeche, fake)
        self._commitments([*seasons[:2], *([mountain] if mountain else [])])
        shares_count = seed_share_links(staff_email="equipe@demo.incubateur.example")
        earlier = seed_follow_ups(stdout=self.stdout)
        coaches = list(User.objects.filter(email__in=COACH_EMAILS, role=User.Role.COACH).order_by("-email"))
        if earlier is not None and coaches:
            self._assign(earlier, coaches, reviewers[0] if reviewers else None, timezone.localdate())
        if fresh:
            # The seasons held before the site, in a spreadsheet: before the earliest season the site knows.
            self._imported_seasons(programme, earlier or seasons[0])

        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        if created_count:
            self.stdout.write(f"{created_count} candidatures de démonstration ajoutées.")
        if meetings_count:
            self.stdout.write(f"{meetings_count} rendez-vous d'accompagnement de démonstration ajoutés.")
        if shares_count:
            self.stdout.write(
                f"{shares_count} liens de partage du rapport de saison ajoutés (page « Partager » du rapport)."
            )
        self._print_logins(seasons)

    def _second_programme(self, incubator, urscop, ardeche, fake) -> Cohort | None:
        """A second programme of the network: the incubator and the union in the Ardèche mountains, with one
        season that ended two months ago (candidacies, coached projects and their outcomes, two held days).

        The incubator's staff see both programmes side by side on the network page.
        """
        programme, created = Programme.objects.get_or_create(
            name="Montagne ardéchoise coopérative",
            defaults={
                "description": (
                    "L'incubateur et l'union régionale des Scop et Scic accompagnent les projets collectifs des "
                    "plateaux et vallées de la montagne ardéchoise."
                )
            },
        )
        if created:
            programme.partners.set([incubator, urscop])
        season = programme.cohorts.order_by("start_date", "pk").first()
        if season is None:
            start = _months_before(timezone.localdate(), 17)
            season = Cohort.objects.create(
                programme=programme,
                name=f"Saison {start.year}-{season_end_date(start, 15).year}",
                start_date=start,
                call_opens_on=start - datetime.timedelta(days=90),
                call_closes_on=start - datetime.timedelta(days=30),
            )
            season.territories.set([ardeche])
        reviewers = list(User.objects.filter(email="coordination@demo.incubateur.example"))
        if not reviewers:
            return season
        for index, project in enumerate(MOUNTAIN_SEASON):
            self._candidacy(season, index, project, {"07": ardeche}, reviewers, fake)

        coach = User.objects.filter(email="coach.alterincub@demo.incubateur.example", role=User.Role.COACH).first()
        today = timezone.localdate()
        if coach is not None and season.end_date < today:
            self._assign(season, [coach], reviewers[0], today)
            for index, project in enumerate(Project.objects.filter(cohort=season).order_by("pk")):
                assignment = project.assignments.order_by("started_on", "pk").first()
                if assignment is not None and not project.meetings.exists():
                    self._meetings(project, assignment, index, 3, season.end_date, season_over=True)
                if not Outcome.objects.filter(project=project).exists():
                    Outcome.objects.create(project=project, **OUTCOMES[(index + 2) % len(OUTCOMES)])

        # Two held days: one in the incubator's room in Privas, one in a tiers-lieu, led by a trainer from Ardèche.
        office, _ = Venue.objects.get_or_create(
            name="Alter'Incub — salle de Privas",
            defaults={
                "kind": Venue.Kind.PARTNER_OFFICE,
                "address": "2 place de l'Hôtel de ville",
                "postcode": "07000",
                "commune": "Privas",
                "territory": ardeche,
                "step_free_access": True,
                "public_transport": True,
                "partner_structure": incubator,
            },
        )
        third_place = Venue.objects.filter(name="Le Moulinage des Boutières").first() or office
        trainer = Trainer.objects.filter(name="Mathieu Roux").first()
        for months, venue, title in ((2, office, "Lancement de la saison"), (6, third_place, "Le modèle économique")):
            day = season.start_date + datetime.timedelta(days=30 * months)
            session, created = TrainingSession.objects.get_or_create(
                cohort=season,
                date=day,
                defaults={"title": title, "venue": venue, "status": TrainingSession.Status.HELD},
            )
            if created and trainer is not None:
                session.trainers.add(trainer)
        return season

    @staticmethod
    def _commitments(seasons):
        """What each partner structure said it would bring to the demo seasons: the report compares it with what
        it brought. Rows already there are kept."""
        words = {
            PartnerStructure.Kind.CAE: {"coaching_hours": 60, "days_hosted": 6, "coaches": 1, "money": 0},
            PartnerStructure.Kind.INCUBATOR: {"coaching_hours": 60, "days_hosted": 2, "coaches": 1, "money": 6000},
            PartnerStructure.Kind.UNION: {"coaching_hours": 0, "days_hosted": 0, "coaches": 0, "money": 4000},
        }
        for season in seasons:
            for structure in season.programme.partners.all():
                PartnerCommitment.objects.get_or_create(
                    cohort=season, partner_structure=structure, defaults=words.get(structure.kind, {})
                )

    def _print_logins(self, seasons):
        """Every demo login, and a link for each of those who have none (applicants, project members)."""
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for label, email in LOGINS:
            self.stdout.write(f"  {label:<42} {email}")
        self.stdout.write(f"  {'formatrice (« Mes journées »)':<42} {TRAINER_LOGIN}")
        self.stdout.write("Sans compte, avec leur lien personnel :")
        current = seasons[1] if len(seasons) > 1 else None
        draft = Candidacy.objects.filter(cohort=current, status=Status.DRAFT).order_by("pk").first()
        sent = Candidacy.objects.filter(cohort=current, status=Status.UNDER_REVIEW).order_by("pk").first()
        member = ProjectMember.objects.filter(project__cohort=current).exclude(email="").order_by("pk").first()
        if draft:
            self.stdout.write(
                f"  {'une candidature en brouillon':<42} {project_tokens.absolute(project_tokens.draft_url(draft))}"
            )
        if sent:
            self.stdout.write(
                f"  {'le suivi d’une candidature envoyée':<42} {project_tokens.absolute(project_tokens.status_url(sent))}"
            )
        if member:
            page = project_tokens.absolute(member_page_url(member))
            self.stdout.write(f"  {'la page d’un membre de projet':<42} {page}")
        waiting = FollowUp.objects.filter(answered_at__isnull=True).order_by("pk").first()
        if waiting:
            link = project_tokens.absolute(services.follow_up_url(waiting))
            self.stdout.write(f"  {'un projet suivi 12 mois après sa saison':<42} {link}")
        self.stdout.write("Les e-mails de la démonstration s'affichent ici, dans la console.")

    def _coaching(self, seasons, staff) -> int:
        """Each demo coach follows three projects of the current season, which have meetings, next steps,
        milestones and actors met; the past season's projects were coached too and have their outcome.

        Only what is missing is added: a project that already has meetings, actors or an outcome keeps them.
        """
        coaches = list(User.objects.filter(email__in=COACH_EMAILS, role=User.Role.COACH).order_by("-email"))
        if len(seasons) < 2 or not coaches:
            return 0
        past, current = seasons
        today = timezone.localdate()
        meetings = 0
        for cohort, per_project in ((past, 2), (current, len(MEETINGS))):
            self._assign(cohort, coaches, staff, today)
            coached = (
                Project.objects.filter(cohort=cohort, assignments__coach__in=coaches)
                .distinct()
                .order_by("pk")
                .prefetch_related("assignments")
            )
            for index, project in enumerate(coached):
                assignment = min(
                    (a for a in project.assignments.all() if a.coach_id in {c.pk for c in coaches}),
                    key=lambda a: a.started_on,
                )
                end = min(today, cohort.end_date)
                if not project.meetings.exists():
                    meetings += self._meetings(
                        project, assignment, index, per_project, end, season_over=cohort.end_date < today
                    )
                self._milestones(project, index, end)
                if not project.actors_met.exists():
                    self._actors_met(
                        project, index, assignment.started_on, end, previous=coached[index - 1] if index else None
                    )
                if cohort == past and cohort.end_date < today and not Outcome.objects.filter(project=project).exists():
                    Outcome.objects.create(project=project, **OUTCOMES[index % len(OUTCOMES)])
        return meetings

    @staticmethod
    def _pair_and_notes(cohort):
        """The pair on one project of the current season: the incubator's coach leads it, the CAE's coach follows it
        in second and came to its latest meeting; and two staff notes, one on the project by its lead coach, one on
        its candidacy by the programme's staff. Added once."""
        lead = User.objects.filter(email="coach.alterincub@demo.incubateur.example").first()
        second = User.objects.filter(email=REVIEWER_COACH).first()
        staff = User.objects.filter(email="equipe@demo.incubateur.example").first()
        if not (lead and second and staff):
            return
        assignment = (
            CoachAssignment.objects.active()
            .leads()
            .filter(cohort=cohort, coach=lead, project__candidacy__isnull=False)
            .select_related("project")
            .order_by("project__name")
            .first()
        )
        if assignment is None:
            return
        project = assignment.project
        if not project.assignments.active().seconds().exists():
            services.assign_coach(
                project=project, coach=second, role=CoachAssignment.Role.SECOND, by=staff, on=assignment.started_on
            )
            latest = project.meetings.order_by("-date", "-pk").first()
            if latest is not None:
                services.update_meeting(meeting=latest, participants=[latest.coach, second])
        if not StaffNote.objects.filter(project=project).exists():
            services.add_note(
                author=lead,
                project=project,
                text=(
                    "Binôme : je garde le modèle économique, ma collègue de la CAE suit la gouvernance et la "
                    "relation avec la mairie. On fait le point ensemble avant chaque journée collective."
                ),
            )
        if not StaffNote.objects.filter(candidacy=project.candidacy_id).exists():
            services.add_note(
                author=staff,
                candidacy=project.candidacy,
                text=(
                    "Jury : équipe solide mais encore peu de contacts avec les élus. À accompagner vers la "
                    "communauté de communes dès le premier trimestre."
                ),
            )

    @staticmethod
    def _actors_met(project, index, started_on, end, previous):
        """Two or three actors of the programme's directory, shared with the season's other projects: the second
        met through the first, and every other project's first meeting introduced by the project before it. The
        second project also meets an actor already there under a longer name, a card for staff to reunite."""
        met = []
        rows = [ACTORS[(index * 2 + n) % len(ACTORS)] for n in range(2 + index % 2)]
        if index == 1:
            rows.append(DUPLICATE_ACTOR)
        for n, (organisation, kind, commune, contact, note) in enumerate(rows):
            actor, _created = Actor.objects.get_or_create(
                programme_id=project.cohort.programme_id,
                name_key=actor_key(organisation),
                defaults={"organisation": organisation, "kind": kind, "commune": commune, "contact": contact},
            )
            met.append(
                ActorMet.objects.create(
                    project=project,
                    actor=actor,
                    met_on=min(end, started_on + datetime.timedelta(days=20 + 25 * n)),
                    introduced_by_actor=met[0].actor if n and met[0].actor != actor else None,
                    introduced_by_project=previous if n == 0 and index % 2 else None,
                    note=note,
                )
            )

    @staticmethod
    def _assign(cohort, coaches, staff, today):
        """Give each coach the season's projects nobody coaches, up to their cap; end them once the season is over."""
        on = min(today, cohort.start_date + datetime.timedelta(days=14))
        for coach in coaches:
            free = Project.objects.filter(cohort=cohort, assignments__isnull=True).order_by("pk")
            load = services.counted_load(coach=coach, cohort=cohort)
            for project in free[: max(cohort.max_projects_per_coach - load, 0)]:
                assignment = services.assign_coach(project=project, coach=coach, by=staff, on=on)
                if cohort.end_date < today:
                    services.end_assignment(assignment=assignment, on=cohort.end_date)

    @staticmethod
    def _meetings(project, assignment, index, count, end, season_over) -> int:
        """`count` meetings from the assignment's start; the first project's last one is over a month old (an
        alert on the coach's page). Older meetings' next steps are done, save one left late on some projects;
        once the season is over, all are."""
        start = assignment.started_on + datetime.timedelta(days=7)
        last = max(start, end - datetime.timedelta(days=40 if index == 0 else 5 + 3 * index))
        spacing = (last - start) / max(count - 1, 1)
        for n in range(count):
            plan = MEETINGS[(n + index) % len(MEETINGS)] if count < len(MEETINGS) else MEETINGS[n]
            day = min(start + spacing * n, end)
            meeting = services.log_meeting(
                project=project,
                coach=assignment.coach,
                date=day,
                duration_minutes=plan["duration_minutes"],
                format=plan["format"],
                topics=[str(topic) for topic in plan["topics"]],
                notes=plan["notes"],
                next_steps=[
                    {"description": description, "owner": owner, "due_on": day + datetime.timedelta(days=21)}
                    for description, owner in plan["next_steps"]
                ],
            )
            left_late = index % 3 == 1 and n == count - 2
            if season_over or (n < count - 1 and not left_late):
                done_at = timezone.make_aware(
                    datetime.datetime.combine(day + datetime.timedelta(days=10), datetime.time(17))
                )
                NextStep.objects.filter(meeting=meeting).update(done_at=min(done_at, timezone.now()))
        return count

    @staticmethod
    def _milestones(project, index, end):
        """Milestones whose target has passed are reached; every third project is late on its latest one."""
        if not project.milestones.exists():
            services.create_default_milestones(project=project)
        if project.milestones.filter(done_on__isnull=False).exists():
            return
        passed = project.milestones.filter(target_on__lt=end).order_by("order")
        for position, milestone in enumerate(passed):
            if index % 3 == 2 and position == len(passed) - 1 and position > 0:
                continue
            done_on = min(end, milestone.target_on - datetime.timedelta(days=10 - index))
            Milestone.objects.filter(pk=milestone.pk).update(done_on=done_on)

    @staticmethod
    def _imported_seasons(programme, first):
        """Two seasons held before the site, brought in as staff would from a spreadsheet: their candidacy
        counts (fewer each year, as in the article), their projects and outcomes. Once per programme."""
        if SeasonImport.objects.filter(cohort__programme=programme).exists():
            return
        rows = []
        for years_before, (received, accepted) in ((2, ((4, 1), (3, 2))), (1, ((6, 2), (5, 2)))):
            start = _months_before(first.start_date, 12 * years_before)
            season = {"saison": f"Saison {start.year}-{start.year + 1}", "debut": start, "duree_mois": 12}
            for (territory, sector), (got, kept) in zip(
                (("26", "Tiers-lieu"), ("07", "Mobilité")), (received, accepted), strict=True
            ):
                rows.append(
                    {
                        **season,
                        "ligne": "candidatures",
                        "territoire": territory,
                        "secteur": sector,
                        "recues": got,
                        "retenues": kept,
                    }
                )
            for name, territory, sector, commune, status, form, jobs, funds in IMPORTED_PROJECTS[years_before - 1]:
                rows.append(
                    {
                        **season,
                        "ligne": "projet",
                        "projet": name,
                        "territoire": territory,
                        "secteur": sector,
                        "commune": commune,
                        "bilan": status,
                        "forme_juridique": form,
                        "emplois_etp": jobs,
                        "fonds_obtenus": funds,
                    }
                )
        plan = services.plan_import(programme=programme, rows=rows)
        if not plan.ok:
            raise CommandError(f"demo past seasons: {plan.errors}")
        services.import_seasons(programme=programme, plan=plan, file_name="saisons-passees.xlsx", by=None)

    def _seasons(self, programme, territories) -> list[Cohort]:
        """The programme's seasons in start order; the three demo ones only for a programme without any.

        Names and dates come from today's date, so looking seasons up by name would add overlapping
        ones every time the demo is loaded again a few months later.
        """
        # Seasons brought in from a file came before the site: they are not the demo's own.
        existing = list(programme.cohorts.filter(season_import__isnull=True).order_by("start_date", "pk"))
        if existing:
            # The latest three: an earlier season, followed after its end (demo.follow_ups), comes before them.
            return existing[-3:]
        # Seasons follow one another: the current one began five months ago.
        today = timezone.localdate()
        current_start = _months_before(today, 5)
        past_start = _months_before(current_start, 15)
        next_start = season_end_date(current_start, 15) + datetime.timedelta(days=1)
        dates = [
            (past_start, past_start - datetime.timedelta(days=90), past_start - datetime.timedelta(days=30)),
            (current_start, current_start - datetime.timedelta(days=90), current_start - datetime.timedelta(days=30)),
            (next_start, today - datetime.timedelta(days=14), today + datetime.timedelta(days=45)),
        ]
        seasons = []
        for start, opens, closes in dates:
            cohort = Cohort.objects.create(
                programme=programme,
                name=f"Saison {start.year}-{season_end_date(start, 15).year}",
                start_date=start,
                call_opens_on=opens,
                call_closes_on=closes,
            )
            cohort.territories.set(territories)
            seasons.append(cohort)
        return seasons

    def _candidacy(self, cohort, index, project, territories, reviewers, fake, extra_reviewer=None) -> int:
        """One candidacy, taken from its first draft to its status by the application's services."""
        if Candidacy.objects.filter(cohort=cohort, project_name=project["name"]).exists():
            return 0
        team = [self._person(fake, role) for role in TEAM_ROLES[: 2 + index % 3]]
        contact = team[0]
        fields = {
            "project_name": project["name"],
            "territory": territories[project["department"]],
            **{key: project[key] for key in ANSWERS},
            "contact_name": contact["name"],
            "contact_email": contact["email"],
            "contact_phone": contact["phone"],
        }
        status = project["status"]
        if status != Status.DRAFT:
            fields["consent_at"] = timezone.now()
        candidacy = services.save_draft(candidacy=None, cohort=cohort, fields=fields, members=team)
        if status == Status.DRAFT:
            # Left with today's date: an older one would be deleted by the next nightly retention sweep.
            return 1

        moments = self._timeline(cohort, index, status)
        self._send(candidacy, moments[0])
        rng = random.Random(f"{cohort.pk}-{project['name']}")
        staff = reviewers[index % len(reviewers)]
        for step in PATHS[status]:
            if step == Status.WITHDRAWN:
                services.withdraw_candidacy(candidacy=candidacy, note=project["note"])
                continue
            try:
                services.change_status(
                    candidacy=candidacy,
                    to_status=step,
                    by=staff,
                    note=project["note"] if step == Status.REJECTED else "",
                )
            except services.PlacesFull:
                # Seasons reused from real data may have their places taken already.
                self.stdout.write(f"Saison {cohort.name} complète : « {project['name']} » reste présélectionnée.")
                break
            if step == Status.UNDER_REVIEW:
                self._reviews(candidacy, status, reviewers, rng, extra_reviewer, conflict=index == 1)
        self._backdate(candidacy, moments)
        return 1

    @staticmethod
    def _person(fake, role) -> dict:
        first_name, last_name = fake.first_name(), fake.last_name()
        return {
            "name": f"{first_name} {last_name}",
            "email": f"{slugify(first_name)}.{slugify(last_name)}@{APPLICANTS_DOMAIN}",
            "phone": fake.numerify("06 ## ## ## ##"),
            "role": role,
        }

    @staticmethod
    def _timeline(cohort, index, status) -> list[datetime.datetime]:
        """When it was sent (during the call) and when each later move happened (after the call closed)."""
        window = max((cohort.call_closes_on - cohort.call_opens_on).days, 1)
        sent = cohort.call_opens_on + datetime.timedelta(days=(index * 7) % window)
        if status == Status.WITHDRAWN:
            later = [sent + datetime.timedelta(days=12)]
        else:
            later = [cohort.call_closes_on + datetime.timedelta(days=days) for days in (3, 14, 24)]
        return [
            timezone.make_aware(datetime.datetime.combine(day, datetime.time(10 + n, 0)))
            for n, day in enumerate([sent, *later])
        ]

    @staticmethod
    def _send(candidacy, at):
        # What `submit_candidacy` does, which refuses (rightly) a call that has closed since.
        candidacy.reference = new_reference(candidacy.cohort)
        candidacy.status = Status.SUBMITTED
        candidacy.submitted_at = at
        candidacy.save(update_fields=["reference", "status", "submitted_at", "updated_at"])
        StatusChange.objects.create(candidacy=candidacy, from_status=Status.DRAFT, to_status=Status.SUBMITTED)

    @staticmethod
    def _reviews(candidacy, status, reviewers, rng, extra_reviewer=None, conflict=False):
        # Both staff score decided candidacies; one of them has started on the one still under review. The
        # reviewer coach scores too, but steps aside from one candidacy: they know its team.
        low, high = SCORES[status]
        if extra_reviewer is not None and conflict:
            services.declare_conflict(
                candidacy=candidacy, reviewer=extra_reviewer, note="Je connais personnellement la présidente."
            )
        elif extra_reviewer is not None:
            reviewers = [*reviewers, extra_reviewer]
        for reviewer in reviewers if status != Status.UNDER_REVIEW else reviewers[:1]:
            services.save_review(
                candidacy=candidacy,
                reviewer=reviewer,
                scores={criterion: rng.randint(low, high) for criterion in Criterion.values},
                comments=REVIEW_COMMENTS if reviewer == reviewers[0] else {},
            )

    @staticmethod
    def _backdate(candidacy, moments):
        """Give the history the dates of a real season (the services stamp everything with today's)."""
        changes = list(StatusChange.objects.filter(candidacy=candidacy).order_by("pk"))
        for change, moment in zip(changes, moments, strict=False):
            StatusChange.objects.filter(pk=change.pk).update(at=moment)
        reviewed = moments[1] + datetime.timedelta(days=2) if len(moments) > 1 else moments[0]
        Review.objects.filter(candidacy=candidacy).update(created_at=reviewed, updated_at=reviewed)
        Candidacy.objects.filter(pk=candidacy.pk).update(
            created_at=moments[0] - datetime.timedelta(days=3),
            consent_at=moments[0],
            submitted_at=moments[0],
            updated_at=moments[len(changes) - 1],
        )

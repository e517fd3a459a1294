"""A regional network built with bulk inserts, sized by a scale factor.

At scale 1: 3 regions, 30 programmes, 100 seasons, 30,000 candidacies and about 100,000 attendance rows; one
"flagship" season holds a tenth of the candidacies and of the attendance (150 projects, 675 members, 62
coaches on its board). Every other season is a typical one: about 270 candidacies, 13 projects, 60 members,
15 collective days. A smaller scale has fewer seasons and a smaller flagship; a typical season stays the same.
"""

import datetime
import itertools
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from cohorts.models import Cohort, Programme, season_end_date
from incubator.models import PartnerStructure, Territory, User
from outbox.models import OutgoingMail
from projects.models import Candidacy, CoachAssignment, CoachingSession, Milestone, Project, ProjectMember
from trainings.models import Attendance, Trainer, TrainingSession, Venue

PASSWORD = "banc-d-essai-solide"
REGIONS = ["Drôme-Ardèche", "Isère-Savoie", "Rhône-Loire"]
DEPARTMENTS = [("Drôme", "26"), ("Ardèche", "07"), ("Isère", "38"), ("Savoie", "73"), ("Rhône", "69"), ("Loire", "42")]
STRUCTURES_PER_REGION = 4
SESSIONS_PER_SEASON = 15
TYPICAL = {"candidacies": 273, "projects": 13, "members": 60}
FLAGSHIP = {"candidacies": 3000, "projects": 150, "members": 675, "coaches": 62}
STATUSES = [
    Candidacy.Status.SUBMITTED,
    Candidacy.Status.UNDER_REVIEW,
    Candidacy.Status.SHORTLISTED,
    Candidacy.Status.REJECTED,
    Candidacy.Status.ACCEPTED,
    Candidacy.Status.DRAFT,
]
WORDS = ["tiers-lieu", "garage", "épicerie", "ressourcerie", "jardin", "café", "atelier", "habitat", "mobilité"]
COMMUNES = ["Crest", "Dieulefit", "Die", "Privas", "Aubenas", "Nyons", "Annonay", "Tournon", "Valence"]


@dataclass
class Network:
    """What the measures need to find again: the people who log in and the seasons they look at."""

    scale: float
    staff: User
    coach: User
    superuser: User
    flagship: Cohort
    typical: Cohort
    calling: Cohort
    counts: dict = field(default_factory=dict)


def _n(value: float, least: int = 1) -> int:
    return max(least, round(value))


def build(scale: float = 1.0) -> Network:
    """Fill an empty, migrated database; return the people and seasons the measures look at."""
    serial = itertools.count(1)
    password = make_password(PASSWORD)
    now = timezone.now()
    territories = Territory.objects.bulk_create(
        [Territory(name=name, department_code=code) for name, code in DEPARTMENTS]
    )
    structures = PartnerStructure.objects.bulk_create(
        [
            PartnerStructure(name=f"{region} — structure {index + 1}", kind=PartnerStructure.Kind.CAE, town="Valence")
            for region in REGIONS
            for index in range(STRUCTURES_PER_REGION)
        ]
    )
    by_region = [structures[r * STRUCTURES_PER_REGION : (r + 1) * STRUCTURES_PER_REGION] for r in range(len(REGIONS))]

    coaches_per_structure = _n(FLAGSHIP["coaches"] * scale / STRUCTURES_PER_REGION, 2)
    users = [
        User(
            email=f"coach{next(serial)}@banc.exemple.fr",
            first_name=f"Prénom{index}",
            last_name=f"Coach {structure.pk}-{index}",
            role=User.Role.COACH,
            is_reviewer=True,
            partner_structure=structure,
            password=password,
        )
        for structure in structures
        for index in range(coaches_per_structure)
    ]
    users += [
        User(
            email="equipe@banc.exemple.fr",
            first_name="Claire",
            last_name="Équipe",
            role=User.Role.STAFF,
            partner_structure=structures[0],
            password=password,
        ),
        User(
            email="admin@banc.exemple.fr",
            first_name="Alex",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
            password=password,
        ),
    ]
    users = User.objects.bulk_create(users)
    coaches_by_structure = {}
    for user in users:
        if user.role == User.Role.COACH:
            coaches_by_structure.setdefault(user.partner_structure_id, []).append(user)
    staff, superuser = users[-2], users[-1]

    n_seasons = _n(100 * scale, 10)
    n_programmes = _n(30 * scale, 4)
    programmes = Programme.objects.bulk_create(
        [
            Programme(name=f"Programme {index + 1:02d}", description="Un programme partagé.")
            for index in range(n_programmes)
        ]
    )
    # Programme 1 is run by its whole region (the flagship's board lists every coach there); the others by
    # two structures each, the region's first one among them: the staff member's structure runs its region's.
    partner_links = []
    for index, programme in enumerate(programmes):
        region = by_region[index % len(REGIONS)]
        partners = region if index == 0 else [region[0], region[1 + index % (STRUCTURES_PER_REGION - 1)]]
        partner_links += [(programme, structure) for structure in partners]
    links = Programme.partners.through
    links.objects.bulk_create([links(programme=p, partnerstructure=s) for p, s in partner_links])
    partners_of = {}
    for programme, structure in partner_links:
        partners_of.setdefault(programme.pk, []).append(structure)

    cohorts = []
    for index in range(n_seasons):
        programme = programmes[index % n_programmes]
        # Each programme's newest season calls for candidacies now; the one before runs; older ones are over.
        generation = index // n_programmes
        start = timezone.localdate() + datetime.timedelta(
            days=60 - 90 * min(generation, 1) - 365 * max(generation - 1, 0)
        )
        cohorts.append(
            Cohort(
                programme=programme,
                name=f"Saison {generation + 1} ({start.year})",
                start_date=start,
                end_date=season_end_date(start, 15),
                call_opens_on=start - datetime.timedelta(days=120),
                call_closes_on=start - datetime.timedelta(days=30),
            )
        )
    cohorts = Cohort.objects.bulk_create(cohorts)
    links = Cohort.territories.through
    links.objects.bulk_create(
        [
            links(cohort=cohort, territory=territories[(i % 3) * 2 + j])
            for i, cohort in enumerate(cohorts)
            for j in (0, 1)
        ]
    )
    # The flagship is programme 1's running season; the typical one another running season the staff member
    # runs; the calling one is that programme's next season, open to candidacies.
    flagship, typical, calling = cohorts[n_programmes], cohorts[n_programmes + 3], cohorts[3]

    counts = {"candidacies": 0, "attendance": 0}
    for index, cohort in enumerate(cohorts):
        size = {key: _n(value * scale) for key, value in FLAGSHIP.items()} if cohort is flagship else dict(TYPICAL)
        coaches = [c for s in partners_of[cohort.programme_id] for c in coaches_by_structure[s.pk]]
        counts["candidacies"] += _fill_candidacies(cohort, size["candidacies"], territories, serial, now)
        # Programmes meet on different days (one in twenty shares its days): a day's reminders are that day's.
        day_offset = (index % n_programmes) % 20
        structure = partners_of[cohort.programme_id][0]
        counts["attendance"] += _fill_season(cohort, size, coaches, structure, territories, serial, day_offset)
    # A few failed mails for the page that lists them.
    OutgoingMail.objects.bulk_create(
        [
            OutgoingMail(
                to=[f"personne{i}@exemple.fr"],
                subject=f"Rappel {i}",
                body="Bonjour",
                status=OutgoingMail.Status.FAILED,
                attempts=5,
                last_error="550 boîte inconnue",
            )
            for i in range(_n(200 * scale, 5))
        ]
    )
    if connection.vendor == "postgresql":
        # What autovacuum does to a live database soon after such inserts: statistics for the planner, and the
        # visibility map that lets counts read an index alone (VACUUM cannot run in a transaction: a test's).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return Network(
        scale=scale,
        staff=staff,
        coach=_coach_of(typical),
        superuser=superuser,
        flagship=flagship,
        typical=typical,
        calling=calling,
        counts=counts,
    )


def _coach_of(cohort):
    assignment = CoachAssignment.objects.filter(cohort=cohort).select_related("coach").order_by("pk").first()
    return assignment.coach


def _fill_candidacies(cohort, count, territories, serial, now) -> int:
    rows = []
    for index in range(count):
        n = next(serial)
        status = STATUSES[index % len(STATUSES)]
        sent = status != Candidacy.Status.DRAFT
        word = WORDS[n % len(WORDS)]
        rows.append(
            Candidacy(
                cohort=cohort,
                status=status,
                reference=f"B-{n:07d}" if sent else None,
                submitted_at=now if sent else None,
                project_name=f"{word.capitalize()} de {COMMUNES[n % len(COMMUNES)]} n°{n}",
                summary=f"Un projet de {word} pour les habitants, porté par un collectif ({n}).",
                need="Aucun lieu de ce genre à moins de 20 km.",
                collective_dimension="Une association d'habitants.",
                economic_model="Ventes, adhésions, subventions.",
                territory=territories[n % len(territories)],
                commune=COMMUNES[n % len(COMMUNES)],
                sector="third_place",
                contact_name=f"Camille Porteur{n}",
                contact_email=f"porteur{n}@exemple.fr",
                consent_at=now,
            )
        )
    Candidacy.objects.bulk_create(rows, batch_size=1000)
    return count


def _fill_season(cohort, size, coaches, structure, territories, serial, day_offset=0) -> int:
    projects = Project.objects.bulk_create(
        [
            Project(
                cohort=cohort,
                name=f"Projet {next(serial):06d}",
                sector="ageing_well",
                territory=territories[i % len(territories)],
                commune=COMMUNES[i % len(COMMUNES)],
            )
            for i in range(size["projects"])
        ],
        batch_size=1000,
    )
    members = ProjectMember.objects.bulk_create(
        [
            ProjectMember(
                project=projects[i % len(projects)],
                name=f"Membre {next(serial)}",
                email=f"membre{next(serial)}@exemple.fr",
                calendar_key=uuid.uuid4(),
            )
            for i in range(size["members"])
        ],
        batch_size=1000,
    )
    # Every coach takes up to the season's cap; the last projects wait for somebody.
    cap = cohort.max_projects_per_coach
    assigned = min(max(len(projects) - 1, 1), len(coaches) * cap)
    pairs = [(projects[i], coaches[i // cap]) for i in range(assigned)]
    CoachAssignment.objects.bulk_create(
        [CoachAssignment(project=p, coach=c, cohort=cohort, started_on=cohort.start_date) for p, c in pairs],
        batch_size=1000,
    )
    CoachingSession.objects.bulk_create(
        [
            CoachingSession(
                project=p,
                coach=c,
                date=cohort.start_date + datetime.timedelta(days=14 * k),
                duration_minutes=90,
                format="on_site",
                topics=[["economic"], ["personal"], ["economic", "personal"]][k % 3],
                notes="Point sur le prévisionnel.",
            )
            for p, c in pairs
            for k in range(6)
        ],
        batch_size=1000,
    )
    Milestone.objects.bulk_create(
        [Milestone(project=p, name=name, order=o) for p in projects for o, name in enumerate(["Étude", "Statuts"])],
        batch_size=1000,
    )
    venue = Venue.objects.create(
        name=f"Tiers-lieu {next(serial)}",
        kind=Venue.Kind.THIRD_PLACE,
        address="2 rue des Écoles",
        commune="Crest",
        territory=territories[0],
        partner_structure=structure,
    )
    trainer = Trainer.objects.create(
        name=f"Formatrice {next(serial)}", home_territory=territories[0], partner_structure=structure
    )
    sessions = TrainingSession.objects.bulk_create(
        [
            TrainingSession(
                cohort=cohort,
                title=f"Journée collective {k + 1}",
                date=cohort.start_date + datetime.timedelta(days=28 * k + 10 + day_offset),
                venue=venue,
                status=(
                    TrainingSession.Status.HELD
                    if cohort.start_date + datetime.timedelta(days=28 * k + 10 + day_offset) < timezone.localdate()
                    else TrainingSession.Status.PLANNED
                ),
                morning_start=datetime.time(9),
                morning_end=datetime.time(12, 30),
                afternoon_start=datetime.time(13, 30),
                afternoon_end=datetime.time(17),
            )
            for k in range(SESSIONS_PER_SEASON)
        ]
    )
    links = TrainingSession.trainers.through
    links.objects.bulk_create([links(trainingsession=s, trainer=trainer) for s in sessions])
    responses = [Attendance.Response.CONFIRMED, Attendance.Response.INVITED, Attendance.Response.DECLINED]
    rows = [
        Attendance(
            session=session,
            member=member,
            response=responses[i % 3],
            morning=("present" if i % 4 else "absent") if session.status == TrainingSession.Status.HELD else "",
            afternoon=("present" if i % 5 else "excused") if session.status == TrainingSession.Status.HELD else "",
        )
        for session in sessions
        for i, member in enumerate(members)
    ]
    Attendance.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

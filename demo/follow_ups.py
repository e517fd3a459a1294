"""Demo follow-ups: an earlier season of the demo programme, ended about twenty months ago, whose projects said
where they stood 6 and 12 months later (one has not answered its 12-month question yet, and was reminded).

Safe to run again: the season is looked up by its dates, its projects by their names, and follow-ups already
there are kept.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, Programme, season_end_date
from incubator.models import Territory
from projects.models import FollowUp, ImportedCandidacyCount, Outcome, Project, ProjectMember, Sector
from projects.services import follow_ups

PROGRAMME = "Accompagnement partagé Drôme-Ardèche"
DEMO_DOMAIN = "suivi.demo.example"  # reserved top-level domain: never delivered anywhere
RUNNING, PREPARING, PAUSED, STOPPED = (
    FollowUp.Status.RUNNING,
    FollowUp.Status.PREPARING,
    FollowUp.Status.PAUSED,
    FollowUp.Status.STOPPED,
)
LegalForm = Outcome.LegalForm

# Each project: where it stood at the season's end, then 6 and 12 months later (None: not answered yet).
PROJECTS = [
    {
        "name": "La Grange partagée",
        "sector": Sector.THIRD_PLACE,
        "department": "26",
        "commune": "Saoû",
        "contact": ("Claire Dumas", "claire.dumas"),
        "outcome": (Outcome.Status.LAUNCHED, LegalForm.SCIC, "1.0", 12, "18000"),
        6: (RUNNING, LegalForm.SCIC, "1.5", 15, "42000", "Le café associatif ouvre trois jours par semaine."),
        12: (RUNNING, LegalForm.SCIC, "2.5", 20, "65000", "Une deuxième salariée depuis le printemps."),
    },
    {
        "name": "Roule ma Poule, garage solidaire",
        "sector": Sector.SOLIDARITY_GARAGE,
        "department": "07",
        "commune": "Privas",
        "contact": ("Karim Benali", "karim.benali"),
        "outcome": (Outcome.Status.CONTINUING, LegalForm.ASSOCIATION, "0.5", 6, "8000"),
        6: (PREPARING, LegalForm.ASSOCIATION, "0.5", 8, "15000", "Le local est trouvé, les travaux commencent."),
        12: (RUNNING, LegalForm.ASSOCIATION, "1.0", 9, "27000", "Premiers clients depuis janvier."),
    },
    {
        "name": "Les Toits du Coiron, habitat partagé",
        "sector": Sector.AGEING_WELL,
        "department": "07",
        "commune": "Mirabel",
        "contact": ("Hélène Roche", "helene.roche"),
        "outcome": (Outcome.Status.PAUSED, LegalForm.NONE, "0.0", 4, "0"),
        6: (PAUSED, LegalForm.NONE, "0.0", 4, "3000", "On attend la réponse de la mairie sur le terrain."),
        12: None,
    },
]


def _earlier_season(programme: Programme, territories) -> Cohort:
    """The season before the demo's past one: fifteen months, ending the day before that one starts.

    Its candidacies were counted on paper then: their numbers per territory and sector are all it keeps of them,
    as for the seasons brought in from a file before it."""
    first = programme.cohorts.filter(season_import__isnull=True).order_by("start_date", "pk").first()
    if first.end_date <= follow_ups.add_months(timezone.localdate(), -12):
        return first  # made by an earlier run: the demo's own past season ended months ago, not a year
    index = first.start_date.year * 12 + first.start_date.month - 1 - 15
    start = datetime.date(index // 12, index % 12 + 1, 1)
    cohort = Cohort.objects.create(
        programme=programme,
        name=f"Saison {start.year}-{season_end_date(start, 15).year}",
        start_date=start,
        call_opens_on=start - datetime.timedelta(days=90),
        call_closes_on=start - datetime.timedelta(days=30),
    )
    cohort.territories.set(territories)
    by_code = {territory.department_code: territory for territory in territories}
    ImportedCandidacyCount.objects.bulk_create(
        [
            ImportedCandidacyCount(
                cohort=cohort, territory=by_code["26"], sector=Sector.THIRD_PLACE, received=7, accepted=2
            ),
            ImportedCandidacyCount(cohort=cohort, territory=by_code["07"], sector=Sector.FOOD, received=5, accepted=1),
        ]
    )
    return cohort


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=follow_ups.PARIS)


@transaction.atomic
def seed_follow_ups(*, stdout=None) -> Cohort | None:
    """The earlier season, its projects and their follow-ups; returns the season."""
    programme = Programme.objects.filter(name=PROGRAMME).first()
    if programme is None or not programme.cohorts.exists():
        return None
    territories = {territory.department_code: territory for territory in Territory.objects.all()}
    cohort = _earlier_season(programme, list(territories.values()))
    now = timezone.now()
    added = []
    for described in PROJECTS:
        project, created = Project.objects.get_or_create(
            cohort=cohort,
            name=described["name"],
            defaults={
                "sector": described["sector"],
                "territory": territories.get(described["department"]),
                "commune": described["commune"],
                "summary": "Un projet collectif accompagné par le programme, suivi après sa saison.",
            },
        )
        name, login = described["contact"]
        if created:
            ProjectMember.objects.create(project=project, name=name, email=f"{login}@{DEMO_DOMAIN}", role="Contact")
        if not Outcome.objects.filter(project=project).exists():
            status, form, jobs, volunteers, funds = described["outcome"]
            Outcome.objects.create(
                project=project,
                status=status,
                legal_form=form,
                jobs_fte=Decimal(jobs),
                volunteers=volunteers,
                funds_raised=Decimal(funds),
            )
        asked = set(project.follow_ups.values_list("months", flat=True))
        for months in (6, 12):
            day = follow_ups.due_on(cohort, months)
            if months in asked or day > now.date():
                continue
            sent = _moment(day, follow_ups.SEND_HOUR)
            row = FollowUp(project=project, months=months, due_on=day, email=f"{login}@{DEMO_DOMAIN}", sent_at=sent)
            answer = described[months]
            if answer is None:
                row.reminded_at = sent + datetime.timedelta(days=follow_ups.REMIND_DAYS)
            else:
                status, form, jobs, volunteers, funds, sentence = answer
                row.status, row.legal_form, row.sentence = status, form, sentence
                row.jobs_fte, row.volunteers, row.funds_raised = Decimal(jobs), volunteers, Decimal(funds)
                row.answered_at = sent + datetime.timedelta(days=3, hours=2)
            added.append(row)
    FollowUp.objects.bulk_create(added)
    if stdout and added:
        stdout.write(f"{len(added)} suivis après la saison de démonstration ajoutés ({cohort.name}).")
    return cohort

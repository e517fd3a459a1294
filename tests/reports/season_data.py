"""A season's worth of report data, built with bulk_create so that 10× (or 1,000×) the rows stay quick.

Per unit of `scale`:
- 10 candidacies: 1 draft (never counted), 3 accepted, 3 rejected, 3 submitted;
- 3 projects coached by `coach`, 2 members each; per project 4 meetings of 90 minutes (2 on an economic
  topic, 1 on a personal one, 1 on both, shared: 3.75 h technical, 2.25 h human, 6 h in all), 2 milestones (1 reached)
  and 1 actor met (a local authority); outcomes: the first launched (SCIC, 1.5 FTE, 3 volunteers,
  10,000 €), the second stopped with skills gained, the third without an outcome yet;
- 3 collective days: held at a partner's office, held in a third place, cancelled; the unit's 6 members are
  invited to each; on the held days even members come all day and odd ones in the morning only (75 %);
- 2 venues (a partner's office, a third place) and 2 trainers: a local one (400 € a day) leading the first
  held day, one from elsewhere (600 €) the second;
- after each held day, every member is asked for a word; even members answer (utility 4, organisation 5), the
  first of them with a comment.
"""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from incubator.models import Territory
from projects.models import (
    Actor,
    ActorMet,
    Candidacy,
    CoachAssignment,
    CoachingSession,
    FollowUp,
    Milestone,
    Outcome,
    Project,
    ProjectMember,
    actor_key,
)
from trainings.models import Attendance, Survey, Trainer, TrainingSession, Venue

_serial = itertools.count(1)

CANDIDACIES_PER_UNIT = 9  # received; plus one draft
PROJECTS_PER_UNIT = 3
MEMBERS_PER_PROJECT = 2
MEETINGS_PER_PROJECT = 4
SESSIONS_PER_UNIT = 3
HELD_PER_UNIT = 2


def fill_season(cohort, *, coach, scale=1, territory=None, elsewhere=None):
    territory = territory or cohort.territories.first()
    elsewhere = elsewhere or Territory.objects.get_or_create(name="Isère", defaults={"department_code": "38"})[0]
    now = timezone.now()
    statuses = [Candidacy.Status.DRAFT] + [Candidacy.Status.ACCEPTED] * 3 + [Candidacy.Status.REJECTED] * 3
    statuses += [Candidacy.Status.SUBMITTED] * 3
    candidacies = []
    for _unit in range(scale):
        for status in statuses:
            n = next(_serial)
            sent = status != Candidacy.Status.DRAFT
            candidacies.append(
                Candidacy(
                    cohort=cohort,
                    status=status,
                    reference=f"R-{n:06d}" if sent else None,
                    submitted_at=now if sent else None,
                    project_name=f"Candidature {n}",
                    territory=territory,
                    sector="third_place",
                    contact_email=f"c{n}@exemple.fr",
                )
            )
    Candidacy.objects.bulk_create(candidacies, batch_size=500)

    projects = Project.objects.bulk_create(
        [
            Project(cohort=cohort, name=f"Projet {next(_serial):06d}", sector="ageing_well", territory=territory)
            for _ in range(PROJECTS_PER_UNIT * scale)
        ],
        batch_size=500,
    )
    CoachAssignment.objects.bulk_create(
        [
            CoachAssignment(project=project, coach=coach, cohort=cohort, started_on=cohort.start_date)
            for project in projects
        ],
        batch_size=500,
    )
    members = ProjectMember.objects.bulk_create(
        [
            ProjectMember(project=project, name=f"Membre {index}", email=f"m{next(_serial)}@exemple.fr")
            for project in projects
            for index in range(MEMBERS_PER_PROJECT)
        ],
        batch_size=500,
    )
    topics = [["economic"], ["economic"], ["personal"], ["economic", "personal"]]
    CoachingSession.objects.bulk_create(
        [
            CoachingSession(project=project, coach=coach, date=cohort.start_date, duration_minutes=90, topics=subjects)
            for project in projects
            for subjects in topics
        ],
        batch_size=500,
    )
    Milestone.objects.bulk_create(
        [
            Milestone(project=project, name=name, order=order, done_on=cohort.start_date if order == 0 else None)
            for project in projects
            for order, name in enumerate(["Étude de marché", "Statuts"])
        ],
        batch_size=500,
    )
    outcomes = []
    for index, project in enumerate(projects):
        if index % 3 == 0:
            outcomes.append(
                Outcome(
                    project=project,
                    status=Outcome.Status.LAUNCHED,
                    legal_form=Outcome.LegalForm.SCIC,
                    jobs_fte=Decimal("1.5"),
                    volunteers=3,
                    funds_raised=Decimal("10000"),
                )
            )
        elif index % 3 == 1:
            outcomes.append(
                Outcome(project=project, status=Outcome.Status.STOPPED, skills_gained="Prise de parole en public")
            )
    Outcome.objects.bulk_create(outcomes, batch_size=500)
    # Six months after the season, every project was asked; every other one answered.
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                project=project,
                months=6,
                due_on=cohort.end_date,
                email=f"suivi{next(_serial)}@exemple.fr",
                sent_at=now,
                **(
                    {}
                    if index % 2
                    else {
                        "status": FollowUp.Status.RUNNING,
                        "legal_form": Outcome.LegalForm.SCIC,
                        "jobs_fte": Decimal("2.0"),
                        "volunteers": 4,
                        "funds_raised": Decimal("20000"),
                        "answered_at": now,
                    }
                ),
            )
            for index, project in enumerate(projects)
        ],
        batch_size=500,
    )
    mairie, _created = Actor.objects.get_or_create(
        programme_id=cohort.programme_id,
        name_key=actor_key("Mairie"),
        defaults={"organisation": "Mairie", "kind": Actor.Kind.LOCAL_AUTHORITY},
    )
    ActorMet.objects.bulk_create([ActorMet(project=project, actor=mairie) for project in projects], batch_size=500)

    sessions, leaders = [], []
    for _unit in range(scale):
        office = Venue(
            name=f"Bureaux {next(_serial)}",
            kind=Venue.Kind.PARTNER_OFFICE,
            address="1 rue",
            commune="Montélimar",
            territory=territory,
            partner_structure_id=coach.partner_structure_id,
        )
        third_place = Venue(
            name=f"Tiers-lieu {next(_serial)}",
            kind=Venue.Kind.THIRD_PLACE,
            address="2 rue",
            commune="Crest",
            territory=territory,
            partner_structure_id=coach.partner_structure_id,
        )
        local = Trainer(name=f"Formatrice locale {next(_serial)}", home_territory=territory, daily_rate=400)
        local.partner_structure_id = coach.partner_structure_id
        remote = Trainer(name=f"Formateur lointain {next(_serial)}", home_territory=elsewhere, daily_rate=600)
        remote.partner_structure_id = coach.partner_structure_id
        Venue.objects.bulk_create([office, third_place])
        Trainer.objects.bulk_create([local, remote])
        day = cohort.start_date + datetime.timedelta(days=3 * next(_serial))  # three free days in a row
        for offset, (venue, status, trainer) in enumerate(
            [
                (office, TrainingSession.Status.HELD, local),
                (third_place, TrainingSession.Status.HELD, remote),
                (office, TrainingSession.Status.CANCELLED, None),
            ]
        ):
            leaders.append(trainer)
            sessions.append(
                TrainingSession(
                    cohort=cohort,
                    title=f"Journée {next(_serial)}",
                    date=day + datetime.timedelta(days=offset),
                    venue=venue,
                    status=status,
                    morning_start=datetime.time(9),
                    morning_end=datetime.time(12),
                    afternoon_start=datetime.time(13),
                    afternoon_end=datetime.time(17),
                )
            )
    sessions = TrainingSession.objects.bulk_create(sessions, batch_size=500)
    links = TrainingSession.trainers.through
    links.objects.bulk_create(
        [
            links(trainingsession=session, trainer=trainer)
            for session, trainer in zip(sessions, leaders, strict=True)
            if trainer is not None
        ],
        batch_size=500,
    )
    present, absent = Attendance.Presence.PRESENT, Attendance.Presence.ABSENT
    per_unit = PROJECTS_PER_UNIT * MEMBERS_PER_PROJECT
    rows = []
    for position, session in enumerate(sessions):
        held = session.status == TrainingSession.Status.HELD
        unit = position // SESSIONS_PER_UNIT  # each unit's members are invited to that unit's days
        for index, member in enumerate(members[unit * per_unit : (unit + 1) * per_unit]):
            rows.append(
                Attendance(
                    session=session,
                    member=member,
                    response=Attendance.Response.CONFIRMED,
                    morning=present if held else "",
                    afternoon=(present if index % 2 == 0 else absent) if held else "",
                )
            )
    Attendance.objects.bulk_create(rows, batch_size=1000)
    answered_at = timezone.now()
    Survey.objects.bulk_create(
        [
            Survey(
                session=row.session,
                member=row.member,
                **(
                    {
                        "usefulness": 4,
                        "organisation": 5,
                        "comment": "Très concret, merci." if index % per_unit == 0 else "",
                        "answered_at": answered_at,
                    }
                    if index % 2 == 0
                    else {}
                ),
            )
            for index, row in enumerate(rows)
            if row.session.status == TrainingSession.Status.HELD
        ],
        batch_size=1000,
    )
    return projects

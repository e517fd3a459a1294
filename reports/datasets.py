"""The season report's datasets: one function per table, each giving its columns and a row iterator.

Building a `Dataset` runs no query. Iterating its rows runs a fixed number of queries (written next to
each function) whatever the size of the season, and reads them with `.iterator()` so that a season with
tens of thousands of rows is never held in memory: the exports write each row as it comes.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import (
    Actor,
    ActorMet,
    Candidacy,
    CoachingSession,
    FollowUp,
    MeetingFormat,
    Milestone,
    Outcome,
    Project,
    Sector,
    Topic,
)
from projects.services import CoachingTotals, ProjectCoaches, season_project_coaches
from trainings.models import Attendance, Trainer, TrainingSession, Venue
from trainings.services import project_attendance_rates, session_attendance_rates

from .resources import season_resources

# Rows fetched per round trip: large enough to be quick, small enough to keep memory flat.
CHUNK_SIZE = 2000

TEXT, INTEGER, DECIMAL, DATE, PERCENT, HOURS, EUROS, BOOLEAN = (
    "text",
    "integer",
    "decimal",
    "date",
    "percent",
    "hours",
    "euros",
    "boolean",
)


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT
    width: int = 16  # in characters, for the spreadsheet
    personal: bool = False  # what a person typed or who a person is: left out of the files for funders


@dataclass(frozen=True)
class Dataset:
    key: str  # file and sheet name, in French like the rest of the report
    title: str
    columns: list[Column]
    rows: Callable[[], Iterator[tuple]] = field(repr=False)
    for_funders: bool = True  # False: one row per person, which no column left out would make anonymous
    # The same rows as CSV cells written by PostgreSQL (`CsvCells`), which the CSV export copies out as they
    # are: for the biggest tables, so that their CSV costs little more than reading them.
    csv_cells: Callable[[], "CsvCells"] | None = field(default=None, repr=False)


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def _hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def _percent(present: int, expected: int) -> Decimal | None:
    return (Decimal(100 * present) / expected).quantize(Decimal("0.1")) if expected else None


def _count(queryset, outer="project"):
    """How many rows of `queryset` belong to the outer row, 0 when none: one subquery, no row multiplication."""
    rows = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# --- Cells written by the database, for the CSV ------------------------------------------------------
# Each gives the text `exports.csv_value` gives for the column's values (PostgreSQL only; tests compare both).


@dataclass(frozen=True)
class CsvCells:
    """A dataset's rows as PostgreSQL writes them for the CSV: `rows`, a `values_list` queryset of the raw values
    under names of their own, sorted by the names of `order`; and per column of the file, the SQL writing its
    cell (the text `exports.csv_value` gives, NULL for an empty cell) from those names, with its parameters."""

    rows: QuerySet
    order: tuple[str, ...]
    cells: tuple[tuple[str, tuple], ...]


def _column(name: str) -> str:
    return connection.ops.quote_name(name)


# Text a spreadsheet would run as a formula (the OWASP list); a leading quote makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """Text that no spreadsheet reads as a formula: applicant-typed cells reach staff's Excel."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_text(name: str) -> tuple[str, tuple]:
    """A text column as `neutralised` writes it, quoted when it starts like a formula."""
    column = _column(name)
    starts = ", ".join(str(ord(character)) for character in FORMULA_STARTS)
    return f"CASE WHEN ascii({column}) IN ({starts}) THEN '''' || {column} ELSE NULLIF({column}, '') END", ()


def _csv_date(name: str) -> tuple[str, tuple]:
    """A date as French Excel reads it, dd/mm/yyyy."""
    return f"to_char({_column(name)}, 'DD/MM/YYYY')", ()


def _csv_label(name: str, labels: dict, *, other: bool = True) -> tuple[str, tuple]:
    """A choice's label in the language of the moment, looked up in one JSON object; a value with no label is
    written as itself (`other`), or left empty."""
    mapping = json.dumps({value: neutralised(label) for value, label in labels.items()})
    if not other:
        return f"(%s::jsonb ->> {_column(name)})", (mapping,)
    text, params = _csv_text(name)
    return f"COALESCE(%s::jsonb ->> {_column(name)}, {text})", (mapping, *params)


def _csv_count(value: str, *names: str) -> tuple[str, tuple]:
    """How many of the columns hold `value`, as text."""
    return "(" + " + ".join(f"({_column(name)} = %s)::int" for name in names) + ")::text", (value,) * len(names)


def _is_outside_partner_offices(kind: str | None) -> bool | None:
    return None if kind is None else kind != Venue.Kind.PARTNER_OFFICE


# --- Candidacies ---------------------------------------------------------------------------------


def candidacies(cohort) -> Dataset:
    """Every candidacy sent for the season (drafts are not candidacies yet). One query.

    The contact details stay out: a funder needs the shape of the call, not the applicants' phone numbers.
    """
    columns = [
        Column(_("Référence"), width=14),
        Column(_("Projet"), width=36, personal=True),  # as the applicant typed it, even when turned down
        Column(_("Envoyée le"), DATE, 12),
        Column(_("État"), width=16),
        Column(_("Territoire"), width=16),
        Column(_("Secteur"), width=30),
        Column(_("Commune"), width=20),
        Column(_("Où en était le projet"), width=32),
        Column(_("A connu le programme par"), width=30),
    ]

    def rows():
        status, sector = _labels(Candidacy.Status.choices), _labels(Sector.choices)
        stage, heard_from = _labels(Candidacy.Stage.choices), _labels(Candidacy.HeardFrom.choices)
        queryset = (
            Candidacy.objects.received()
            .filter(cohort=cohort)
            .order_by("submitted_at", "pk")
            .values_list(
                "reference",
                "project_name",
                "submitted_at",
                "status",
                "territory__name",
                "sector",
                "commune",
                "stage",
                "heard_from",
            )
        )
        for reference, name, sent_at, state, territory, sec, commune, stg, heard in queryset.iterator(CHUNK_SIZE):
            yield (
                reference,
                name,
                timezone.localdate(sent_at) if sent_at else None,
                status.get(state, state),
                territory or "",
                sector.get(sec, ""),
                commune,
                stage.get(stg, ""),
                heard_from.get(heard, ""),
            )

    return Dataset("candidatures", _("Candidatures"), columns, rows)


# --- Projects ------------------------------------------------------------------------------------


def projects_queryset(cohort):
    """The season's projects with everything the report says about each; one query when evaluated."""
    minutes = (
        CoachingSession.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("duration_minutes"))
        .values("total")
    )
    return (
        Project.objects.filter(cohort=cohort)
        .order_by("name", "pk")
        .annotate(
            meetings_count=_count(CoachingSession.objects.all()),
            coaching_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
            milestones_done=_count(Milestone.objects.filter(done_on__isnull=False)),
            milestones_total=_count(Milestone.objects.all()),
            actors_met_count=_count(ActorMet.objects.all()),
        )
    )


def projects(cohort) -> Dataset:
    """One row per project with its coaches, coaching, milestones, collective days and outcome. Two queries
    (the attendance rates grouped by project, then the projects with their subqueries), and two more per
    `CHUNK_SIZE` projects: who coached them (their assignments, then their meetings grouped by coach)."""
    columns = [
        Column(_("Projet"), width=34),
        Column(_("Secteur"), width=28),
        Column(_("Territoire"), width=14),
        Column(_("Commune"), width=18),
        Column(_("Chargé·e d'accompagnement"), width=24),
        Column(_("Structure d'accompagnement"), width=24),
        Column(_("Chargé·es sur la saison (part de l'accompagnement)"), width=40),
        Column(_("Rendez-vous"), INTEGER, 12),
        Column(_("Heures d'accompagnement"), HOURS, 14),
        Column(_("Étapes clés atteintes"), INTEGER, 12),
        Column(_("Étapes clés prévues"), INTEGER, 12),
        Column(_("Présence aux journées (%)"), PERCENT, 14),
        Column(_("Acteurs du territoire rencontrés"), INTEGER, 14),
        Column(_("Bilan"), width=14),
        Column(_("Forme juridique"), width=24),
        Column(_("Emplois créés (ETP)"), DECIMAL, 12),
        Column(_("Bénévoles"), INTEGER, 12),
        Column(_("Fonds obtenus (€)"), EUROS, 14),
        Column(_("Compétences et confiance gagnées"), width=50),
    ]

    def rows():
        sector, outcome_status = _labels(Sector.choices), _labels(Outcome.Status.choices)
        legal_form = _labels(Outcome.LegalForm.choices)
        rates = project_attendance_rates(cohort)
        queryset = projects_queryset(cohort).values_list(
            "pk",
            "name",
            "sector",
            "territory__name",
            "commune",
            "meetings_count",
            "coaching_minutes",
            "milestones_done",
            "milestones_total",
            "actors_met_count",
            "outcome__status",
            "outcome__legal_form",
            "outcome__jobs_fte",
            "outcome__volunteers",
            "outcome__funds_raised",
            "outcome__skills_gained",
        )

        def described(chunk):
            # Who coached these projects: read per chunk, so that memory stays flat however big the season.
            coaches = season_project_coaches(cohort=cohort, projects=[row[0] for row in chunk]) if chunk else {}
            for row in chunk:
                (pk, name, sec, territory, commune, meetings, minutes, done, total, actors) = row[:10]
                status, form, jobs, volunteers, funds, skills = row[10:]
                rate, coached = rates[pk], coaches.get(pk, ProjectCoaches())
                yield (
                    name,
                    sector.get(sec, ""),
                    territory or "",
                    commune,
                    coached.main.name if coached.main else "",
                    coached.main.structure if coached.main else "",
                    coached.describe(),
                    meetings,
                    _hours(minutes),
                    done,
                    total,
                    _percent(rate.present, rate.expected),
                    actors,
                    outcome_status.get(status, ""),
                    legal_form.get(form, ""),
                    jobs,
                    volunteers,
                    funds,
                    skills or "",
                )

        chunk = []
        for row in queryset.iterator(CHUNK_SIZE):
            chunk.append(row)
            if len(chunk) == CHUNK_SIZE:
                yield from described(chunk)
                chunk = []
        yield from described(chunk)

    return Dataset("projets", _("Projets"), columns, rows)


# --- Coaching meetings ---------------------------------------------------------------------------


def meetings(cohort) -> Dataset:
    """Every one-to-one meeting of the season's projects, without the coaches' notes. One query."""
    columns = [
        Column(_("Date"), DATE, 12),
        Column(_("Projet"), width=34),
        Column(_("Chargé·e d'accompagnement"), width=24),
        Column(_("Structure"), width=24),
        Column(_("Durée (heures)"), HOURS, 10),
        Column(_("Format"), width=22),
        Column(_("Sujets abordés"), width=50),
        Column(_("dont sujets techniques (heures)"), HOURS, 14),
        Column(_("dont sujets humains (heures)"), HOURS, 14),
        Column(_("dont sans sujet noté (heures)"), HOURS, 14),
    ]

    def rows():
        formats, topics = _labels(MeetingFormat.choices), _labels(Topic.choices)
        queryset = (
            CoachingSession.objects.filter(project__cohort=cohort)
            .order_by("date", "pk")
            .values_list(
                "date",
                "project__name",
                "coach__first_name",
                "coach__last_name",
                "coach__partner_structure__name",
                "duration_minutes",
                "format",
                "topics",
            )
        )
        for date, project, first, last, structure, minutes, fmt, subjects in queryset.iterator(CHUNK_SIZE):
            subjects = [subject for subject in (subjects or []) if subject in topics]
            parts = CoachingTotals()  # the same split as every other total of the report
            parts.add(minutes, subjects)
            yield (
                date,
                project,
                f"{first} {last}".strip(),
                structure or "",
                _hours(minutes),
                formats.get(fmt, fmt),
                ", ".join(topics[subject] for subject in subjects),
                _hours(parts.technical_minutes),
                _hours(parts.human_minutes),
                _hours(parts.unspecified_minutes),
            )

    return Dataset("rendez-vous", _("Rendez-vous d'accompagnement"), columns, rows)


# --- Collective days -----------------------------------------------------------------------------


def sessions(cohort) -> Dataset:
    """Every collective day of the season. Three queries: the days, their trainers, their attendance rates."""
    columns = [
        Column(_("Date"), DATE, 12),
        Column(_("Journée"), width=32),
        Column(_("Thème"), width=28),
        Column(_("État"), width=12),
        Column(_("Lieu"), width=28),
        Column(_("Commune"), width=18),
        Column(_("Type de lieu"), width=28),
        Column(_("Hors des locaux des partenaires"), BOOLEAN, 14),
        Column(_("Formateur·rices"), width=36),
        Column(_("Demi-journées de présence"), INTEGER, 14),
        Column(_("Demi-journées attendues"), INTEGER, 14),
        Column(_("Taux de présence (%)"), PERCENT, 12),
        Column(_("Journées-participants"), DECIMAL, 14),
    ]

    def rows():
        status, kinds = _labels(TrainingSession.Status.choices), _labels(Venue.Kind.choices)
        days = TrainingSession.objects.filter(cohort=cohort)
        trainers = defaultdict(list)
        links = TrainingSession.trainers.through.objects.filter(trainingsession__cohort=cohort)
        for session_id, name in links.order_by("trainer__name").values_list("trainingsession_id", "trainer__name"):
            trainers[session_id].append(name)
        rates = session_attendance_rates(days)
        queryset = days.order_by("date", "pk").values_list(
            "pk", "date", "title", "topic", "status", "venue__name", "venue__commune", "venue__kind"
        )
        for pk, date, title, topic, state, venue, commune, kind in queryset.iterator(CHUNK_SIZE):
            rate = rates[pk]
            held = state == TrainingSession.Status.HELD
            yield (
                date,
                title,
                topic,
                status.get(state, state),
                venue or "",
                commune or "",
                kinds.get(kind, ""),
                _is_outside_partner_offices(kind),
                ", ".join(trainers[pk]),
                rate.present,
                rate.expected,
                _percent(rate.present, rate.expected) if held else None,
                rate.participant_days,
            )

    return Dataset("journees", _("Journées collectives"), columns, rows)


def attendance(cohort) -> Dataset:
    """One row per participant and collective day: their answer and presence per half-day. One query."""
    columns = [
        Column(_("Date"), DATE, 12),
        Column(_("Journée"), width=32),
        Column(_("Projet"), width=30),
        Column(_("Participant·e"), width=26),
        Column(_("Réponse"), width=20),
        Column(_("Matin"), width=14),
        Column(_("Après-midi"), width=14),
        Column(_("Demi-journées de présence"), INTEGER, 14),
    ]
    ordered = Attendance.objects.filter(session__cohort=cohort).order_by(
        "session__date", "member__project__name", "member__name", "pk"
    )

    def rows():
        responses, presence = _labels(Attendance.Response.choices), _labels(Attendance.Presence.choices)
        present = Attendance.Presence.PRESENT
        queryset = ordered.values_list(
            "session__date",
            "session__title",
            "member__project__name",
            "member__name",
            "response",
            "morning",
            "afternoon",
        )
        for date, title, project, member, response, morning, afternoon in queryset.iterator(CHUNK_SIZE):
            yield (
                date,
                title,
                project,
                member,
                responses.get(response, response),
                presence.get(morning, ""),
                presence.get(afternoon, ""),
                (morning == present) + (afternoon == present),
            )

    def csv_cells():
        presence = _labels(Attendance.Presence.choices)
        raw = {
            "c_date": F("session__date"),
            "c_title": F("session__title"),
            "c_project": F("member__project__name"),
            "c_member": F("member__name"),
            "c_response": F("response"),
            "c_morning": F("morning"),
            "c_afternoon": F("afternoon"),
            "c_pk": F("pk"),
        }
        return CsvCells(
            rows=ordered.annotate(**raw).values_list(*raw),
            order=("c_date", "c_project", "c_member", "c_pk"),
            cells=(
                _csv_date("c_date"),
                _csv_text("c_title"),
                _csv_text("c_project"),
                _csv_text("c_member"),
                _csv_label("c_response", _labels(Attendance.Response.choices)),
                _csv_label("c_morning", presence, other=False),
                _csv_label("c_afternoon", presence, other=False),
                _csv_count(Attendance.Presence.PRESENT, "c_morning", "c_afternoon"),
            ),
        )

    return Dataset("presences", _("Présences"), columns, rows, for_funders=False, csv_cells=csv_cells)


# --- Local activity ------------------------------------------------------------------------------


def trainer_days(cohort):
    """Trainers who lead the season's days, with their held and planned days; one query when evaluated."""
    in_season = TrainingSession.trainers.through.objects.filter(trainingsession__cohort=cohort).values("trainer")
    season = Q(sessions__cohort=cohort)
    return (
        Trainer.objects.filter(pk__in=in_season)
        .order_by("name", "pk")
        .annotate(
            held_days=Count("sessions", filter=season & Q(sessions__status=TrainingSession.Status.HELD)),
            planned_days=Count("sessions", filter=season & ~Q(sessions__status=TrainingSession.Status.CANCELLED)),
        )
    )


def trainers(cohort) -> Dataset:
    """Trainers of the season's days: local or not, days led and fees. Two queries: territories, trainers."""
    columns = [
        Column(_("Formateur·rice"), width=26),
        Column(_("Structure"), width=26),
        Column(_("Commune"), width=18),
        Column(_("Territoire"), width=14),
        Column(_("Local (territoires de la saison)"), BOOLEAN, 14),
        Column(_("Tarif journée (€)"), EUROS, 12),
        Column(_("Journées prévues"), INTEGER, 12),
        Column(_("Journées tenues"), INTEGER, 12),
        Column(_("Honoraires des journées tenues (€)"), EUROS, 16),
    ]

    def rows():
        territories = set(cohort.territories.values_list("pk", flat=True))
        queryset = trainer_days(cohort).values_list(
            "name",
            "organisation",
            "home_commune",
            "home_territory",
            "home_territory__name",
            "daily_rate",
            "planned_days",
            "held_days",
        )
        for name, organisation, commune, territory_id, territory, rate, planned, held in queryset.iterator(CHUNK_SIZE):
            yield (
                name,
                organisation,
                commune,
                territory or "",
                territory_id in territories,
                rate,
                planned,
                held,
                None if rate is None else rate * held,
            )

    return Dataset("formateurs", _("Formateur·rices"), columns, rows)


def venues(cohort) -> Dataset:
    """Venues of the season's days, with the days planned and held there. One query."""
    columns = [
        Column(_("Lieu"), width=30),
        Column(_("Type de lieu"), width=28),
        Column(_("Commune"), width=18),
        Column(_("Territoire"), width=14),
        Column(_("Hors des locaux des partenaires"), BOOLEAN, 14),
        Column(_("Accessible de plain-pied"), BOOLEAN, 12),
        Column(_("Transports en commun"), BOOLEAN, 12),
        Column(_("Journées prévues"), INTEGER, 12),
        Column(_("Journées tenues"), INTEGER, 12),
    ]

    def rows():
        kinds = _labels(Venue.Kind.choices)
        season = Q(sessions__cohort=cohort)
        queryset = (
            Venue.objects.filter(pk__in=TrainingSession.objects.filter(cohort=cohort).values("venue"))
            .order_by("name", "pk")
            .annotate(
                held=Count("sessions", filter=season & Q(sessions__status=TrainingSession.Status.HELD)),
                planned=Count("sessions", filter=season & ~Q(sessions__status=TrainingSession.Status.CANCELLED)),
            )
            .values_list(
                "name",
                "kind",
                "commune",
                "territory__name",
                "step_free_access",
                "public_transport",
                "planned",
                "held",
            )
        )
        for name, kind, commune, territory, step_free, transport, planned, held in queryset.iterator(CHUNK_SIZE):
            yield (
                name,
                kinds.get(kind, kind),
                commune,
                territory,
                _is_outside_partner_offices(kind),
                step_free,
                transport,
                planned,
                held,
            )

    return Dataset("lieux", _("Lieux"), columns, rows)


def actors_met(cohort) -> Dataset:
    """Territorial actors the projects met during the season. One query."""
    columns = [
        Column(_("Rencontré le"), DATE, 12),
        Column(_("Projet"), width=32),
        Column(_("Organisation"), width=32),
        Column(_("Type"), width=18),
        Column(_("Commune"), width=18),
        Column(_("Territoire"), width=14),
        Column(_("Mis en relation par"), width=26, personal=True),
        Column(_("Note"), width=40, personal=True),
    ]

    def rows():
        kinds = _labels(Actor.Kind.choices)
        queryset = (
            ActorMet.objects.filter(project__cohort=cohort)
            .order_by("met_on", "pk")
            .values_list(
                "met_on",
                "project__name",
                "actor__organisation",
                "actor__kind",
                "actor__commune",
                "actor__territory__name",
                "introduced_by_actor__organisation",
                "introduced_by_project__name",
                "note",
            )
        )
        for met_on, project, organisation, kind, commune, territory, by_actor, by_project, note in queryset.iterator(
            CHUNK_SIZE
        ):
            introducer = by_actor or (str(_("le projet %(name)s") % {"name": by_project}) if by_project else "")
            yield met_on, project, organisation, kinds.get(kind, kind), commune, territory or "", introducer, note

    return Dataset("acteurs", _("Acteurs rencontrés"), columns, rows)


# --- Months after the season ----------------------------------------------------------------------


def follow_ups(cohort) -> Dataset:
    """Every follow-up sent 6, 12 or 24 months after the season, with its answer once given. One query."""
    columns = [
        Column(_("Projet"), width=34),
        Column(_("Moment"), width=16),
        Column(_("Date prévue"), DATE, 12),
        Column(_("Demandé le"), DATE, 12),
        Column(_("Rappel le"), DATE, 12),
        Column(_("Répondu le"), DATE, 12),
        Column(_("Où en est le projet"), width=40),
        Column(_("Forme juridique"), width=24),
        Column(_("Emplois (ETP)"), DECIMAL, 12),
        Column(_("Bénévoles"), INTEGER, 12),
        Column(_("Fonds obtenus (€)"), EUROS, 14),
        # Typed by the project's contact behind the link, read by nobody before it lands here: it may name people.
        # Funders get the coaches' own minimised words instead (« Compétences et confiance gagnées »).
        Column(_("En une phrase"), width=50, personal=True),
    ]

    def rows():
        months, status = _labels(FollowUp.Months.choices), _labels(FollowUp.Status.choices)
        legal_form = _labels(Outcome.LegalForm.choices)
        queryset = (
            FollowUp.objects.filter(project__cohort=cohort)
            .order_by("project__name", "project_id", "months")
            .values_list(
                "project__name",
                "months",
                "due_on",
                "sent_at",
                "reminded_at",
                "answered_at",
                "status",
                "legal_form",
                "jobs_fte",
                "volunteers",
                "funds_raised",
                "sentence",
            )
        )

        def day(moment):
            return None if moment is None else timezone.localdate(moment)

        for (
            name,
            month,
            due,
            sent,
            reminded,
            answered,
            state,
            form,
            jobs,
            volunteers,
            funds,
            sentence,
        ) in queryset.iterator(CHUNK_SIZE):
            yield (
                name,
                months.get(month, ""),
                due,
                day(sent),
                day(reminded),
                day(answered),
                status.get(state, "") if answered else "",
                legal_form.get(form, "") if answered else "",
                jobs if answered else None,
                volunteers if answered else None,
                funds if answered else None,
                sentence if answered else "",
            )

    return Dataset("suivi", _("Suivi après la saison"), columns, rows)


# --- Resources of the partner structures ------------------------------------------------------------


def resources(cohort) -> Dataset:
    """The season's resources per structure, committed and delivered, as a table for the files. One query."""
    columns = [
        Column(_("Structure"), width=34),
        Column(_("Heures d'accompagnement engagées"), HOURS, 16),
        Column(_("Heures d'accompagnement réalisées"), HOURS, 16),
        Column(_("Journées accueillies engagées"), INTEGER, 14),
        Column(_("Journées tenues dans ses lieux"), INTEGER, 14),
        Column(_("Chargé·es d'accompagnement engagé·es"), INTEGER, 14),
        Column(_("Chargé·es ayant suivi un projet"), INTEGER, 14),
        Column(_("Apport financier engagé (€)"), EUROS, 16),
    ]

    def rows():
        for line in season_resources(cohort):
            yield (
                line.structure,
                line.committed_hours,
                line.delivered_hours,
                line.committed_days,
                line.held_days,
                line.committed_coaches,
                line.coaches,
                line.committed_money,
            )

    return Dataset("moyens", _("Moyens des structures"), columns, rows)


def shared_actors(cohort) -> Dataset:
    """The actors two or more of the season's projects met, and which: the links between projects. One query."""
    columns = [
        Column(_("Organisation"), width=32),
        Column(_("Type"), width=18),
        Column(_("Projets qui l'ont rencontré"), INTEGER, 14),
        Column(_("Projets"), width=60),
    ]

    def rows():
        kinds = _labels(Actor.Kind.choices)
        queryset = (
            ActorMet.objects.filter(project__cohort=cohort)
            .order_by("actor__organisation", "actor_id", "project__name", "project_id")
            .values_list("actor_id", "actor__organisation", "actor__kind", "project_id", "project__name")
            .distinct()
        )
        current, projects = None, []
        for actor, organisation, kind, _project, project_name in [*queryset.iterator(CHUNK_SIZE), (None,) * 5]:
            if current is not None and actor != current[0]:
                if len(projects) > 1:
                    yield current[1], kinds.get(current[2], current[2]), len(projects), ", ".join(projects)
                projects = []
            current = (actor, organisation, kind)
            if actor is not None:
                projects.append(project_name)

    return Dataset("acteurs-partages", _("Acteurs partagés"), columns, rows)


DATASETS = {
    "candidatures": candidacies,
    "projets": projects,
    "rendez-vous": meetings,
    "journees": sessions,
    "presences": attendance,
    "formateurs": trainers,
    "lieux": venues,
    "acteurs": actors_met,
    "suivi": follow_ups,
    "moyens": resources,
    "acteurs-partages": shared_actors,
}


def all_datasets(cohort) -> list[Dataset]:
    return [build(cohort) for build in DATASETS.values()]


def without_personal_columns(dataset: Dataset) -> Dataset:
    kept = [index for index, column in enumerate(dataset.columns) if not column.personal]
    if len(kept) == len(dataset.columns):
        return dataset

    def rows():
        for row in dataset.rows():
            yield tuple(row[index] for index in kept)

    return Dataset(dataset.key, dataset.title, [dataset.columns[index] for index in kept], rows)


def funder_datasets(cohort) -> list[Dataset]:
    """The datasets a funder's link hands over: no table of people, no column naming someone or typed by an
    applicant. The same queries as `all_datasets`, minus those of the tables left out."""
    return [without_personal_columns(dataset) for dataset in all_datasets(cohort) if dataset.for_funders]


def estimated_rows(cohort) -> int:
    """How many rows the biggest tables of a season's export hold, in one query: the cost of an export."""
    counts = (
        type(cohort)
        .objects.filter(pk=cohort.pk)
        .annotate(
            candidacy_rows=_count(Candidacy.objects.received(), "cohort"),
            attendance_rows=_count(Attendance.objects.all(), "session__cohort"),
            meeting_rows=_count(CoachingSession.objects.all(), "project__cohort"),
        )
        .values_list("candidacy_rows", "attendance_rows", "meeting_rows")
        .get()
    )
    return sum(counts)


__all__ = [
    "BOOLEAN",
    "DATE",
    "DECIMAL",
    "EUROS",
    "HOURS",
    "INTEGER",
    "PERCENT",
    "TEXT",
    "Column",
    "DATASETS",
    "Dataset",
    "all_datasets",
    "estimated_rows",
    "funder_datasets",
    "projects_queryset",
    "trainer_days",
]

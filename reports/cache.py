"""The report's sections as its pages show them, rendered once for each state of the rows they are made of.

A season's report reads some thirty grouped queries over the season's and its programme's earlier seasons' rows,
then lays out a hundred kilobytes of tables and charts; it is read far more often than those rows change. So the
rendered sections are kept in the shared cache under a key holding everything they depend on:

- the season, the language, whether the staff's comments are shown, how many projects each table shows, the day
  (what is due and who held a project are read against today), and
- `data_version`: a fingerprint the database computes, in one query, of every row the report reads — for each
  table its number of rows and a sum of a hash of each row's version (PostgreSQL's `xmin`, the transaction that
  wrote the row, and `ctid`, where the row version lies, which changes even on an update within one transaction).

Any insert, update or delete of those rows — through the site, the admin, a script or plain SQL — makes a new
fingerprint, so a cached page is never older than the data; `tests/reports/test_report_cache.py` checks that the
tables fingerprinted hold every table the report reads. Entries also expire after `CACHE_SECONDS`, which bounds
how long a new release reuses sections laid out by the previous one. Without PostgreSQL (the embedded SQLite
default) nothing is cached; when the cache does not answer, the sections are rendered as if it were empty.
"""

import functools
import hashlib
import logging

from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from cohorts.models import Cohort, PartnerCommitment, Programme
from incubator.models import PartnerStructure, Territory, User
from projects.models import (
    Actor,
    ActorMet,
    Candidacy,
    CoachAssignment,
    CoachingSession,
    FollowUp,
    ImportedCandidacyCount,
    Milestone,
    Outcome,
    Project,
    ProjectMember,
)
from trainings.models import Attendance, Survey, Trainer, TrainingSession, Venue

from .charts import report_charts
from .figures import first_projects, season_report

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60


# Every table `season_report` and the report's template read, with the rows read: (model, None) a small table whole,
# (model, field, scope) the rows whose `field` is in `scope` — the compared seasons (this one and the programme's
# earlier ones, as `compared_seasons`), their projects, days or meetings, or the actors their projects met.
READ = [
    (Programme, None),
    (Programme.partners.through, None),
    (Cohort, None),
    (Cohort.territories.through, None),
    (PartnerStructure, None),
    (Territory, None),
    (User, None),
    (Trainer, None),
    (Venue, None),
    (PartnerCommitment, "cohort", "seasons"),
    (Candidacy, "cohort", "seasons"),
    (ImportedCandidacyCount, "cohort", "seasons"),
    (Project, "cohort", "seasons"),
    (CoachAssignment, "cohort", "seasons"),
    (TrainingSession, "cohort", "seasons"),
    (ProjectMember, "project", "projects"),
    (Milestone, "project", "projects"),
    (Outcome, "project", "projects"),
    (FollowUp, "project", "projects"),
    (CoachingSession, "project", "projects"),
    (ActorMet, "project", "projects"),
    (CoachingSession.participants.through, "coachingsession", "meetings"),
    (Actor, "id", "actors"),
    (TrainingSession.trainers.through, "trainingsession", "days"),
    (Attendance, "session", "days"),
    (Survey, "session", "days"),
]


def read_tables() -> set[str]:
    """The tables `data_version` fingerprints."""
    return {model._meta.db_table for model, *_rest in READ}


@functools.cache
def _version_sql() -> str:
    """The fingerprint's query, written once per process: the ORM would take longer to compile its 26 parts than
    the database takes to run them."""
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    cohort, project, meeting, session = Cohort, Project, CoachingSession, TrainingSession
    scopes = {
        "seasons": f"SELECT {column(cohort, 'id')} FROM {table(cohort)} WHERE {column(cohort, 'id')} = %(cohort)s"
        f" OR ({column(cohort, 'programme')} = %(programme)s AND {column(cohort, 'start_date')} < %(start)s)",
        "projects": f"SELECT {column(project, 'id')} FROM {table(project)} WHERE {column(project, 'cohort')} IN"
        " (SELECT * FROM seasons)",
        "days": f"SELECT {column(session, 'id')} FROM {table(session)} WHERE {column(session, 'cohort')} IN"
        " (SELECT * FROM seasons)",
        "meetings": f"SELECT {column(meeting, 'id')} FROM {table(meeting)} WHERE {column(meeting, 'project')} IN"
        " (SELECT * FROM projects)",
        "actors": f"SELECT {column(ActorMet, 'actor')} FROM {table(ActorMet)} WHERE {column(ActorMet, 'project')} IN"
        " (SELECT * FROM projects)",
    }
    parts = []
    for model, field, *scope in READ:
        where = f" WHERE {column(model, field)} IN (SELECT * FROM {scope[0]})" if field else ""
        parts.append(
            "SELECT COUNT(*), COALESCE(SUM(hashtextextended(xmin::text || ctid::text, 0)), 0)"
            f" FROM {table(model)}{where}"
        )
    with_scopes = ", ".join(f"{name} AS ({sql})" for name, sql in scopes.items())
    return f"WITH {with_scopes} " + " UNION ALL ".join(f"({part})" for part in parts)


def data_version(cohort: Cohort) -> str | None:
    """A fingerprint of every row the report of `cohort` reads, in one query; None without PostgreSQL."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _version_sql(), {"cohort": cohort.pk, "programme": cohort.programme_id, "start": cohort.start_date}
        )
        counts = cursor.fetchall()
    return hashlib.sha256(repr(counts).encode()).hexdigest()[:32]


def render_sections(cohort: Cohort, *, with_comments: bool, limit: int | None, every_project_url: str | None) -> str:
    """The report's sections laid out afresh (see `report_sections`)."""
    report = season_report(cohort, with_comments=with_comments)
    if limit is not None:
        report = first_projects(report, limit)
    context = {"report": report, "charts": report_charts(report), "every_project_url": every_project_url}
    return render_to_string("reports/partials/report_body.html", context)


def report_sections(
    cohort: Cohort, *, with_comments: bool, limit: int | None, every_project_url: str | None = None
) -> SafeString:
    """The report's sections for a page: those of `season_report` (what participants wrote only `with_comments`),
    each table of one row per project cut at `limit` rows (None: every row) and, when cut, linking to
    `every_project_url`. Rendered once for each state of the rows they are made of (see the module's docstring)."""
    version = data_version(cohort)
    render = {"with_comments": with_comments, "limit": limit, "every_project_url": every_project_url}
    if version is None:
        return mark_safe(render_sections(cohort, **render))
    key = ":".join(
        [
            "season-report",
            str(cohort.pk),
            translation.get_language() or "",
            "comments" if with_comments else "funders",
            "every" if limit is None else str(limit),
            every_project_url or "",
            timezone.localdate().isoformat(),
            version,
        ]
    )
    try:
        sections = cache.get(key)
    except Exception:  # the cache is down or silent: lay the report out, as for a first reader
        logger.warning("The season report's cache does not answer", exc_info=True)
        return mark_safe(render_sections(cohort, **render))
    if sections is None:
        sections = render_sections(cohort, **render)
        try:
            cache.set(key, sections, CACHE_SECONDS)
        except Exception:
            logger.warning("The season report's cache does not answer", exc_info=True)
    return mark_safe(sections)  # rendered by the template engine, which escaped every value

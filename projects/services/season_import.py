"""Past seasons brought in from a spreadsheet (CSV or XLSX, read by tablib): a dry run first, then all or nothing.

One line per figure: a season's candidacies for a territory and a sector (`ligne` = candidatures), or one of its
projects with where it ended (`ligne` = projet). Every line is checked and each error is told with its line, its
column and why, in French; nothing is written while any line is wrong, and the writing is one transaction.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import tablib
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Programme, season_end_date
from incubator.models import Territory

from ..models import ImportedCandidacyCount, Outcome, Project, SeasonImport, Sector, actor_key

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_LINES = 5000
EXTENSIONS = ("csv", "xlsx")

SEASON, START, MONTHS, KIND = "saison", "debut", "duree_mois", "ligne"
TERRITORY, SECTOR, RECEIVED, ACCEPTED = "territoire", "secteur", "recues", "retenues"
PROJECT, COMMUNE, STATUS, LEGAL_FORM, JOBS, FUNDS = (
    "projet",
    "commune",
    "bilan",
    "forme_juridique",
    "emplois_etp",
    "fonds_obtenus",
)
COLUMNS = [
    SEASON,
    START,
    MONTHS,
    KIND,
    TERRITORY,
    SECTOR,
    RECEIVED,
    ACCEPTED,
    PROJECT,
    COMMUNE,
    STATUS,
    LEGAL_FORM,
    JOBS,
    FUNDS,
]
CANDIDACIES, PROJECTS = "candidatures", "projet"

# The template's example lines: two seasons, each with its candidacies and a project.
EXAMPLE = [
    ["Saison 2020-2021", "01/09/2020", "12", CANDIDACIES, "26", "Tiers-lieu", "9", "3", "", "", "", "", "", ""],
    ["Saison 2020-2021", "01/09/2020", "12", CANDIDACIES, "07", "Garage solidaire", "5", "2", "", "", "", "", "", ""],
    [
        "Saison 2020-2021",
        "01/09/2020",
        "12",
        PROJECTS,
        "26",
        "Tiers-lieu",
        "",
        "",
        "La Fabrique",
        "Crest",
        "Lancé",
        "SCIC",
        "2,5",
        "40000",
    ],
]


class ImportFileError(Exception):
    """The file as a whole cannot be read: its kind, its size, its encoding."""


@dataclass(frozen=True)
class LineError:
    line: int
    column: str
    message: str


@dataclass
class PlannedProject:
    name: str
    territory: Territory | None
    sector: str
    commune: str
    status: str
    legal_form: str
    jobs_fte: Decimal
    funds_raised: Decimal

    def get_status_display(self):
        return dict(Outcome.Status.choices).get(self.status, "")


@dataclass
class PlannedSeason:
    name: str
    start_date: datetime.date
    duration_months: int
    line: int
    counts: dict = field(default_factory=dict)  # (territory pk or None, sector) → [received, accepted, line]
    projects: list[PlannedProject] = field(default_factory=list)
    territories: dict = field(default_factory=dict)  # pk → Territory

    @property
    def end_date(self):
        return season_end_date(self.start_date, self.duration_months)

    @property
    def received(self):
        return sum(received for received, _accepted, _line in self.counts.values())

    @property
    def accepted(self):
        return sum(accepted for _received, accepted, _line in self.counts.values())

    @property
    def jobs(self):
        return sum((project.jobs_fte for project in self.projects), start=Decimal(0))


@dataclass
class ImportPlan:
    seasons: list[PlannedSeason] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    lines: int = 0

    @property
    def ok(self):
        return not self.errors and bool(self.seasons)


@dataclass
class Imported:
    cohorts: list[Cohort]
    counts: int
    projects: int


def _key(value) -> str:
    return actor_key(_text(value)).replace(" ", "_")


def read_rows(upload) -> list[dict]:
    """The file's lines as {column: value}, its header normalised (« Début » is `debut`). Refuses a file too big,
    of another kind, or unreadable, with the reason."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ImportFileError(_("Le fichier doit être un tableur CSV ou XLSX (Excel, LibreOffice)."))
    if upload.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("Le fichier est trop gros (%(size)s Mo au plus) : découpez-le en plusieurs.")
            % {"size": MAX_FILE_BYTES // 2**20}
        )
    content = upload.read(MAX_FILE_BYTES + 1)
    try:
        if extension == "csv":
            text = content.decode("utf-8-sig")
            delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
            dataset = tablib.Dataset().load(io.StringIO(text), format="csv", delimiter=delimiter)
        else:
            if not content.startswith(b"PK"):
                raise ImportFileError(
                    _("Ce fichier n'est pas un vrai fichier XLSX : enregistrez-le à nouveau au format XLSX.")
                )
            dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    except UnicodeDecodeError as error:
        raise ImportFileError(_("Le fichier CSV doit être enregistré en UTF-8.")) from error
    except ImportFileError:
        raise
    except Exception as error:  # tablib and openpyxl raise many kinds for a damaged file
        raise ImportFileError(
            _("Le fichier ne se lit pas comme un tableur : vérifiez qu'il n'est pas abîmé.")
        ) from error
    headers = [_key(header or "") for header in (dataset.headers or [])]
    missing = [column for column in COLUMNS if column not in headers]
    if missing:
        raise ImportFileError(
            _("Il manque des colonnes dans la première ligne : %(columns)s. Partez du modèle à télécharger.")
            % {"columns": ", ".join(f"« {column} »" for column in missing)}
        )
    if dataset.height > MAX_LINES:
        raise ImportFileError(_("Le fichier a plus de %(max)s lignes : découpez-le en plusieurs.") % {"max": MAX_LINES})
    rows = []
    for values in dataset:
        row = dict(zip(headers, values, strict=False))
        if any(value not in (None, "") for value in row.values()):
            rows.append(row)
        else:
            rows.append(None)  # an empty line keeps its number
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for form in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _number(value, *, integer=False):
    text = _text(value).replace(" ", "").replace("\u202f", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or (integer and number != number.to_integral_value()):
        return None
    return int(number) if integer else number


def _choice(value, choices) -> str | None:
    """A choice given by its value or its French label, case and accents aside; "" when empty, None if unknown."""
    text = _key(value)
    if not text:
        return ""
    for choice, label in choices:
        if text in (_key(choice), _key(label)):
            return choice
    return None


def plan_import(*, programme: Programme, rows: list, today: datetime.date | None = None) -> ImportPlan:
    """What the file would create, and every line's errors; reads, never writes. A fixed number of queries."""
    today = today or timezone.localdate()
    plan = ImportPlan(lines=sum(1 for row in rows if row is not None))
    territories = list(Territory.objects.all())
    by_name = {}
    for territory in territories:
        by_name[_key(territory.name)] = territory
        by_name[_key(territory.department_code)] = territory
        by_name[_key(str(territory))] = territory
    existing = {_key(name) for name in Cohort.objects.filter(programme=programme).values_list("name", flat=True)}
    seasons: dict[str, PlannedSeason] = {}
    sectors = Sector.choices

    for index, row in enumerate(rows):
        if row is None:
            continue
        line = index + 2  # the header is line 1
        errors = []

        def error(column, message, line=line, errors=errors):
            errors.append(LineError(line, column, message))

        name = _text(row.get(SEASON))
        if not name:
            error(SEASON, _("Le nom de la saison manque."))
        elif len(name) > 120:
            error(SEASON, _("Le nom de la saison est trop long (120 caractères au plus)."))
        start = _date(row.get(START))
        if start is None:
            error(
                START,
                _("« %(value)s » n'est pas une date : écrivez-la comme 01/09/2021.") % {"value": _text(row.get(START))},
            )
        months = _number(row.get(MONTHS), integer=True)
        if months is None or not 1 <= months <= 36:
            error(MONTHS, _("La durée est un nombre de mois entre 1 et 36."))
        kind = _key(row.get(KIND))
        if kind not in (CANDIDACIES, PROJECTS):
            error(KIND, _("Écrivez « candidatures » ou « projet » dans cette colonne."))
        territory_text = _text(row.get(TERRITORY))
        territory = by_name.get(_key(territory_text)) if territory_text else None
        if territory_text and territory is None:
            known = ", ".join(str(known) for known in territories) or "—"
            error(
                TERRITORY,
                _("Territoire inconnu « %(value)s » : écrivez l'un de %(known)s.")
                % {"value": territory_text, "known": known},
            )
        sector = _choice(row.get(SECTOR), sectors)
        if sector is None:
            error(
                SECTOR,
                _("Secteur inconnu « %(value)s » : écrivez l'un de %(known)s.")
                % {"value": _text(row.get(SECTOR)), "known": ", ".join(str(label) for _v, label in sectors)},
            )

        season = None
        if name and start and months and 1 <= months <= 36:
            key = _key(name)
            season = seasons.get(key)
            if season is None:
                if key in existing:
                    error(SEASON, _("Le programme a déjà une saison « %(name)s ».") % {"name": name})
                elif season_end_date(start, months) >= today:
                    error(
                        START,
                        _("Cette saison n'est pas finie : seules les saisons passées se reprennent d'un fichier."),
                    )
                else:
                    season = seasons[key] = PlannedSeason(name, start, months, line)
            elif (season.start_date, season.duration_months) != (start, months):
                error(
                    START,
                    _("La saison « %(name)s » a d'autres dates à la ligne %(line)s.")
                    % {"name": name, "line": season.line},
                )
                season = None

        if kind == CANDIDACIES:
            received = _number(row.get(RECEIVED), integer=True)
            accepted_text = _text(row.get(ACCEPTED))
            accepted = _number(accepted_text, integer=True) if accepted_text else 0
            if received is None or received < 0:
                error(RECEIVED, _("Le nombre de candidatures reçues est un nombre entier, 0 ou plus."))
            if accepted is None or accepted < 0:
                error(ACCEPTED, _("Le nombre de candidatures retenues est un nombre entier, 0 ou plus."))
            elif received is not None and received >= 0 and accepted > received:
                error(
                    ACCEPTED,
                    _("Plus de candidatures retenues (%(accepted)s) que reçues (%(received)s).")
                    % {"accepted": accepted, "received": received},
                )
            if season is not None and not errors:
                count_key = (territory.pk if territory else None, sector)
                if count_key in season.counts:
                    error(
                        TERRITORY,
                        _("La ligne %(line)s compte déjà ce territoire et ce secteur pour cette saison.")
                        % {"line": season.counts[count_key][2]},
                    )
                else:
                    season.counts[count_key] = [received, accepted, line]
        elif kind == PROJECTS:
            project_name = _text(row.get(PROJECT))
            if not project_name:
                error(PROJECT, _("Le nom du projet manque."))
            elif len(project_name) > 200:
                error(PROJECT, _("Le nom du projet est trop long (200 caractères au plus)."))
            status = _choice(row.get(STATUS), Outcome.Status.choices)
            if status is None:
                error(
                    STATUS,
                    _("Bilan inconnu : écrivez l'un de %(known)s, ou rien.")
                    % {"known": ", ".join(str(label) for _v, label in Outcome.Status.choices)},
                )
            legal_form = _choice(row.get(LEGAL_FORM), Outcome.LegalForm.choices)
            if legal_form is None:
                error(
                    LEGAL_FORM,
                    _("Forme juridique inconnue : écrivez l'une de %(known)s, ou rien.")
                    % {"known": ", ".join(str(label) for _v, label in Outcome.LegalForm.choices)},
                )
            jobs = _number(row.get(JOBS)) if _text(row.get(JOBS)) else Decimal(0)
            if jobs is None or jobs < 0 or jobs >= 10000:
                error(
                    JOBS, _("Les emplois créés sont un nombre d'équivalents temps plein, 0 ou plus (par exemple 1,5).")
                )
            funds = _number(row.get(FUNDS)) if _text(row.get(FUNDS)) else Decimal(0)
            if funds is None or funds < 0 or funds >= 10**10:
                error(FUNDS, _("Les fonds obtenus sont un montant en euros, 0 ou plus."))
            if season is not None and not errors:
                season.projects.append(
                    PlannedProject(
                        project_name,
                        territory,
                        sector,
                        _text(row.get(COMMUNE))[:120],
                        status,
                        legal_form or Outcome.LegalForm.NONE,
                        jobs.quantize(Decimal("0.1")),
                        funds.quantize(Decimal("0.01")),
                    )
                )
        if season is not None and territory is not None:
            season.territories[territory.pk] = territory
        plan.errors.extend(errors)

    plan.seasons = sorted(seasons.values(), key=lambda season: season.start_date)
    if not plan.lines:
        plan.errors.append(LineError(2, SEASON, _("Le fichier n'a aucune ligne après celle des titres.")))
    return plan


@transaction.atomic
def import_seasons(*, programme: Programme, plan: ImportPlan, file_name: str, by) -> Imported:
    """Write the plan's seasons, their candidacy counts, projects and outcomes; refuses a plan with errors."""
    if not plan.ok:
        raise ValueError("a plan with errors is never written")
    cohorts, counts, projects = [], 0, 0
    for season in plan.seasons:
        # The call's dates are not known for a season held before the site: the day before it started.
        day_before = season.start_date - datetime.timedelta(days=1)
        cohort = Cohort.objects.create(
            programme=programme,
            name=season.name,
            start_date=season.start_date,
            duration_months=season.duration_months,
            places=max(1, len(season.projects)),
            call_opens_on=day_before,
            call_closes_on=day_before,
        )
        cohort.territories.set(season.territories.values())
        SeasonImport.objects.create(cohort=cohort, file_name=file_name[:255], imported_by=by)
        ImportedCandidacyCount.objects.bulk_create(
            ImportedCandidacyCount(
                cohort=cohort, territory_id=territory, sector=sector, received=received, accepted=accepted
            )
            for (territory, sector), (received, accepted, _line) in season.counts.items()
        )
        for planned in season.projects:
            project = Project.objects.create(
                cohort=cohort,
                name=planned.name,
                sector=planned.sector,
                territory=planned.territory,
                commune=planned.commune,
            )
            if planned.status:
                Outcome.objects.create(
                    project=project,
                    status=planned.status,
                    legal_form=planned.legal_form,
                    jobs_fte=planned.jobs_fte,
                    funds_raised=planned.funds_raised,
                )
        counts += len(season.counts)
        projects += len(season.projects)
        cohorts.append(cohort)
    return Imported(cohorts=cohorts, counts=counts, projects=projects)


def template(export_format: str) -> bytes:
    """The file to fill in: the columns and a few example lines."""
    dataset = tablib.Dataset(*EXAMPLE, headers=COLUMNS, title=_("Saisons passées"))
    exported = dataset.export(export_format)
    return exported.encode("utf-8-sig") if isinstance(exported, str) else exported

"""Candidacy figures: counts per status for the staff list, and season-by-season figures for the funders.

Every function here runs one query, whatever the number of seasons or candidacies.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from ..models import Candidacy, ImportedCandidacyCount, Sector

Status = Candidacy.Status
RECEIVED_STATUSES = [status for status in Status if status != Status.DRAFT]


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def status_counts(candidacies: QuerySet) -> tuple[list[StatusCount], int]:
    """How many of these candidacies are in each state sent by an applicant, and in all; one query."""
    # One grouped pass over the rows, cheaper than a filtered count per state.
    per_status = dict(candidacies.order_by().values_list("status").annotate(n=Count("pk")))
    counts = [StatusCount(status.value, status.label, per_status.get(status.value, 0)) for status in RECEIVED_STATUSES]
    return counts, sum(count.count for count in counts)


@dataclass(frozen=True)
class FigureRow:
    label: str
    values: list[int]  # one per season, in the order of `SeasonFigures.cohorts`


@dataclass(frozen=True)
class SeasonFigures:
    cohorts: list
    received: list[int]
    accepted: list[int]
    acceptance_rates: list[float | None]  # percentages; None when nothing was received
    by_status: list[FigureRow]
    by_territory: list[FigureRow]
    by_sector: list[FigureRow]

    @property
    def sections(self):
        """(title, rows) per breakdown, for templates."""
        return [
            (_("Par état"), self.by_status),
            (_("Par territoire"), self.by_territory),
            (_("Par secteur"), self.by_sector),
        ]

    @property
    def columns(self):
        """(season, received, accepted, rate) per season, for templates."""
        return list(zip(self.cohorts, self.received, self.accepted, self.acceptance_rates, strict=True))


def candidacy_figures(cohorts) -> SeasonFigures:
    """Candidacies received per status, territory and sector, and the acceptance rate, season by season.

    Two grouped queries for any number of seasons (the candidacies, the counts of seasons brought in from a
    file); drafts are not candidacies yet and never count.
    """
    cohorts = list(cohorts)
    index = {cohort.pk: position for position, cohort in enumerate(cohorts)}

    def zeros():
        return [0] * len(cohorts)

    per_status, per_territory, per_sector, territory_keys = (
        defaultdict(zeros),
        defaultdict(zeros),
        defaultdict(zeros),
        {},
    )
    groups = (
        Candidacy.objects.received()
        .filter(cohort__in=list(index))
        .order_by()
        .values("cohort", "status", "sector", "territory", "territory__name", "territory__department_code")
        .annotate(n=Count("pk"))
    )
    for row in groups:
        column, count = index[row["cohort"]], row["n"]
        per_status[row["status"]][column] += count
        per_sector[row["sector"]][column] += count
        per_territory[row["territory"]][column] += count
        territory_keys[row["territory"]] = (row["territory__department_code"] or "", row["territory__name"] or "")

    # Seasons brought in from a file hold counts, not candidacies: they add to the totals, territories and
    # sectors, and to the accepted ones; the other statuses were never recorded.
    imported_received, imported_accepted = zeros(), zeros()
    imported = (
        ImportedCandidacyCount.objects.filter(cohort__in=list(index))
        .order_by()
        .values("cohort", "sector", "territory", "territory__name", "territory__department_code")
        .annotate(received=Sum("received"), accepted=Sum("accepted"))
    )
    for row in imported:
        column = index[row["cohort"]]
        imported_received[column] += row["received"]
        imported_accepted[column] += row["accepted"]
        per_sector[row["sector"]][column] += row["received"]
        per_territory[row["territory"]][column] += row["received"]
        territory_keys[row["territory"]] = (row["territory__department_code"] or "", row["territory__name"] or "")

    totals = [sum(per_status[status][i] for status in per_status) + imported_received[i] for i in range(len(cohorts))]
    accepted = [
        detailed + counted
        for detailed, counted in zip(per_status[Status.ACCEPTED.value], imported_accepted, strict=True)
    ]
    rates = [100 * ok / total if total else None for ok, total in zip(accepted, totals, strict=True)]

    unknown = _("Non précisé")
    territories = sorted((key for key in territory_keys if key is not None), key=territory_keys.get)
    by_territory = [
        FigureRow(f"{territory_keys[key][1]} ({territory_keys[key][0]})", per_territory[key]) for key in territories
    ]
    if None in territory_keys:
        by_territory.append(FigureRow(unknown, per_territory[None]))
    by_sector = [FigureRow(label, per_sector[value]) for value, label in Sector.choices if value in per_sector]
    if "" in per_sector:
        by_sector.append(FigureRow(unknown, per_sector[""]))

    return SeasonFigures(
        cohorts=cohorts,
        received=totals,
        accepted=accepted,
        acceptance_rates=rates,
        by_status=[FigureRow(status.label, list(per_status[status.value])) for status in RECEIVED_STATUSES],
        by_territory=by_territory,
        by_sector=by_sector,
    )

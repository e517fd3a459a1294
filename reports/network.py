"""The network at a glance: every programme and season a structure takes part in, side by side.

Built on the season comparison of the season report (`figures.season_comparison`), run once over every season
of every programme, plus two shares the network reads per season. A fixed number of queries whatever the
number of programmes and seasons.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.models import Cohort, Programme
from trainings.models import TrainingSession, Venue

from .charts import Chart, Series, bar_chart
from .datasets import DATE, HOURS, INTEGER, PERCENT, TEXT, Column, Dataset
from .figures import TrendRow, season_comparison

HELD = TrainingSession.Status.HELD


@dataclass(frozen=True)
class ProgrammeSeasons:
    programme: Programme
    seasons: list[Cohort]  # most recent first, as in the season comparison
    rows: list[TrendRow]  # the network's rows, values for these seasons only


@dataclass(frozen=True)
class Network:
    structure: object  # the person's partner structure; None for a superuser, who sees every programme
    programmes: list[ProgrammeSeasons]
    seasons: list[Cohort]  # every season, programme by programme
    rows: list[TrendRow]  # one value per season of `seasons`

    @property
    def season_count(self) -> int:
        return len(self.seasons)


def _share(part, whole):
    return 100 * part / whole if whole else None


def _outside_partner_offices(pks) -> list:
    """Per season, the share of held days (with a known venue) held outside the partners' offices. One query."""
    groups = {
        row["cohort"]: row
        for row in TrainingSession.objects.filter(cohort__in=pks, status=HELD, venue__isnull=False)
        .order_by()
        .values("cohort")
        .annotate(days=Count("pk"), outside=Count("pk", filter=~Q(venue__kind=Venue.Kind.PARTNER_OFFICE)))
    }
    return [_share(groups[pk]["outside"], groups[pk]["days"]) if pk in groups else None for pk in pks]


def _local_trainers(pks) -> list:
    """Per season, the share of the trainers who led a held day that live in one of the season's territories (as
    the season report counts them). One query."""
    links = TrainingSession.trainers.through.objects.filter(
        trainingsession__cohort__in=pks, trainingsession__status=HELD
    )
    is_local = Exists(
        Cohort.territories.through.objects.filter(
            cohort=OuterRef("trainingsession__cohort"), territory=OuterRef("trainer__home_territory")
        )
    )
    groups = {
        row["trainingsession__cohort"]: row
        for row in links.order_by()
        .values("trainingsession__cohort")
        .annotate(
            mobilised=Count("trainer", distinct=True),
            local=Count("trainer", distinct=True, filter=Q(is_local)),
        )
    }
    return [_share(groups[pk]["local"], groups[pk]["mobilised"]) if pk in groups else None for pk in pks]


def _network_rows(seasons) -> list[TrendRow]:
    """The season comparison's rows (jobs at the end and 6, 12 and 24 months later among them, from the projects'
    follow-ups), then the network's own: shares of days outside and of local trainers."""
    pks = [season.pk for season in seasons]
    _candidacies, trend = season_comparison(seasons)
    return [
        *trend,
        TrendRow(_("Part des journées hors des locaux des partenaires (%)"), _outside_partner_offices(pks), PERCENT),
        TrendRow(_("Part de formateur·rices locaux (%)"), _local_trainers(pks), PERCENT),
    ]


def network(user) -> Network:
    """Every programme the person's structure takes part in (all of them for a superuser), with its seasons side
    by side. 2 queries for the programmes and their partners, 1 for the seasons, then the figures."""
    programmes = list(Programme.objects.for_user(user).prefetch_related("partners").order_by("name", "pk"))
    order = {programme.pk: position for position, programme in enumerate(programmes)}
    seasons = sorted(
        Cohort.objects.filter(programme__in=programmes).order_by("-start_date", "name", "pk"),
        key=lambda season: order[season.programme_id],  # stable: most recent first within each programme
    )
    rows = _network_rows(seasons) if seasons else []
    by_programme, start = [], 0
    for programme in programmes:
        count = sum(1 for season in seasons if season.programme_id == programme.pk)
        part = slice(start, start + count)
        for season in seasons[part]:
            season.programme = programme  # read in templates and files without another query
        by_programme.append(
            ProgrammeSeasons(
                programme, seasons[part], [TrendRow(row.label, row.values[part], row.kind) for row in rows]
            )
        )
        start += count
    # A superuser sees every programme, not only their structure's: the page then names no structure.
    structure = None if user.is_superuser else user.partner_structure
    return Network(structure, by_programme, seasons, rows)


def _label(season) -> str:
    # The season first: a chart cuts long labels, and a programme's seasons must still be told apart.
    return f"{season.name} — {season.programme.name}"


def network_charts(figures: Network) -> dict[str, Chart]:
    """The season report's bar charts, one bar group per season of the network, oldest first in each programme."""
    ordered, start = [], 0
    for group in figures.programmes:
        positions = range(start, start + len(group.seasons))
        ordered.extend(reversed(list(zip(positions, group.seasons, strict=True))))
        start += len(group.seasons)
    labels = [_label(season) for _index, season in ordered]
    rows = {str(row.label): row for row in figures.rows}

    def values(label):
        row = rows.get(str(label))
        return [row.values[index] for index, _season in ordered] if row else []

    charts = {
        "candidacies": (
            _("Candidatures reçues, saison par saison, dans chaque programme"),
            [Series(_("reçues"), values(_("Candidatures reçues")))],
            INTEGER,
        ),
        "rate": (
            _("Taux d'acceptation des candidatures"),
            [Series(_("taux d'acceptation"), values(_("Taux d'acceptation (%)")))],
            PERCENT,
        ),
        "projects": (
            _("Projets accompagnés et journées collectives tenues"),
            [
                Series(_("projets"), values(_("Projets accompagnés"))),
                Series(_("journées tenues"), values(_("Journées collectives tenues"))),
            ],
            INTEGER,
        ),
        "coaching": (
            _("Heures d'accompagnement individuel"),
            [Series(_("heures"), values(_("Heures d'accompagnement")))],
            HOURS,
        ),
    }
    built = {
        key: Chart(title, bar_chart(title, labels, series, kind=kind, maximum=100 if kind == PERCENT else None))
        for key, (title, series, kind) in charts.items()
        if all(serie.values for serie in series)
    }
    return {key: chart for key, chart in built.items() if chart.svg}


def network_dataset(figures: Network) -> Dataset:
    """One row per season of the network, one column per figure: the CSV and the spreadsheet. No query."""
    columns = [
        Column(gettext_lazy("Programme"), TEXT, 34),
        Column(gettext_lazy("Saison"), TEXT, 22),
        Column(gettext_lazy("Début"), DATE, 12),
        Column(gettext_lazy("Fin"), DATE, 12),
        *(Column(row.label, row.kind, 16) for row in figures.rows),
    ]

    def rows():
        for index, season in enumerate(figures.seasons):
            yield (
                season.programme.name,
                season.name,
                season.start_date,
                season.end_date,
                *(row.values[index] for row in figures.rows),
            )

    return Dataset("reseau", gettext_lazy("Réseau"), columns, rows)


__all__ = ["Network", "network", "network_charts", "network_dataset"]

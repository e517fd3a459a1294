"""Server-side SVG charts for the season report: the same markup on the page and in the PDF.

Hand-made horizontal bars: long French labels stay readable, nothing is loaded from anywhere, no
JavaScript runs, and WeasyPrint draws inline SVG. Each chart carries a title and a text description
for screen readers; the tables next to it hold the same figures.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .datasets import EUROS, HOURS, PERCENT
from .figures import SeasonReport

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 70
BAR_HEIGHT = 16
ROW_GAP = 8
TOP = 8
LABEL_CHARS = 34
# Dark enough for white text, and told apart without colour too (the legend names each bar's order).
COLOURS = ["#1d5a87", "#c2571a", "#2f7d4f", "#6b4c9a"]


@dataclass(frozen=True)
class Series:
    name: str
    values: list


def _rounded(value, places: int) -> Decimal:
    # number_format cuts decimals off; a report rounds them (16,67 % reads 17 %).
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_value(value, kind="") -> str:
    if value is None:
        return "—"
    if kind == PERCENT:
        return f"{number_format(_rounded(value, 0), 0)} %"
    if kind == HOURS:
        return f"{number_format(_rounded(value, 1), 1)} h"
    if kind == EUROS:
        return f"{number_format(_rounded(value, 0), 0, force_grouping=True)} €"
    if isinstance(value, float | Decimal) and value != int(value):
        return number_format(_rounded(value, 1), 1)
    return number_format(value, 0)


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(title: str, labels: list[str], series: list[Series], *, kind: str = "", maximum=None) -> SafeString:
    """Horizontal bars, one group per label and one bar per series; '' when there is nothing to draw."""
    numbers = [float(value) for serie in series for value in serie.values if value is not None]
    if not labels or not numbers:
        return mark_safe("")
    top = float(maximum) if maximum is not None else max(numbers) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    group = len(series) * BAR_HEIGHT + ROW_GAP
    legend = 22 if len(series) > 1 else 0
    height = TOP + legend + group * len(labels)
    key = "chart-" + slugify(title)[:40]
    description = "; ".join(
        f"{label} : " + ", ".join(f"{serie.name} {format_value(serie.values[i], kind)}" for serie in series)
        for i, label in enumerate(labels)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{key}-t {key}-d" '
        'font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="11">',
        f'<title id="{key}-t">{escape(title)}</title>',
        f'<desc id="{key}-d">{escape(description)}</desc>',
    ]
    if legend:
        x = LABEL_WIDTH
        for index, serie in enumerate(series):
            colour = COLOURS[index % len(COLOURS)]
            parts.append(f'<rect x="{x}" y="{TOP}" width="10" height="10" fill="{colour}"/>')
            parts.append(f'<text x="{x + 14}" y="{TOP + 9}">{escape(serie.name)}</text>')
            x += 24 + 7 * len(serie.name)
    for row, label in enumerate(labels):
        y = TOP + legend + row * group
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + group / 2 - 1}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
        )
        for index, serie in enumerate(series):
            value = serie.values[row]
            width = 0 if value is None else max(0.0, plot * float(value) / top)
            bar_y = y + index * BAR_HEIGHT
            colour = COLOURS[index % len(COLOURS)]
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{width:.1f}" height="{BAR_HEIGHT - 3}" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{bar_y + BAR_HEIGHT - 6}">'
                f"{escape(format_value(value, kind))}</text>"
            )
    parts.append(f'<line x1="{LABEL_WIDTH}" y1="{TOP + legend}" x2="{LABEL_WIDTH}" y2="{height}" stroke="#333"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above went through escape()


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString


def report_charts(report: SeasonReport) -> dict[str, Chart]:
    """The report's charts by section (candidacies, coaching, attendance, outcomes, resources, actors); empty ones
    left out."""
    seasons = list(reversed(report.seasons))  # oldest first: growth reads top to bottom
    received = list(reversed(report.candidacies.received))
    accepted = list(reversed(report.candidacies.accepted))
    charts = {
        "candidacies": Chart(
            _("Candidatures reçues et retenues, saison après saison"),
            bar_chart(
                _("Candidatures reçues et retenues, saison après saison"),
                [season.name for season in seasons],
                [Series(_("reçues"), received), Series(_("retenues"), accepted)],
            ),
        ),
        "coaching": Chart(
            _("Heures d'accompagnement par projet : sujets techniques et humains"),
            bar_chart(
                _("Heures d'accompagnement par projet : sujets techniques et humains"),
                [line.label for line in report.coaching_by_project],
                [
                    Series(_("techniques"), [line.technical_hours for line in report.coaching_by_project]),
                    Series(_("humains"), [line.human_hours for line in report.coaching_by_project]),
                    *(
                        [Series(_("sans sujet noté"), [line.unspecified_hours for line in report.coaching_by_project])]
                        if report.coaching_total.unspecified_hours
                        else []
                    ),
                ],
                kind=HOURS,
            ),
        ),
        "attendance": Chart(
            _("Taux de présence par journée collective tenue"),
            bar_chart(
                _("Taux de présence par journée collective tenue"),
                [
                    f"{line.session.date:%d/%m/%Y} — {line.session.title}"
                    for line in report.sessions
                    if line.rate is not None
                ],
                [Series(_("présence"), [line.rate for line in report.sessions if line.rate is not None])],
                kind=PERCENT,
                maximum=100,
            ),
        ),
        "outcomes": Chart(
            _("Où en sont les projets en fin de saison"),
            bar_chart(
                _("Où en sont les projets en fin de saison"),
                [row.label for row in report.outcomes_by_status],
                [Series(_("projets"), [row.value for row in report.outcomes_by_status])],
            ),
        ),
        "resources": Chart(
            _("Heures d'accompagnement engagées et réalisées, par structure"),
            bar_chart(
                _("Heures d'accompagnement engagées et réalisées, par structure"),
                [line.structure for line in report.resources],
                [
                    Series(_("engagées"), [line.committed_hours for line in report.resources]),
                    Series(_("réalisées"), [line.delivered_hours for line in report.resources]),
                ],
                kind=HOURS,
            ),
        ),
        "actors": Chart(
            _("Acteurs du territoire rencontrés, par type"),
            bar_chart(
                _("Acteurs du territoire rencontrés, par type"),
                [row.label for row in report.actors_by_kind],
                [Series(_("acteurs"), [row.value for row in report.actors_by_kind])],
            ),
        ),
    }
    if not any(line.committed_hours or line.delivered_hours for line in report.resources):
        charts.pop("resources")  # nothing committed nor delivered yet: the table says so, bars of zero would not
    return {key: chart for key, chart in charts.items() if chart.svg}

"""The assignment board's rows, written in Python: a big season lists 150 projects and 60 coaches, each twice (in
its list and among the form's choices), and tags per row cost more there than the rest of the page. The HTML and
the wording are those the template had.

Every value goes through `_e`, the standard library's `html.escape` that Django's `escape` calls (the same
output, without its lazy-string wrapper, which costs more than the escaping on a page of a thousand values); each
row is marked safe once it is whole."""

import html
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


def _e(value) -> str:
    return html.escape(str(value))


def one_decimal(value) -> str:
    """`value|floatformat:1` (half up, the language's decimal mark, no grouping), without the filter's general
    machinery: the board writes four of them per project."""
    rounded = Decimal(repr(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return str(rounded).replace(".", get_format("DECIMAL_SEPARATOR"))


def _coaching(totals) -> str:
    """« 2,5 h en 2 rendez-vous »."""
    return ngettext(
        "%(hours)s h en %(meetings)s rendez-vous", "%(hours)s h en %(meetings)s rendez-vous", totals.meetings
    ) % {"hours": one_decimal(totals.hours), "meetings": totals.meetings}


def _rows(rows) -> str:
    """The rows as a `{% for %}` loop around their tag wrote them, each on its line of the list."""
    return mark_safe("".join(f"\n        {row}\n      " for row in rows))


@register.simple_tag
def board_coaches(coaches, max_projects: int, counts_seconds: bool):
    """Every coach's load, in one tag: a loop in the template costs more than the rows on a big season."""
    return _rows(board_coach(coach, max_projects, counts_seconds) for coach in coaches)


@register.simple_tag
def board_projects(projects):
    """Every project of the season, in one tag; the words every row shares are translated once."""
    words = _ProjectWords()
    return _rows(board_project(project, words) for project in projects)


@register.simple_tag
def board_project_choices(projects, chosen):
    return mark_safe("".join(f"\n            {board_project_choice(p, chosen)}\n          " for p in projects))


@register.simple_tag
def board_coach_choices(coaches, chosen, max_projects: int):
    return mark_safe(
        "".join(f"\n            {board_coach_choice(c, chosen, max_projects)}\n          " for c in coaches)
    )


class _ProjectWords:
    """What every project row says whatever the project, in the language of the request, and the address of a
    project's page (reversed once: it differs from one project to the next by its pk alone)."""

    def __init__(self):
        self.nobody = f'<span class="badge text-bg-warning">{_e(gettext("Personne"))}</span>'
        self.change, self.entrust = _e(gettext("Changer")), _e(gettext("Confier"))
        self.change_second, self.add_second = _e(gettext("Changer le second")), _e(gettext("Ajouter un second"))
        self.since, self.with_second = gettext("depuis le %(since)s"), gettext("En second : %(coach)s")
        sample = reverse("projects:project_detail", args=[0])
        self.detail_prefix, self.detail_suffix = sample.rsplit("/0/", 1)
        assert not self.detail_suffix, sample

    def detail_url(self, pk: int) -> str:
        return f"{self.detail_prefix}/{pk}/"


def _day(day) -> str:
    """`day|date:"d/m/Y"`: the same digits in every language."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


@register.simple_tag
def board_coach(coach, max_projects: int, counts_seconds: bool):
    """A coach's load in the season: projects against the cap, seconds, hours so far."""
    seconds = ""
    if coach.seconds:
        if counts_seconds:
            text = ngettext("dont %(seconds)s en second", "dont %(seconds)s en second", coach.seconds)
        else:
            text = ngettext("et %(seconds)s en second", "et %(seconds)s en second", coach.seconds)
        seconds = f' <span class="small">({_e(text % {"seconds": coach.seconds})})</span>'
    load = gettext("%(load)s/%(max)s projets") % {"load": coach.load, "max": max_projects}
    return mark_safe(
        f'<li class="border rounded px-3 py-2{" border-warning" if coach.load >= max_projects else ""}">\n'
        f'          <strong>{_e(coach)}</strong> <span class="text-body-secondary">({_e(coach.partner_structure)})</span>'
        f"<br>\n          {_e(load)}{seconds}<br>\n"
        f'          <span class="small">{_e(_coaching(coach.coaching))}</span>\n'
        "        </li>"
    )


@register.simple_tag
def board_project(project, words=None):
    """A project of the season: who holds it and since when, its hours, and the buttons choosing it in the form."""
    words = words or _ProjectWords()
    if project.lead:
        since = words.since % {"since": _day(project.lead.started_on)}
        lead = f'{_e(project.lead.coach)} <span class="small text-body-secondary">({_e(since)})</span>'
    else:
        lead = words.nobody
    second = ""
    if project.second:
        text = words.with_second % {"coach": project.second.coach}
        second = f'<br><span class="small">{_e(text)}</span>'
    where = _e(project.territory or "—") + (f", {_e(project.commune)}" if project.commune else "")
    name, pk = _e(project.name), project.pk
    change = words.change if project.lead else words.entrust
    change_second = words.change_second if project.second else words.add_second
    return mark_safe(
        '<li class="list-group-item d-flex flex-wrap gap-2 justify-content-between align-items-center">\n'
        '          <div class="assignment-project">\n'
        f'            <a class="fw-semibold" href="{_e(words.detail_url(pk))}">{name}</a>\n'
        f'            <span class="small text-body-secondary">· {where}</span><br>\n'
        f"            {lead}\n"
        f"            {second}\n"
        f'            <br><span class="small">{_e(_coaching(project.coaching))}</span>\n'
        "          </div>\n"
        '          <div class="d-flex flex-wrap gap-2">\n'
        f'            <a class="btn btn-sm btn-outline-primary" href="?projet={pk}#confier">{change}'
        f'<span class="visually-hidden"> {name}</span></a>\n'
        f'            <a class="btn btn-sm btn-outline-secondary" href="?projet={pk}&amp;role=second#confier">'
        f'{change_second}<span class="visually-hidden"> {name}</span></a>\n'
        "          </div>\n"
        "        </li>"
    )


@register.simple_tag
def board_project_choice(project, chosen):
    """The project among the form's choices, with who holds it."""
    if project.lead:
        holders = str(project.lead.coach) + (f" + {project.second.coach}" if project.second else "")
    else:
        holders = gettext("sans accompagnement")
    selected = " selected" if project.pk == chosen else ""
    return mark_safe(f'<option value="{project.pk}"{selected}>{_e(project.name)} — {_e(holders)}</option>')


@register.simple_tag
def board_coach_choice(coach, chosen, max_projects: int):
    """The coach among the form's choices, with their load against the cap."""
    selected = " selected" if coach.pk == chosen else ""
    return mark_safe(f'<option value="{coach.pk}"{selected}>{_e(coach)} ({coach.load}/{max_projects})</option>')

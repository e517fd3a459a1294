"""The coaching pages' long lists, written in Python: `{% project_cards cards %}` (the coach's home, one card per
project they follow) and `{% project_meetings meetings can_edit %}` (a project's meetings).

A coach may follow dozens of projects across their seasons, and a project meets its coach every week or two all
season long; through the template engine each card or meeting costs some forty tags, more than all the rest of
the page. They are written here instead, with the markup and the wording the templates had. Every value is
escaped once (`conditional_escape`) before it takes its place in the markup. The wording is translated once a
page and, as the templates' `{% translate %}` and `{% blocktranslate %}` keep it, taken as it is: only the values
put into a sentence are escaped.
"""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from incubator.dates import format_date

register = template.Library()

# A primary key no row has: an address is reversed once a page with it, then each row puts its own in its place.
_ANY_PK = 2147483647


class _Page:
    """What every card of a page shares: its wording, its addresses, the dates already written."""

    def __init__(self):
        self.second = gettext("En second")
        self.last_meeting = gettext("Dernier rendez-vous")
        self.none_yet = gettext("Aucun pour l'instant")
        self.next_steps = gettext("Prochaines étapes")
        self.milestones = gettext("Étapes clés")
        self.attendance = gettext("Présence aux journées collectives")
        self.log_meeting = gettext("Noter un rendez-vous")
        # Sentences: their values are escaped where they are filled in.
        self.ended = gettext("Votre accompagnement s'est terminé le %(date)s.")
        self.to_do = gettext("À faire : %(count)s")
        self.overdue = gettext("en retard : %(count)s")
        self.reached = gettext("Atteintes : %(done)s sur %(total)s")
        self.reached_by = gettext("Étapes clés atteintes par %(name)s")
        self._detail = reverse("projects:project_detail", args=[_ANY_PK])
        self._log = reverse("projects:meeting_create", args=[_ANY_PK])
        self._dates = {}

    def detail_url(self, pk):
        return self._detail.replace(str(_ANY_PK), str(pk))

    def log_url(self, pk):
        return self._log.replace(str(_ANY_PK), str(pk))

    def long_date(self, day):
        """`{{ day|french_date:"j F Y" }}`, escaped; a coach's projects often met on the same days."""
        if day not in self._dates:
            self._dates[day] = conditional_escape(format_date(day, "j F Y"))
        return self._dates[day]


@register.simple_tag(takes_context=True)
def project_cards(context, cards):
    """The cards (`services.ProjectProgress`) as a grid, in their order."""
    if "project_cards" not in context.render_context:
        context.render_context["project_cards"] = _Page()
    page = context.render_context["project_cards"]
    cards = "".join(_card(card, page) for card in cards)
    return mark_safe(f'<div class="row row-cols-1 row-cols-md-2 row-cols-xl-3 g-3">{cards}</div>')


def _card(card, page) -> str:
    e = conditional_escape
    project = card.project
    pk = int(project.pk)
    name = e(project.name)
    ended_on = project.my_assignment_ended_on

    title = name if ended_on else f'<a href="{e(page.detail_url(pk))}">{name}</a>'
    place = e(project.territory or "")
    if project.commune:
        place += (", " if project.territory else "") + e(project.commune)
    if project.my_role == "second":
        place += f' · <span class="badge text-bg-light border">{page.second}</span>'

    notices = ""
    if ended_on:
        notices += f'<p class="small">{page.ended % {"date": e(date_format(ended_on, "d/m/Y"))}}</p>'
    if card.alerts:
        alerts = "".join(f"<li>{e(alert.message)}</li>" for alert in card.alerts)
        notices += f'<ul class="list-unstyled alert alert-warning py-2 px-3 mb-2">{alerts}</ul>'

    steps = page.to_do % {"count": int(card.open_steps)}
    if card.overdue_steps:
        overdue = page.overdue % {"count": int(card.overdue_steps)}
        steps += f', <strong class="text-danger-emphasis">{overdue}</strong>'

    done, total = int(card.milestones_done), int(card.milestones_total)
    milestones = page.reached % {"done": done, "total": total}
    if total:
        label = page.reached_by % {"name": name}
        milestones += (
            f'<progress class="d-block w-100" max="{total}" value="{done}" aria-label="{label}">'
            f"{int(card.milestones_percent)} %</progress>"
        )

    attendance = ""
    if card.attendance_rate is not None:
        # {% widthratio rate 1 100 %}
        attendance = f"<dt>{page.attendance}</dt><dd>{round(float(card.attendance_rate) * 100)} %</dd>"

    footer = ""
    if not ended_on:
        footer = (
            '<div class="card-footer bg-transparent border-0 pt-0 pb-3">'
            f'<a class="btn btn-primary" href="{e(page.log_url(pk))}">{page.log_meeting}'
            f'<span class="visually-hidden"> — {name}</span></a></div>'
        )

    last_meeting_on = page.long_date(card.last_meeting_on) if card.last_meeting_on else page.none_yet
    return (
        f'<div class="col"><article class="card h-100" aria-labelledby="projet-{pk}"><div class="card-body">'
        f'<h3 id="projet-{pk}" class="h5 card-title">{title}</h3>'
        f'<p class="card-subtitle text-body-secondary mb-2">{place}</p>{notices}'
        f'<dl class="mb-0"><dt>{page.last_meeting}</dt><dd>{last_meeting_on}</dd>'
        f"<dt>{page.next_steps}</dt><dd>{steps}</dd>"
        f"<dt>{page.milestones}</dt><dd>{milestones}</dd>{attendance}</dl>"
        f"</div>{footer}</article></div>"
    )


@register.simple_tag
def project_meetings(meetings, can_edit):
    """A project's meetings (fetched with their coach and participants), newest first as given; who may edit
    the project gets a link to edit each one."""
    e = conditional_escape
    edit_label = gettext("Modifier")
    edit_hint = gettext("le rendez-vous du %(date)s")
    summary = gettext("%(minutes)s min · %(format)s · avec %(coach)s")
    also = gettext("et %(coach)s")
    topics_label = gettext("Sujets abordés")
    edit_url = reverse("projects:meeting_update", args=[_ANY_PK])
    rendered = []
    for meeting in meetings:
        pk = int(meeting.pk)
        edit = ""
        if can_edit:
            hint = edit_hint % {"date": e(format_date(meeting.date, "j F Y"))}
            url = e(edit_url.replace(str(_ANY_PK), str(pk)))
            edit = f'<a href="{url}">{edit_label}<span class="visually-hidden"> {hint}</span></a>'
        people = summary % {
            "minutes": int(meeting.duration_minutes),
            "format": e(meeting.get_format_display()),
            "coach": e(meeting.coach),
        }
        for person in meeting.participants.all():
            if person.pk != meeting.coach_id:
                people += " " + also % {"coach": e(person)}
        topics = ""
        if meeting.topics:
            labels = "".join(
                f'<li class="list-inline-item badge text-bg-light border">{e(label)}</li>'
                for label in meeting.get_topics_display()
            )
            topics = f'<ul class="list-inline mb-2" aria-label="{topics_label}">{labels}</ul>'
        notes = f"<div>{linebreaks(meeting.notes, autoescape=True)}</div>" if meeting.notes else ""
        rendered.append(
            f'<article class="border rounded p-3 mb-3" aria-labelledby="rdv-{pk}">'
            '<div class="d-flex flex-wrap justify-content-between gap-2">'
            f'<h3 id="rdv-{pk}" class="h6 mb-1">{e(format_date(meeting.date, "l j F Y"))}</h3>{edit}</div>'
            f'<p class="small text-body-secondary mb-2">{people}</p>{topics}{notes}</article>'
        )
    return mark_safe("".join(rendered))

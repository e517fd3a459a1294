"""A season's days on the staff's list, each card written in Python: a dozen tags and three partials per card cost
more than the rest of the page. The HTML and the wording are those of the template and of its partials
(`status_badge.html`, `slots.html`, `venue.html`); `tests/trainings/test_session_cards.py` holds them equal.

Every value goes through `_e`, the standard library's `html.escape` that Django's `escape` calls, and each card is
marked safe once it is whole."""

import html

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from incubator.dates import format_date
from trainings.models import TrainingSession

register = template.Library()

BADGES = {"cancelled": "text-bg-danger", "confirmed": "text-bg-success", "held": "text-bg-secondary"}


def _e(value) -> str:
    return html.escape(str(value))


def status_badge(session) -> str:
    """As `trainings/partials/status_badge.html`."""
    badge = BADGES.get(session.status, "text-bg-light border")
    # The label of the status's choice, as `get_status_display` gives it, without building the choices' dict.
    label = str(TrainingSession.Status(session.status).label)
    return f'<span class="badge {badge}">{_e(label)}</span>'


def slots(session) -> str:
    """As `trainings/partials/slots.html`: « 09:00–12:30 et 13:30–17:00 » (the `time:"H:i"` filter is `%H:%M`)."""
    morning = session.morning_start and session.morning_end
    afternoon = session.afternoon_start and session.afternoon_end
    lines = [
        f"{session.morning_start:%H:%M}–{session.morning_end:%H:%M}" if morning else "",
        f"&nbsp;{_e(gettext('et'))}&nbsp;" if morning and afternoon else "",
        f"{session.afternoon_start:%H:%M}–{session.afternoon_end:%H:%M}" if afternoon else "",
        _e(gettext("Horaires à préciser")) if not session.morning_start and not session.afternoon_start else "",
    ]
    return "\n".join(lines).strip()


def venue(place) -> str:
    """As `trainings/partials/venue.html` without the access details."""
    if not place:
        return f'<span class="text-body-secondary">{_e(gettext("Lieu à préciser"))}</span>'
    return (
        f'<span class="d-block">{_e(place.full_address)}</span>\n'
        f'  <a href="{_e(place.map_url)}" rel="noopener noreferrer">{_e(gettext("Voir sur la carte"))}'
        f'<span class="visually-hidden"> — {_e(place.name)}</span></a>'
    )


def _answers(session) -> str:
    confirmed = ngettext("%(counter)s vient", "%(counter)s viennent", session.confirmed)
    declined = ngettext("%(counter)s ne vient pas", "%(counter)s ne viennent pas", session.declined)
    waiting = ngettext("%(counter)s sans réponse", "%(counter)s sans réponse", session.no_answer)
    return " ·\n              ".join(
        [
            _e(confirmed % {"counter": session.confirmed}),
            _e(declined % {"counter": session.declined}),
            _e(waiting % {"counter": session.no_answer}),
        ]
    )


@register.simple_tag
def session_card(session):
    """One day of the season: when, where, with whom, who answered, and how many came once it was held."""
    title = f"{format_date(session.date, 'l j F Y')} — {session.title}"
    topic = f" · {_e(session.topic)}" if session.topic else ""
    trainers = ", ".join(_e(trainer) for trainer in session.trainers.all()) or "—"
    presence = ""
    if session.rate and session.rate.percent is not None:
        presence = (
            f'\n            <p class="mb-0 mt-1"><span class="fw-semibold">{_e(gettext("Présence :"))}</span> '
            f"{_e(localize(session.rate.percent))} %</p>"
        )
    cancelled = " border-danger" if session.status == "cancelled" else ""
    return mark_safe(
        f'<li class="col">\n'
        f'        <article class="card h-100{cancelled}" aria-labelledby="journee-{session.pk}">\n'
        '          <div class="card-body">\n'
        '            <div class="d-flex flex-wrap justify-content-between align-items-start gap-2">\n'
        f'              <h2 class="h5 mb-1" id="journee-{session.pk}"><a href="{_e(session.get_absolute_url())}">'
        f"{_e(title)}</a></h2>\n"
        f"              {status_badge(session)}\n"
        "            </div>\n"
        f'            <p class="mb-1">{slots(session)}{topic}</p>\n'
        f'            <div class="mb-1">{venue(session.venue)}</div>\n'
        f'            <p class="mb-1"><span class="fw-semibold">{_e(gettext("Avec :"))}</span> {trainers}</p>\n'
        '            <p class="mb-0">\n'
        f'              <span class="fw-semibold">{_e(gettext("Réponses :"))}</span>\n'
        f"              {_answers(session)}\n"
        f"            </p>{presence}\n"
        "          </div>\n"
        "        </article>\n"
        "      </li>"
    )

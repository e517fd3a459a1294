"""The home page's open calls and programmes, each written in Python: three dated sentences, a link and a list
per call (thirty calls open at once in a busy network) cost more through template tags than the rest of the
page. The HTML and the wording are those the template wrote; `tests/incubator/test_home_cards.py` holds them
equal.

Every value goes through `_e`, the standard library's `html.escape` that Django's `escape` calls; translated
sentences are written as `{% blocktranslate %}` writes them (their own text unescaped, the values escaped), and
each card is marked safe once it is whole."""

import html

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop

from incubator.dates import format_date

register = template.Library()


def _e(value) -> str:
    return html.escape(str(value))


def _day(value) -> str:
    return _e(format_date(value, "j F Y"))


# A call's three sentences, as `{% blocktranslate %}` gives them before the values go in.
CLOSES = gettext_noop("Candidatures ouvertes jusqu'au %(closes)s inclus.")
DATES = gettext_noop("Accompagnement du %(start)s au %(end)s.")
APPLY = gettext_noop('Découvrir l\'appel et candidater<span class="visually-hidden"> à la %(name)s</span>')


@register.simple_tag(takes_context=True)
def open_call(context, cohort, territories_label):
    """One open call: its season, its dates, its territories and the button to apply."""
    # Translated once per page rather than once per call: the page renders in one language.
    sentences = context.render_context.get(CLOSES)
    if sentences is None:
        sentences = context.render_context[CLOSES] = (gettext(CLOSES), gettext(DATES), gettext(APPLY))
    closes_text, dates_text, apply_text = sentences
    closes = closes_text % {"closes": _day(cohort.call_closes_on)}
    dates = dates_text % {"start": _day(cohort.start_date), "end": _day(cohort.end_date)}
    apply = apply_text % {"name": _e(cohort.name)}
    territories = _e(", ").join(_e(territory) for territory in cohort.territory_list)
    url = _e(reverse("cohorts:call", args=[cohort.pk]))
    return mark_safe(
        f'<div class="mb-3">\n'
        f'            <p class="mb-1"><strong>{_e(cohort.programme.name)} — {_e(cohort.name)}</strong></p>\n'
        f'            <p class="mb-1">{closes}</p>\n'
        f'            <p class="mb-1">{dates}</p>\n'
        f'            <p class="mb-2">{_e(territories_label)} {territories}</p>\n'
        f'            <a class="btn btn-primary" href="{url}">{apply}</a>\n'
        f"          </div>"
    )


@register.simple_tag
def programme_section(programme, partners_label):
    """One programme: its name, its description and the partner structures behind it."""
    parts = [
        f'<section class="mb-4" aria-labelledby="programme-{programme.pk}">\n'
        f'        <h2 id="programme-{programme.pk}" class="h3">{_e(programme.name)}</h2>\n'
        "        "
    ]
    if programme.description:
        parts.append(f"<p>{linebreaksbr(programme.description, autoescape=True)}</p>")
    parts.append("\n        \n          ")
    partners = programme.partner_list
    if partners:
        names = []
        for partner in partners:
            name = _e(partner.name)
            if partner.website:
                name = f'<a href="{_e(partner.website)}">{name}</a>'
            if partner.town:
                name += f" ({_e(partner.town)})"
            names.append(name)
        parts.append(
            f"\n            <p>{_e(partners_label)}\n              {', '.join(names)}\n            </p>\n          "
        )
    parts.append("\n        \n      </section>")
    return mark_safe("".join(parts))

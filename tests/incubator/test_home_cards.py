"""The home page's open calls and programmes, written in Python, are the HTML the template wrote for them."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from cohorts.models import Cohort, Programme
from incubator.templatetags import home_cards
from tests.factories import CohortFactory, PartnerStructureFactory, ProgrammeFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

# What home.html wrote in its loops before the cards were written in Python.
CALL = """{% load i18n french_dates %}<div class="mb-3">
            <p class="mb-1"><strong>{{ cohort.programme.name }} — {{ cohort.name }}</strong></p>
            <p class="mb-1">{% blocktranslate with closes=cohort.call_closes_on|french_date:"j F Y" %}Candidatures ouvertes jusqu'au {{ closes }} inclus.{% endblocktranslate %}</p>
            <p class="mb-1">{% blocktranslate with start=cohort.start_date|french_date:"j F Y" end=cohort.end_date|french_date:"j F Y" %}Accompagnement du {{ start }} au {{ end }}.{% endblocktranslate %}</p>
            <p class="mb-2">{{ territories_label }} {{ cohort.territory_list|join:", " }}</p>
            <a class="btn btn-primary" href="{% url 'cohorts:call' cohort.pk %}">{% blocktranslate with name=cohort.name %}Découvrir l'appel et candidater<span class="visually-hidden"> à la {{ name }}</span>{% endblocktranslate %}</a>
          </div>"""
PROGRAMME = """<section class="mb-4" aria-labelledby="programme-{{ programme.pk }}">
        <h2 id="programme-{{ programme.pk }}" class="h3">{{ programme.name }}</h2>
        {% if programme.description %}<p>{{ programme.description|linebreaksbr }}</p>{% endif %}
        {% with partners=programme.partner_list %}
          {% if partners %}
            <p>{{ partners_label }}
              {% for partner in partners %}{% if partner.website %}<a href="{{ partner.website }}">{{ partner.name }}</a>{% else %}{{ partner.name }}{% endif %}{% if partner.town %} ({{ partner.town }}){% endif %}{% if not forloop.last %}, {% endif %}{% endfor %}
            </p>
          {% endif %}
        {% endwith %}
      </section>"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_open_call_reads_as_the_template_wrote_it(language):
    territories = [TerritoryFactory(name="Drôme <Sud>", department_code="26"), TerritoryFactory(name="Ardèche & co")]
    CohortFactory(
        programme=ProgrammeFactory(name="Cap <Rural> & co"),
        name="Saison « 2026 » <b>",
        start_date=datetime.date(2026, 9, 1),
        call_opens_on=datetime.date(2026, 3, 1),
        call_closes_on=datetime.date(2026, 5, 1),
        territories=territories,
    )
    CohortFactory(name="Saison sans territoire")
    with translation.override(language):
        for cohort in Cohort.objects.select_related("programme").prefetch_related("territories"):
            cohort.territory_list = list(cohort.territories.all())
            label = "Territoires <:>"
            expected = Template(CALL).render(Context({"cohort": cohort, "territories_label": label}))
            assert home_cards.open_call(Context(), cohort, label) == expected


def test_a_programme_reads_as_the_template_wrote_it():
    ProgrammeFactory(
        name="Cap <Rural>",
        description="Deux lignes\net <b>du gras</b> & plus",
        partners=[
            PartnerStructureFactory(name="CAE <Prisme>", website="https://prisme.example/?a=1&b=2", town="Die & Crest"),
            PartnerStructureFactory(name="Cigales", town=""),
        ],
    )
    ProgrammeFactory(description="", partners=[PartnerStructureFactory(name="Seule", website="", town="Valence")])
    ProgrammeFactory(description="Sans partenaire")
    for programme in Programme.objects.prefetch_related("partners"):
        programme.partner_list = list(programme.partners.all())
        label = "Porté par <:>"
        expected = Template(PROGRAMME).render(Context({"programme": programme, "partners_label": label}))
        assert home_cards.programme_section(programme, label) == expected

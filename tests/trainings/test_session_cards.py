"""The session list's cards, written in Python, say what the template's partials say, in the same HTML."""

import datetime

import pytest
from django.template import Context, Template

from tests.factories import TrainerFactory, TrainingSessionFactory, VenueFactory
from trainings.models import TrainingSession
from trainings.templatetags import session_cards

pytestmark = pytest.mark.django_db

Status = TrainingSession.Status
NO_TIME = {"morning_start": None, "morning_end": None, "afternoon_start": None, "afternoon_end": None}
DAYS = [
    {},
    {"status": Status.CANCELLED, "topic": "Gouvernance <coopérative> & SCIC"},
    {"status": Status.CONFIRMED, "venue": None},
    {"status": Status.HELD, "afternoon_start": None, "afternoon_end": None},
    {"morning_end": None},
    {**NO_TIME, "afternoon_start": datetime.time(14, 0), "afternoon_end": datetime.time(17, 30)},
    NO_TIME,
]


def same(html: str) -> str:
    return " ".join(html.split()).replace("> <", "><").replace(" </", "</")


def rendered(source: str, **context) -> str:
    return Template("{% load i18n %}" + source).render(Context(context))


@pytest.mark.parametrize("day", DAYS)
def test_each_part_of_a_card_reads_as_its_partial(season, day):
    session = TrainingSessionFactory(cohort=season, **day)

    def partial(name, **context):
        return same(rendered('{% include "trainings/partials/' + name + '.html" %}', **context))

    assert same(session_cards.status_badge(session)) == partial("status_badge", session=session)
    assert same(session_cards.slots(session)) == partial("slots", session=session)
    assert same(session_cards.venue(session.venue)) == partial("venue", venue=session.venue)


def test_a_card_escapes_what_people_typed(season):
    venue = VenueFactory(name="Salle <Jaurès>", commune="Die & Crest")
    session = TrainingSessionFactory(cohort=season, title="<script>x</script>", venue=venue)
    session.trainers.set([TrainerFactory(name="Anne <b>Martin</b>")])
    session.confirmed, session.declined, session.no_answer, session.rate = 1, 2, 0, None
    card = session_cards.session_card(session)
    assert "<script>" not in card and "&lt;script&gt;x&lt;/script&gt;" in card
    assert "Salle &lt;Jaurès&gt;" in card and "Anne &lt;b&gt;Martin&lt;/b&gt;" in card
    assert "1 vient" in card and "2 ne viennent pas" in card and "0 sans réponse" in card

"""Dates written the French way: « 1er » for the first of the month, in templates and in Python."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import translation

from incubator.dates import format_date


def render(value, format):
    return Template('{% load french_dates %}{{ value|french_date:"' + format + '" }}').render(Context({"value": value}))


@pytest.mark.parametrize(
    ("day", "format", "expected"),
    [
        (datetime.date(2026, 10, 1), "l j F Y", "jeudi 1er octobre 2026"),
        (datetime.date(2026, 10, 2), "l j F Y", "vendredi 2 octobre 2026"),
        (datetime.date(2026, 10, 11), "j F", "11 octobre"),
        (datetime.date(2026, 10, 21), "j F Y", "21 octobre 2026"),
    ],
)
def test_the_first_of_the_month_is_1er_and_other_days_keep_their_number(day, format, expected):
    with translation.override("fr"):
        assert render(day, format) == expected
        assert format_date(day, format) == expected


def test_the_default_format_and_a_datetime_get_1er_too():
    with translation.override("fr"):
        assert format_date(datetime.date(2026, 9, 1)) == "1er septembre 2026"
        assert format_date(datetime.datetime(2026, 9, 1, 9, 5), "l j F Y, H:i") == "mardi 1er septembre 2026, 09:05"


def test_english_pages_keep_the_plain_number():
    with translation.override("en"):
        assert render(datetime.date(2026, 10, 1), "j F Y") == "1 October 2026"


def test_an_empty_date_writes_nothing():
    assert render(None, "j F Y") == ""


def test_a_day_written_in_one_language_is_written_anew_in_another():
    day = datetime.date(2026, 10, 1)
    with translation.override("fr"):
        assert format_date(day, "j F Y") == "1er octobre 2026"
    with translation.override("en"):
        assert format_date(day, "j F Y") == "1 October 2026"
    with translation.override("fr"):
        assert format_date(day, "j F Y") == "1er octobre 2026"


def test_the_same_moment_is_written_in_the_time_zone_it_is_given_in():
    moment = datetime.datetime(2026, 10, 1, 8, 0, tzinfo=datetime.UTC)
    paris = moment.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))  # equal to `moment`, two hours later on the clock
    with translation.override("fr"):
        assert format_date(moment, "H:i") == "08:00"
        assert format_date(paris, "H:i") == "10:00"

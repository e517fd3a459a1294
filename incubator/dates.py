"""Dates written the French way: « 1er octobre », « 2 octobre »."""

import datetime
import functools
import re

from django.utils import translation
from django.utils.formats import date_format, get_format

# A day-of-month "j" of a Django date format that is not escaped by a backslash.
_DAY = re.compile(r"(?<!\\)j")


def format_date(value: datetime.date, format: str = "DATE_FORMAT") -> str:
    """`value` as Django's date_format writes it, with « 1er » for the first of the month in French."""
    language = translation.get_language() or ""
    if type(value) is datetime.date:
        return _formatted_day(value, format, language)
    return _formatted(value, format, language)  # a moment: equal in two time zones, written differently


# Pages write the same few days over and over (a season's dates on each of its rows, every request): the text
# depends only on the day, the format and the language, all in the key.
@functools.lru_cache(maxsize=4096)
def _formatted_day(value: datetime.date, format: str, language: str) -> str:
    return _formatted(value, format, language)


def _formatted(value: datetime.date, format: str, language: str) -> str:
    if value.day == 1 and language.startswith("fr"):
        format = _DAY.sub(r"j\\e\\r", _resolved(format))
    return date_format(value, format)


def _resolved(format: str) -> str:
    """A named format ("DATE_FORMAT") as the active language writes it; a format string as it is."""
    return get_format(format) if format.isupper() and format.endswith("FORMAT") else format

"""The assignment board's rows, written in Python, print hours as the template's `floatformat:1` did."""

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from projects.templatetags.assignment_board import one_decimal


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("hours", [0, 3, 0.05, 0.25, 0.75, 1.45, 2.5, 2.55, 1 / 3, 17.96666, 1234.55, 10_000])
def test_hours_read_as_with_the_templates_filter(language, hours):
    with translation.override(language):
        assert one_decimal(hours) == floatformat(hours, 1)

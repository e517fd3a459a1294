import pytest
from django import forms

from projects.filters import Select

CHOICES = [("", "Toutes"), ("a", "Café & <b>gras</b>"), ("Groupe", [("x", "X"), ("y", "Y")]), (3, "Trois")]


@pytest.mark.parametrize("value", ["a", "x", 3, None, "absent"])
def test_the_filters_select_writes_the_very_html_of_djangos_own(value):
    attrs = {"class": "form-select", "required": True, "disabled": False, "data-note": '"dit"'}
    expected = forms.Select(choices=CHOICES, attrs=attrs).render("season", value, attrs={"id": "id_season"})
    written = Select(choices=CHOICES, attrs=attrs).render("season", value, attrs={"id": "id_season"})
    assert written == expected

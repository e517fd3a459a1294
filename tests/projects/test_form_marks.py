"""Forms say once what the star means, star what is needed, and sum up their errors at the top with a link to
each answer to correct."""

import datetime

import lxml.html
import pytest
import time_machine
from django.urls import reverse

from tests.factories import CohortFactory, TerritoryFactory
from tests.forms import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(settings):
    settings.APPLY_MIN_FILL_SECONDS = 0
    with time_machine.travel(datetime.datetime(2026, 4, 10, 10, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def cohort(programme):
    return CohortFactory(
        programme=programme,
        call_opens_on=datetime.date(2026, 3, 1),
        call_closes_on=datetime.date(2026, 4, 30),
        territories=[TerritoryFactory(name="Drôme", department_code="26")],
    )


def _starred(document) -> set[str]:
    return {label.get("for") for label in document.xpath("//label[span[@class='asteriskField']]")}


def test_the_application_form_stars_every_answer_needed_to_send_and_explains_the_star_once(client, cohort):
    page = client.get(reverse("projects:apply", args=[cohort.pk])).content.decode()
    document = lxml.html.fromstring(page)
    needed = {
        "id_project_name", "id_summary", "id_need", "id_collective_dimension", "id_economic_model", "id_territory",
        "id_commune", "id_anchoring", "id_sector", "id_stage", "id_expectations", "id_contact_name",
        "id_contact_email", "id_consent", "id_members-0-name",
    }  # fmt: skip
    assert _starred(document) == needed  # the second team row and the optional answers carry no star
    assert page.count("marquées d'un astérisque (*)") == 1
    assert "nécessaires pour envoyer la candidature" in page
    assert document.get_element_by_id("id_summary").get("aria-required") == "true"


def test_a_candidacy_sent_incomplete_comes_back_with_a_summary_linking_to_each_answer(client, cohort):
    page = client.get(reverse("projects:apply", args=[cohort.pk]))
    response = submit(
        client,
        page,
        {"project_name": "Le Garage du Coin", "contact_email": "lea@exemple.fr", "consent": True},
        button="submit",
    )
    assert response.status_code == 200
    document = lxml.html.fromstring(response.content.decode())
    summary = document.xpath("//*[contains(@class, 'error-summary')]")
    assert len(summary) == 1 and summary[0].get("role") == "alert"
    links = {link.get("href") for link in summary[0].xpath(".//a")}
    assert {"#id_summary", "#id_need", "#id_commune", "#id_territory", "#id_contact_name"} <= links
    assert "#id_project_name" not in links  # answered
    for href in links:  # every link leads to a field of the page
        assert document.get_element_by_id(href[1:]) is not None
    assert document.get_element_by_id("id_project_name").get("value") == "Le Garage du Coin"  # nothing lost


def test_a_staff_form_rendered_by_crispy_gets_the_same_summary(client, staff, programme):
    client.force_login(staff)
    page = client.get(reverse("trainings:venue_create"))
    assert "marquées d'un astérisque (*) sont obligatoires" in page.content.decode()
    response = submit(client, page, {}, index=1)  # the page's own form, after the header's logout button
    document = lxml.html.fromstring(response.content.decode())
    summary = document.xpath("//*[contains(@class, 'error-summary')]")
    assert summary, "the form came back without a summary"
    for link in summary[0].xpath(".//a"):
        assert document.get_element_by_id(link.get("href")[1:]) is not None

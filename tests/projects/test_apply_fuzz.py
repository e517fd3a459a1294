"""Whatever a browser, a robot or a broken connection sends, the application form answers without a 500.

The first two tests forge their posts on purpose (any field, any value, management forms included: what a
robot sends); the third types random answers into the page as it renders them, as a person would."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects import tokens
from tests.factories import CohortFactory, DraftFactory
from tests.forms import submit

FIELDS = [
    "project_name", "summary", "need", "collective_dimension", "economic_model", "sector", "territory", "commune",
    "anchoring", "stage", "expectations", "heard_from", "contact_name", "contact_email", "contact_phone", "consent",
    "website", "started", "remove_documents", "members-TOTAL_FORMS", "members-INITIAL_FORMS", "members-0-name",
    "members-0-email", "members-0-id", "members-0-DELETE", "submit", "draft",
]  # fmt: skip

values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "1", "-1", "0", "999999999999", "on", "third_place", "idea", "a@b.c", "<script>x</script>"]),
    st.lists(st.text(max_size=20), max_size=3),
)
form_data = st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS))

# What a person types into the page: its text boxes, each filled with anything (or emptied).
TYPED = [
    "project_name", "summary", "need", "collective_dimension", "economic_model", "commune", "anchoring",
    "expectations", "contact_name", "contact_email", "contact_phone", "members-0-name", "members-0-email",
    "members-0-role", "members-1-name", "members-1-phone",
]  # fmt: skip
typed = st.dictionaries(st.sampled_from(TYPED), st.text(max_size=300), max_size=len(TYPED))


@pytest.fixture
def open_cohort(db):
    today = datetime.date.today()
    return CohortFactory(
        call_opens_on=today - datetime.timedelta(days=1), call_closes_on=today + datetime.timedelta(days=1)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=form_data)
@pytest.mark.django_db
def test_random_answers_to_a_new_candidacy_never_break_the_page(client, open_cohort, data):
    # Forged on purpose: a robot's post, anything in any field.
    response = client.post(reverse("projects:apply", args=[open_cohort.pk]), data)
    assert response.status_code in (200, 302)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=form_data)
@pytest.mark.django_db
def test_random_answers_to_a_draft_never_break_the_page(client, open_cohort, data):
    # Forged on purpose: a robot's post, anything in any field.
    draft = DraftFactory(cohort=open_cohort)
    response = client.post(tokens.draft_url(draft), data)
    assert response.status_code in (200, 302)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(max_size=200))
@pytest.mark.django_db
def test_random_links_are_refused_politely(client, token):
    token = token.replace("/", "") or "x"
    for name in ("projects:candidacy_status", "projects:apply_resume"):
        assert client.get(reverse(name, args=[token])).status_code == 404


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=typed, button=st.sampled_from(["draft", "submit"]))
@pytest.mark.django_db
def test_random_answers_typed_into_a_reopened_draft_never_break_the_page(client, open_cohort, changes, button):
    draft = DraftFactory(cohort=open_cohort)
    page = client.get(tokens.draft_url(draft))
    response = submit(client, page, changes, button=button)
    assert response.status_code in (200, 302)

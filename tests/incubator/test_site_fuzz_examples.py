"""What the site-wide fuzz test (test_site_fuzz.py) found, each kept as a plain test beside its fix."""

import pytest
from django.urls import reverse

from projects.models import MilestoneTemplate
from tests.factories import CoachAssignmentFactory, CoachingSessionFactory, NextStepFactory
from tests.forms import submit

pytestmark = pytest.mark.django_db


def test_a_meeting_posted_with_a_broken_count_of_lines_gets_the_page_back(client, coach):
    # Found by the fuzz test: a robot's count of lines that is not a number raised an IndexError.
    assignment = CoachAssignmentFactory(coach=coach)
    meeting = CoachingSessionFactory(project=assignment.project, coach=coach)
    NextStepFactory(project=assignment.project, meeting=meeting)
    client.force_login(coach)
    page = client.get(reverse("projects:meeting_update", args=[meeting.pk]))
    response = submit(client, page, {"etapes-TOTAL_FORMS": "x", "etapes-0-id": "'"}, field="etapes-TOTAL_FORMS")
    assert response.status_code == 200


def test_a_programmes_milestones_posted_with_a_broken_count_of_lines_get_the_page_back(client, staff, programme):
    # Found by the fuzz test: the same broken count on the programme's milestones raised an IndexError.
    MilestoneTemplate.objects.create(programme=programme, name="Statuts déposés", order=1)
    client.force_login(staff)
    page = client.get(reverse("projects:milestone_templates", args=[programme.pk]))
    response = submit(client, page, {"jalons-TOTAL_FORMS": "'", "jalons-0-id": "COM1"}, field="jalons-TOTAL_FORMS")
    assert response.status_code == 200
    assert MilestoneTemplate.objects.get().name == "Statuts déposés"

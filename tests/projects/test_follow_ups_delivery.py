"""Follow-ups end to end: real Redis, real `celery worker` processes, a real SMTP server counting what arrives."""

import datetime
import time
from collections import Counter

import pytest
from django.utils import timezone

from outbox.models import OutgoingMail
from projects.models import FollowUp, ProjectMember
from projects.services import follow_ups
from projects.tasks import send_due_follow_ups
from tests import services
from tests.factories import CohortFactory, ProjectFactory
from tests.trainings.test_reminders_delivery import DEADLINE, smtp, workers  # noqa: F401 - fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def season_six_months_on(count: int) -> list[str]:
    """A season whose six-month follow-up fell due a few days ago, with `count` projects to ask."""
    today = timezone.localdate()
    start = follow_ups.add_months(today - datetime.timedelta(days=5), -6 - 15) + datetime.timedelta(days=1)
    cohort = CohortFactory(start_date=start)
    assert follow_ups.is_due(follow_ups.due_on(cohort, 6), timezone.now())
    projects = [ProjectFactory(cohort=cohort, name=f"Projet {n}") for n in range(count)]
    ProjectMember.objects.bulk_create(
        ProjectMember(project=project, name=f"Contact {n}", email=f"contact{n}@exemple.fr")
        for n, project in enumerate(projects)
    )
    return [f"contact{n}@exemple.fr" for n in range(count)]


def test_two_workers_and_two_sweeps_at_once_ask_each_project_exactly_once(workers, smtp):  # noqa: F811
    handler, _ = smtp
    recipients = season_six_months_on(60)
    workers()
    workers()
    send_due_follow_ups.apply_async(queue=workers.queue)
    send_due_follow_ups.apply_async(queue=workers.queue)

    def all_sent():
        return not OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT).exists()

    services.wait_until(
        lambda: handler.total() >= 60 and all_sent(), "60 follow-ups were not all delivered", timeout=DEADLINE
    )
    time.sleep(0.5)  # anything sent twice would arrive now
    assert handler.received == Counter(dict.fromkeys(recipients, 1))
    assert FollowUp.objects.count() == OutgoingMail.objects.count() == 60

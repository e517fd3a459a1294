"""Redis frozen (SIGSTOP: it accepts connections and never answers, as behind a network partition): what people
send is saved and answered within 3 s, the rate limits let them through, the mails wait in the outbox.

The test's own redis-server is the cache and the broker; the machine's shared Redis is never touched.
"""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingMail
from projects import tokens
from projects.models import Candidacy
from tests.factories import AttendanceFactory, CohortFactory, TerritoryFactory, TrainingSessionFactory
from tests.forms import submit
from tests.outbox.test_outage import private_redis  # noqa: F401 (a fixture)
from tests.projects.test_apply import answers
from trainings.models import TrainingSession

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

QUEUED = OutgoingMail.Status.QUEUED


@pytest.fixture
def frozen(private_redis):  # noqa: F811
    """The private Redis, stopped in its tracks for the test's body; thawed and stopped afterwards."""
    yield private_redis


def test_a_candidacy_sent_while_redis_is_frozen_is_saved_and_answered_within_3_s(client, settings, frozen):
    settings.APPLY_MIN_FILL_SECONDS = 0
    today = timezone.localdate()
    cohort = CohortFactory(
        start_date=today + datetime.timedelta(days=90),
        call_opens_on=today - datetime.timedelta(days=10),
        call_closes_on=today + datetime.timedelta(days=10),
        territories=[TerritoryFactory(name="Drôme", department_code="26")],
    )
    page = client.get(reverse("projects:apply", args=[cohort.pk]))

    frozen.freeze()
    began = time.monotonic()
    response = submit(client, page, answers(cohort), button="submit")
    elapsed = time.monotonic() - began

    candidacy = Candidacy.objects.get()
    assert candidacy.status == Candidacy.Status.SUBMITTED
    assert response.status_code == 302 and response["Location"] == tokens.status_url(candidacy)
    assert elapsed < 3, f"the page took {elapsed:.1f} s to answer with Redis frozen"
    # The rate limit let the person through (the cache did not answer) and the confirmation waits for the sweeper.
    assert list(OutgoingMail.objects.values_list("status", "to")) == [(QUEUED, ["lea.roux@exemple.fr"])]


def test_cancelling_a_day_of_200_invitees_while_redis_is_frozen_waits_on_the_broker_once(
    client, staff, programme, frozen, caplog
):
    session = TrainingSessionFactory(
        cohort=CohortFactory(programme=programme), date=timezone.localdate() + datetime.timedelta(days=20)
    )
    AttendanceFactory.create_batch(200, session=session)
    client.force_login(staff)
    page = client.get(session.get_absolute_url())

    frozen.freeze()
    began = time.monotonic()
    response = submit(client, page, {"confirm": True}, action=reverse("trainings:session_cancel", args=[session.pk]))
    elapsed = time.monotonic() - began

    assert response.status_code == 302
    # One publish tried (two seconds at most) for the first batch of mails, the other batches left to the sweeper
    # at once: without that, 200 publishes of two seconds each.
    failed = [record for record in caplog.records if record.getMessage().startswith("Could not queue")]
    assert len(failed) == 1
    assert elapsed < 3, f"the cancellation took {elapsed:.1f} s to answer with Redis frozen"
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED
    # Every invitee's mail is in the outbox, none lost, none handed to the silent broker: the sweeper sends them.
    assert OutgoingMail.objects.filter(status=QUEUED).count() == 200
    assert OutgoingMail.objects.count() == 200

"""`make bench` keeps working: the generator at a tiny scale, one measure, the results' table. No timing here."""

import pytest
from django.test import Client

from bench import measures, run
from bench.generate import build
from projects.models import Candidacy, Project
from trainings.models import Attendance


@pytest.fixture
def network(db):
    return build(0.01)


def test_the_generator_builds_a_network_with_a_flagship_season(network):
    assert network.counts["candidacies"] == Candidacy.objects.count()
    assert network.counts["attendance"] == Attendance.objects.count()
    # The flagship's board lists coaches of its whole region; the typical season is run by the staff member.
    assert Project.objects.filter(cohort=network.typical).count() == 13
    assert Candidacy.objects.for_user(network.staff).filter(cohort=network.typical).exists()
    assert network.calling.call_opens_on <= network.calling.start_date


def test_every_key_page_answers_and_its_queries_are_counted(network):
    people = {"staff": network.staff, "coach": network.coach, "superuser": network.superuser}
    clients = {None: Client()}
    for who, user in people.items():
        clients[who] = Client()
        clients[who].force_login(user)
    counted = measures.page_queries(clients.get, measures.pages(network))
    assert set(counted) >= {"attendance (flagship)", "assignment board (typical)", "admin changelist"}
    assert all(page["queries"] > 0 and page["bytes"] > 0 for page in counted.values())


def test_a_result_row_says_whether_its_target_holds():
    held = run.row("CSV export ÷ COPY", 30.0, "ms", 20.0, "≤ 2", 30.0 / 20.0 <= 2)
    assert held == {
        "name": "CSV export ÷ COPY",
        "value": 30.0,
        "unit": "ms",
        "reference": 20.0,
        "ratio": 1.5,
        "target": "≤ 2",
        "holds": True,
    }
    assert "| CSV export ÷ COPY | 30 ms | 20.0 | 1.50 | ≤ 2 | yes |" in run.table([held])

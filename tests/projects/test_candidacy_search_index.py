import pytest
from django.db import connection

from projects.filters import CandidacyFilter
from projects.models import Candidacy
from tests.factories import CandidacyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_candidacy_search_is_answered_from_its_trigram_index_on_postgresql():
    wanted = CandidacyFactory(project_name="Épicerie Vagabonde", contact_email="lea@exemple.fr")
    CandidacyFactory(project_name="Recyclerie des Baronnies")
    search = CandidacyFilter().search(Candidacy.objects.all(), "q", "vagabonde")
    assert list(search) == [wanted]

    sql, params = search.query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is read whole by choice; forbidding that shows whether the indexes can answer.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # One index on the five columns together (migration 0007): the expression searched must be its very own.
    assert "projects_candidacy_searched_trgm" in plan, plan


def test_the_first_page_of_received_candidacies_is_read_in_order_from_an_index_on_postgresql():
    CandidacyFactory.create_batch(3)
    listed = Candidacy.objects.received().order_by("-submitted_at", "-pk")[:25]
    sql, params = listed.query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is read and sorted by choice; forbidding that shows whether the index can answer.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "candidacy_received_order_idx" in plan, plan
    assert "Sort" not in plan, plan

import pytest
from django.db import connection

from projects.filters import CandidacyFilter
from projects.models import Candidacy
from tests.factories import CandidacyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_candidacy_search_is_answered_from_trigram_indexes_on_postgresql():
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
    for column in ("project_name", "reference", "contact_name", "contact_email", "summary"):
        assert f"projects_candidacy_{column}_trgm" in plan, plan

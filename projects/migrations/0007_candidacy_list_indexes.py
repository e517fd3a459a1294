"""The staff's candidacy list and its search, read from indexes rather than from every candidacy.

- The list shows the received candidacies newest first: a partial index in that order (drafts left out, as the
  list leaves them out) gives PostgreSQL the first page without sorting every candidacy a person may read.
- The search looks for each word in five columns at once (`projects.models.SearchedText`). On PostgreSQL a
  trigram GIN index on that one expression answers it, and its statistics tell the planner how rare a word is:
  with five separate indexes (migration 0002, still used by the admin's search) it guessed badly and read every
  candidacy. Other databases keep the plain scan: nothing is done there.
"""

from django.db import migrations, models

# The expression of projects.models.SearchedText under `icontains`, as it stood when this migration was written;
# PostgreSQL uses the index only for this very expression.
SEARCHED = (
    """UPPER(("project_name" || ' ' || COALESCE("reference", '') || ' ' || "contact_name" || ' ' """
    """|| "contact_email" || ' ' || "summary")::text)"""
)
INDEX = "projects_candidacy_searched_trgm"


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "projects_candidacy" USING gin (({SEARCHED}) gin_trgm_ops)'
    )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_actor_directory_and_past_seasons")]

    operations = [
        migrations.AddIndex(
            model_name="candidacy",
            index=models.Index(
                condition=models.Q(("status", "draft"), _negated=True),
                fields=["-submitted_at", "-id"],
                name="candidacy_received_order_idx",
            ),
        ),
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]

"""Trigram indexes behind the staff's candidacy search, on PostgreSQL.

The search matches each word anywhere in five columns, case aside (`icontains`, which PostgreSQL runs as
`UPPER(column::text) LIKE UPPER('%word%')`). A trigram GIN index on that same expression lets PostgreSQL answer
it from the index instead of reading the whole table. Other databases keep the plain scan: nothing is done there.
"""

from django.db import migrations

COLUMNS = ["project_name", "reference", "contact_name", "contact_email", "summary"]


def index_name(column):
    return f"projects_candidacy_{column}_trgm"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index_name(column)}" ON "projects_candidacy" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(column)}"')


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]

"""On PostgreSQL, index normalized names with trigrams so that name search stays fast at national scale.

SQLite has no trigram index; there the plain b-tree index and a scan serve the embedded default.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_search_name_trgm ON people_person "
        "USING gin (search_name gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_phone_trgm ON people_person USING gin (phone gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_search_name_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS person_phone_trgm")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_registry")]
    operations = [migrations.RunPython(forwards, backwards)]

"""search/0001's trigram index over a contact's text is dropped: accounts/0016's index over (visibility keys,
the same text) serves the same searches, those of viewers who see everything included (its second column
alone), and one index less is one less to write on every contact change (PostgreSQL only)."""

from django.db import migrations

DROP = "DROP INDEX IF EXISTS search_contact_trgm"
CREATE = (
    "CREATE INDEX IF NOT EXISTS search_contact_trgm ON accounts_contact USING gin ("
    "(lower(full_name || ' ' || email || ' ' || regexp_replace(phone, '[^0-9]', '', 'g'))) gin_trgm_ops)"
)


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_contact_search_index"), ("accounts", "0016_visibility_keys")]

    operations = [migrations.RunPython(_run(DROP), _run(CREATE))]

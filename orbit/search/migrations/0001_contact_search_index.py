"""A trigram index over a contact's name, e-mail and phone digits, so the global search finds a contact among
millions without scanning the table (PostgreSQL only; the SQLite demo scans its few rows).

The indexed expression is `orbit.search.contacts.SEARCH_EXPRESSION`; a query must use exactly it to hit the
index. bench/generate.py drops and rebuilds every secondary index of accounts_contact from the migrated
schema, so it rebuilds this one too.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS search_contact_trgm ON accounts_contact USING gin ("
    "(lower(full_name || ' ' || email || ' ' || regexp_replace(phone, '[^0-9]', '', 'g'))) gin_trgm_ops)"
)
DROP = "DROP INDEX IF EXISTS search_contact_trgm"


# The planner needs the expression's statistics to tell a common word (walk the rows) from a rare one (use
# the index); without them it guesses and a common surname takes a second.
ANALYZE = "ANALYZE accounts_contact"


def _run(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0013_prospects_by_creator")]

    operations = [migrations.RunPython(_run(CREATE, ANALYZE), _run(DROP))]

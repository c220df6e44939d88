"""PostgreSQL-only guards and indexes (SQLite, the demo default, relies on the service layer for these).

- a trigram index so `search_text LIKE '%word%'` (name or INN search) does not scan the table;
- an exclusion constraint: periods of one account never overlap;
- a deferred constraint trigger: at commit, every non-prospect live account has exactly one open period
  and its periods follow each other without gaps, and the account's responsible manager is that period's.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "CREATE INDEX IF NOT EXISTS accounts_account_search_trgm ON accounts_account USING gin (search_text gin_trgm_ops)",
    """ALTER TABLE accounts_ownershipperiod ADD CONSTRAINT accounts_ownership_no_overlap
       EXCLUDE USING gist (account_id WITH =, tstzrange(started_at, ended_at, '[)') WITH &&)""",
    """CREATE OR REPLACE FUNCTION accounts_check_ownership() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      acc_id bigint;
      acc record;
      open_count int;
      open_manager bigint;
      gaps int;
    BEGIN
      IF TG_TABLE_NAME = 'accounts_account' THEN acc_id := NEW.id;
      ELSIF TG_OP = 'DELETE' THEN acc_id := OLD.account_id;
      ELSE acc_id := NEW.account_id;
      END IF;
      SELECT id, status, responsible_manager_id, archived_at INTO acc FROM accounts_account WHERE id = acc_id;
      IF NOT FOUND THEN RETURN NULL; END IF;
      SELECT count(*), max(manager_id) INTO open_count, open_manager
        FROM accounts_ownershipperiod WHERE account_id = acc_id AND ended_at IS NULL;
      IF acc.status <> 'prospect' AND open_count <> 1 THEN
        RAISE EXCEPTION 'account % (%) must have exactly one open ownership period, has %',
          acc_id, acc.status, open_count USING ERRCODE = 'check_violation';
      END IF;
      IF open_count = 1 AND acc.responsible_manager_id IS DISTINCT FROM open_manager THEN
        RAISE EXCEPTION 'account % responsible manager differs from its open ownership period', acc_id
          USING ERRCODE = 'check_violation';
      END IF;
      SELECT count(*) INTO gaps FROM (
        SELECT started_at, lag(ended_at) OVER (ORDER BY started_at) AS prev_end,
               row_number() OVER (ORDER BY started_at) AS n
          FROM accounts_ownershipperiod WHERE account_id = acc_id) p
        WHERE n > 1 AND prev_end IS DISTINCT FROM started_at;
      IF gaps > 0 THEN
        RAISE EXCEPTION 'account % has a gap in its ownership history', acc_id USING ERRCODE = 'check_violation';
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE CONSTRAINT TRIGGER accounts_ownership_invariant_on_period
       AFTER INSERT OR UPDATE OR DELETE ON accounts_ownershipperiod
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accounts_check_ownership()""",
    """CREATE CONSTRAINT TRIGGER accounts_ownership_invariant_on_account
       AFTER INSERT OR UPDATE OF status, responsible_manager_id ON accounts_account
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accounts_check_ownership()""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_ownership_invariant_on_account ON accounts_account",
    "DROP TRIGGER IF EXISTS accounts_ownership_invariant_on_period ON accounts_ownershipperiod",
    "DROP FUNCTION IF EXISTS accounts_check_ownership()",
    "ALTER TABLE accounts_ownershipperiod DROP CONSTRAINT IF EXISTS accounts_ownership_no_overlap",
    "DROP INDEX IF EXISTS accounts_account_search_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

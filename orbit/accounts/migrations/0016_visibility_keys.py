"""Visibility keys: the scope and the text meet in one index (issue 17; PostgreSQL only, the SQLite demo scans).

A team lead's search for a common surname walked his 13,607 accounts and their 40,000 contacts (or read the
12,000 contacts holding the surname from the heap) to keep the ~150 he may see: 170–370 ms. An account's
*visibility keys* are the tokens a viewer's scope is made of — `a<account id>`, `m<responsible manager>`,
`p<creator>` while it is a prospect — and `orbit.access.policy.visibility_keys(user)` lists the tokens of what he
sees (the same rule as `_own_scope`). A GIN index over (keys, text) answers "keys overlap mine AND text holds
the word" in one index scan, so only the rows found are read. The keys only narrow: every query still
applies the real scope (`visible_accounts`, `visible_to`), so a stale key could hide a row, never show one.

- accounts: an index on the keys *expression* (`accounts_visibility_keys(...)`, the account's own columns);
- contacts: a copy of their account's keys in `accounts_contact.visibility_keys` (not a model field: only
  PostgreSQL has it), kept by triggers in the writing transaction — a contact inserted or moved to another
  account (merge) takes its account's keys; an account whose manager, status or creator changes (ownership
  transfer, bulk ownership of imports, a prospect won) rewrites its contacts' keys. bench/generate.py, which
  loads with user triggers disabled, fills the column before it builds the index.

The (keys, text) indexes serve what the trigram indexes over the text alone did (their second column serves a
search by text alone): accounts 0003's `accounts_account_search_trgm` is dropped here, search/0001's contact
index by search/0002.
"""

from django.db import migrations

KEYS_FUNCTION = """
CREATE OR REPLACE FUNCTION accounts_visibility_keys(account_id bigint, manager_id bigint, status text,
                                                    creator_id bigint) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_remove(ARRAY['a' || account_id::text, 'm' || manager_id::text,
                            CASE WHEN status = 'prospect' THEN 'p' || creator_id::text END], NULL)
$$"""

ACCOUNT_INDEX = """
CREATE INDEX IF NOT EXISTS search_account_keys_trgm ON accounts_account USING gin (
  accounts_visibility_keys(id, responsible_manager_id, status, created_by_id), search_text gin_trgm_ops)"""

CONTACT_COLUMN = (
    "ALTER TABLE accounts_contact ADD COLUMN IF NOT EXISTS visibility_keys text[] NOT NULL DEFAULT '{}'"
)

FILL = """
UPDATE accounts_contact c
   SET visibility_keys = accounts_visibility_keys(a.id, a.responsible_manager_id, a.status, a.created_by_id)
  FROM accounts_account a WHERE a.id = c.account_id"""

CONTACT_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION accounts_contact_take_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT accounts_visibility_keys(a.id, a.responsible_manager_id, a.status, a.created_by_id)
    INTO NEW.visibility_keys FROM accounts_account a WHERE a.id = NEW.account_id;
  NEW.visibility_keys := coalesce(NEW.visibility_keys, '{}');
  RETURN NEW;
END $$"""

CONTACT_TRIGGER = """
CREATE OR REPLACE TRIGGER accounts_contact_keys BEFORE INSERT OR UPDATE OF account_id, visibility_keys ON accounts_contact
FOR EACH ROW EXECUTE FUNCTION accounts_contact_take_keys()"""

ACCOUNT_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION accounts_account_pass_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts_contact
     SET visibility_keys = accounts_visibility_keys(NEW.id, NEW.responsible_manager_id, NEW.status,
                                                    NEW.created_by_id)
   WHERE account_id = NEW.id;
  RETURN NULL;
END $$"""

ACCOUNT_TRIGGER = """
CREATE OR REPLACE TRIGGER accounts_account_keys AFTER UPDATE OF responsible_manager_id, status, created_by_id
ON accounts_account FOR EACH ROW
WHEN (OLD.responsible_manager_id IS DISTINCT FROM NEW.responsible_manager_id
      OR OLD.status IS DISTINCT FROM NEW.status OR OLD.created_by_id IS DISTINCT FROM NEW.created_by_id)
EXECUTE FUNCTION accounts_account_pass_keys()"""

CONTACT_INDEX = """
CREATE INDEX IF NOT EXISTS search_contact_keys_trgm ON accounts_contact USING gin (visibility_keys, (
  lower(full_name || ' ' || email || ' ' || regexp_replace(phone, '[^0-9]', '', 'g'))) gin_trgm_ops)"""

FORWARD = [
    KEYS_FUNCTION,
    ACCOUNT_INDEX,
    CONTACT_COLUMN,
    FILL,
    CONTACT_TRIGGER_FUNCTION,
    CONTACT_TRIGGER,
    ACCOUNT_TRIGGER_FUNCTION,
    ACCOUNT_TRIGGER,
    CONTACT_INDEX,
    # The (keys, text) index serves a search by text alone too (its second column: the head's, the analytics'),
    # and the planner, misjudging how many names hold a short word, preferred this one and read 9,000 rows
    # from the heap to keep the 1,300 a division lead sees (270–400 ms against 75–150 ms, same load).
    "DROP INDEX IF EXISTS accounts_account_search_trgm",
    "ANALYZE accounts_account",
    "ANALYZE accounts_contact",
]

BACKWARD = [
    "CREATE INDEX IF NOT EXISTS accounts_account_search_trgm ON accounts_account USING gin (search_text gin_trgm_ops)",
    "DROP INDEX IF EXISTS search_contact_keys_trgm",
    "DROP TRIGGER IF EXISTS accounts_account_keys ON accounts_account",
    "DROP FUNCTION IF EXISTS accounts_account_pass_keys()",
    "DROP TRIGGER IF EXISTS accounts_contact_keys ON accounts_contact",
    "DROP FUNCTION IF EXISTS accounts_contact_take_keys()",
    "ALTER TABLE accounts_contact DROP COLUMN IF EXISTS visibility_keys",
    "DROP INDEX IF EXISTS search_account_keys_trgm",
    "DROP FUNCTION IF EXISTS accounts_visibility_keys(bigint, bigint, text, bigint)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0015_bulkaction")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

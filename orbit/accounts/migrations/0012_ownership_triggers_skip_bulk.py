"""The ownership triggers (0003) skip rows written inside `ownership_bulk.checked_together()`, which checks the
same invariant set-based for all of them at once. A constraint trigger's WHEN is evaluated as the row is written,
not at commit, so only those rows are skipped."""

from django.db import migrations

WHEN = "WHEN (current_setting('orbit.ownership_checked_together', true) IS DISTINCT FROM 'on')"


def _triggers(when: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS accounts_ownership_invariant_on_period ON accounts_ownershipperiod",
        "DROP TRIGGER IF EXISTS accounts_ownership_invariant_on_account ON accounts_account",
        f"""CREATE CONSTRAINT TRIGGER accounts_ownership_invariant_on_period
           AFTER INSERT OR UPDATE OR DELETE ON accounts_ownershipperiod
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {when} EXECUTE FUNCTION accounts_check_ownership()""",
        f"""CREATE CONSTRAINT TRIGGER accounts_ownership_invariant_on_account
           AFTER INSERT OR UPDATE OF status, responsible_manager_id ON accounts_account
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {when} EXECUTE FUNCTION accounts_check_ownership()""",
    ]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_account_branches_by_kpp_merged_into")]
    operations = [migrations.RunPython(_run(_triggers(WHEN)), _run(_triggers("")))]

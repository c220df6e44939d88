"""The last done and next planned touch of every account into its pulse (accounts 0017 made the rows at their
"nothing yet" values), so an upgrade shows the list's work columns at once, not after the next morning run.
The same figures as orbit.activities.pulse computes; plain SQL, valid on PostgreSQL and SQLite."""

from django.db import migrations

FILL = """
UPDATE accounts_accountpulse SET
    last_touch_at = COALESCE(
        (SELECT MAX(t.happened_at) FROM activities_touch t
         WHERE t.account_id = accounts_accountpulse.account_id AND t.status = 'done'),
        last_touch_at),
    next_touch_on = COALESCE(
        (SELECT MIN(t.planned_for) FROM activities_touch t
         WHERE t.account_id = accounts_accountpulse.account_id AND t.status = 'planned'),
        next_touch_on)
"""


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_task_request"), ("accounts", "0017_account_pulse")]

    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]

"""How many requests each account has open, into its pulse (accounts 0017 made the rows at 0), so an upgrade
shows the list's work columns at once. The same figure as orbit.requests.pulse computes (the open statuses are
requests.models.OPEN_STATUSES); plain SQL, valid on PostgreSQL and SQLite."""

from django.db import migrations

FILL = """
UPDATE accounts_accountpulse SET open_requests = (
    SELECT COUNT(*) FROM requests_request r
    WHERE r.account_id = accounts_accountpulse.account_id
      AND r.status IN ('new', 'in_progress', 'waiting_client'))
"""


class Migration(migrations.Migration):
    dependencies = [("requests", "0003_comment_minutes_spent"), ("accounts", "0017_account_pulse")]

    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]

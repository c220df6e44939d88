# The date and reason of a terminated contract (deals branch): a terminated contract must say when it ended.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_account_manager_sort"),
        ("revenue", "0003_document_counter"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="terminated_on",
            field=models.DateField(blank=True, null=True, verbose_name="terminated on"),
        ),
        migrations.AddField(
            model_name="contract",
            name="termination_reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="reason for terminating"),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "terminated"), _negated=True),
                    ("terminated_on__isnull", False),
                    _connector="OR",
                ),
                name="revenue_contract_terminated_dated",
            ),
        ),
    ]

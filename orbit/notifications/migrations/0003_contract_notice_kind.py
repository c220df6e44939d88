# The contract notice reminder (deals branch): a new notification kind, no change to the tables.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_handoff_and_cover_kinds'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('request_assigned', 'A request or complaint assigned to me or on my account'), ('request_comment', 'A new comment on a request I follow'), ('sla_warning', "A request's SLA is close to breach"), ('sla_breached', "A request's SLA is breached and escalated to me"), ('task_assigned', 'A task assigned to me'), ('task_due', 'A task of mine is due'), ('touch_overdue', 'A planned touch is overdue'), ('handoff_step_due', 'A handoff step is due'), ('handoff_started', 'An account is being handed to me, from me or to my team'), ('handoff_step_done', 'A step of a handoff I take part in is done'), ('handoff_decided', 'A handoff I take part in is accepted, rejected or cancelled'), ('cover_arranged', 'A cover of me or by me is arranged or cancelled'), ('cover_started', 'A cover for an absent manager has started'), ('cover_ended', 'A cover of me or by me has ended'), ('contract_notice', 'The last day to give notice on a contract I watch is near')], max_length=32, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='notificationpreference',
            name='kind',
            field=models.CharField(choices=[('request_assigned', 'A request or complaint assigned to me or on my account'), ('request_comment', 'A new comment on a request I follow'), ('sla_warning', "A request's SLA is close to breach"), ('sla_breached', "A request's SLA is breached and escalated to me"), ('task_assigned', 'A task assigned to me'), ('task_due', 'A task of mine is due'), ('touch_overdue', 'A planned touch is overdue'), ('handoff_step_due', 'A handoff step is due'), ('handoff_started', 'An account is being handed to me, from me or to my team'), ('handoff_step_done', 'A step of a handoff I take part in is done'), ('handoff_decided', 'A handoff I take part in is accepted, rejected or cancelled'), ('cover_arranged', 'A cover of me or by me is arranged or cancelled'), ('cover_started', 'A cover for an absent manager has started'), ('cover_ended', 'A cover of me or by me has ended'), ('contract_notice', 'The last day to give notice on a contract I watch is near')], max_length=32, verbose_name='kind'),
        ),
    ]

"""Telling people about their tasks: on assignment at once, and at the reminder time through a deferred task."""

from django.db import transaction
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from orbit.activities.models import Task, TaskStatus


def schedule_task_notifications(item: Task, *, assigned_by) -> None:
    from orbit.notifications.services import notify

    url = reverse("activities:agenda")
    if item.assignee_id != assigned_by.pk:
        notify(
            recipients=[item.assignee],
            kind="task_assigned",
            title=format_lazy(_("New task: {title}"), title=item.title),
            body=format_lazy(
                _("Due {date}. From {person}."), date=item.due_on.strftime("%d.%m.%Y"), person=assigned_by
            ),
            url=url,
            account=item.account,
        )
    # A backend that cannot defer (the in-line one of the tests) has no reminders; the task is tested directly.
    if item.remind_at is not None and remind_task.get_backend().supports_defer:
        reminder = remind_task.using(run_after=item.remind_at)
        transaction.on_commit(lambda: reminder.enqueue(item.pk, item.remind_at.isoformat()))


@task()
def remind_task(task_id: int, remind_at: str) -> bool:
    """Runs at the reminder time; does nothing if the task was closed or its reminder moved meanwhile."""
    from orbit.notifications.services import notify

    item = Task.objects.select_related("assignee", "account").filter(pk=task_id).first()
    if item is None or item.status != TaskStatus.OPEN or item.remind_at is None:
        return False
    if item.remind_at.isoformat() != remind_at:
        return False
    notify(
        recipients=[item.assignee],
        kind="task_due",
        title=format_lazy(_("Reminder: {title}"), title=item.title),
        body=format_lazy(_("Due {date}."), date=item.due_on.strftime("%d.%m.%Y")),
        url=reverse("activities:agenda"),
        account=item.account,
    )
    return True

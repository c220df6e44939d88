"""Escalation through the real database worker (`manage.py db_worker`), as in production."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.requests import services
from orbit.requests.models import Department, Escalation, Priority, Request, RequestType
from tests.factories import Org, make_account
from tests.worker import run_db_worker, use_database_tasks


@pytest.mark.django_db(transaction=True)
def test_overdue_request_is_escalated_by_the_worker(postgres_only, settings, tmp_path):
    use_database_tasks(settings)
    org = Org()
    account = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")
    # A critical incident received three weeks ago (1 h to answer, 8 h to resolve): every moment has passed.
    request = services.request_create(
        by=org.am_a,
        account=account,
        request_type=RequestType.INCIDENT,
        priority=Priority.CRITICAL,
        department=Department.objects.get(code="support"),
        subject="Остановилась линия",
        received_at=timezone.now() - dt.timedelta(days=21),
    )
    queued = DBTaskResult.objects.filter(task_path="orbit.requests.tasks.check_sla")
    assert queued.count() == 4  # warning and breach of both clocks, each with its run_after
    assert all(task.run_after is not None for task in queued)
    assert Request.objects.get(pk=request.pk).escalation_level == Escalation.NONE  # nothing ran in-line

    run = run_db_worker(mail_dir=tmp_path / "mail")

    assert run.returncode == 0, run.output
    assert run.failed == []
    # The four checks, then the head's step the breach enqueued (once per breached clock).
    assert run.succeeded.count("orbit.requests.tasks.check_sla") == 6
    request.refresh_from_db()
    assert request.escalation_level == Escalation.HEAD
    told = sorted(
        Notification.objects.filter(kind=Kind.SLA_BREACHED).values_list("recipient__username", flat=True)
    )
    assert told == ["am_a", "am_a", "head", "lead_a", "lead_a"]
    # A second run finds nothing to do and escalates nothing again.
    again = run_db_worker()
    assert again.succeeded == [] and again.failed == []
    assert Notification.objects.filter(kind=Kind.SLA_BREACHED).count() == 5

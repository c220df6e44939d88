"""The one test that runs the real database worker (`manage.py db_worker`) in its own process."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.notifications.services import notify
from tests.factories import make_account, make_user
from tests.worker import run_db_worker, use_database_tasks


@pytest.mark.django_db(transaction=True)
def test_email_goes_out_through_the_real_worker(postgres_only, settings, tmp_path):
    use_database_tasks(settings)
    manager = make_user("manager", "account_manager", email="manager@example.com", language="ru")
    account = make_account(manager, manager, legal_name="ООО «Ромашка»")
    with transaction.atomic():
        notify(
            recipients=[manager],
            kind=Kind.SLA_BREACHED,
            title="Обращение 7 по «Ромашке»: SLA нарушен",
            body="Ответ клиенту просрочен на 3 часа.",
            url=f"/accounts/{account.pk}/",
            account=account,
        )
        assert not DBTaskResult.objects.exists()  # enqueued only when the change is committed
    [queued] = DBTaskResult.objects.all()
    assert (
        queued.status == "READY" and queued.task_path == "orbit.notifications.tasks.send_notification_email"
    )
    assert Notification.objects.get().emailed_at is None  # the request did not send anything itself

    run = run_db_worker(mail_dir=tmp_path / "mail")

    assert run.returncode == 0, run.output
    assert run.succeeded == ["orbit.notifications.tasks.send_notification_email"] and run.failed == []
    [message] = run.emails
    assert message["To"] == "manager@example.com"
    assert message["Subject"].strip() == "[Orbit] Обращение 7 по «Ромашке»: SLA нарушен"
    text = message.get_content()
    assert "Здравствуйте, Manager!" in text and "Ответ клиенту просрочен на 3 часа." in text
    assert f"Открыть в Orbit: http://127.0.0.1:8000/accounts/{account.pk}/" in text
    assert Notification.objects.get().emailed_at is not None
    # A second run finds nothing to do and sends nothing again.
    again = run_db_worker(mail_dir=tmp_path / "mail-again")
    assert again.returncode == 0 and again.succeeded == [] and again.emails == []

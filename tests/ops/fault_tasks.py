"""A task for the killed-worker test (tests/ops/test_worker_faults.py): it writes in a transaction and, when
ORBIT_FAULTS_PAUSE is set in the worker's environment, waits inside it that many seconds — long enough to be
killed in the middle."""

import os
import signal
import time

from django.core.mail.backends.filebased import EmailBackend
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from orbit.ops.models import RateWindow


@task()
def write_then_wait(key: str) -> str:
    with transaction.atomic():
        RateWindow.objects.create(key=key, minute=timezone.now(), hits=1)
        time.sleep(float(os.environ.get("ORBIT_FAULTS_PAUSE", "0")))
    return key


class SendThenDie(EmailBackend):
    """Delivers (writes the file), then the worker is killed before it can record anything: the worst moment."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        os.kill(os.getpid(), signal.SIGKILL)
        return sent

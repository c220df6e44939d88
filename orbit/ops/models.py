from django.db import models


class RateWindow(models.Model):
    """Requests counted for one caller (an API token, a signed-in user) in one minute; see ratelimit.py."""

    key = models.CharField(max_length=80)
    minute = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "minute"], name="ops_ratewindow_key_minute")]

    def __str__(self) -> str:
        return f"{self.key} {self.minute:%H:%M} {self.hits}"


class WorkerHeartbeat(models.Model):
    """A background worker's sign of life, written every HEARTBEAT_SECONDS by a thread of its process
    (heartbeat.py): /health/ready and the metrics tell a worker that died from one with nothing to do."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} {self.seen_at:%H:%M:%S}"

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

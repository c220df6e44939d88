"""API rate limits per caller (issue 16): a token or a signed-in user may make ORBIT_API_RATE_LIMIT requests a
minute (Orbit's default 1,200: twenty a second, far above a person or a well-behaved sync, far below a runaway
loop); past it, 429 with Retry-After until the minute turns.

The count lives in PostgreSQL (one upsert per request), so it holds across every web process and server —
a per-process memory count would multiply the limit by the processes. A caller's older minutes are deleted
when his new minute starts, so the table stays as small as the callers of the last minute.
"""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

from orbit.ops.models import RateWindow
from orbit.ops.unavailable import unless_read_only


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def hit(key: str, *, limit: int | None = None, now: dt.datetime | None = None) -> int:
    """Count a request of `key`; RateLimited when it is over the limit. Returns the minute's count."""
    limit = settings.ORBIT_API_RATE_LIMIT if limit is None else limit
    if limit <= 0:
        return 0
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    table = RateWindow._meta.db_table
    hits = 0  # stays 0 when the database is read-only (issue 16, faults): reads go on, uncounted
    with unless_read_only(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, minute, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT (key, minute) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
            [key, minute],
        )
        hits = cursor.fetchone()[0]
    if hits == 1:
        RateWindow.objects.filter(key=key, minute__lt=minute).delete()
    if hits > limit:
        raise RateLimited(retry_after=60 - now.second)
    return hits

"""API rate limits per caller: past ORBIT_API_RATE_LIMIT requests a minute a token (or a signed-in user) gets
429 with Retry-After until the minute turns; other callers are not slowed; the count is the database's, so it
holds across web processes."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orbit.ops import ratelimit
from orbit.ops.models import RateWindow

AT = dt.datetime(2026, 12, 2, 10, 0, 45, tzinfo=dt.UTC)


@pytest.fixture
def limited(settings):
    settings.ORBIT_API_RATE_LIMIT = 5
    with time_machine.travel(AT, tick=False):  # the minute must not turn during the test
        yield


def test_a_token_past_the_limit_waits_and_the_others_do_not(call, browser_login, org, limited):
    org.am_a.language = "en"
    org.am_a.save(update_fields=["language"])
    runaway, other = call(org.am_a), call(org.am_b)
    assert [runaway.get("/auth/me").status_code for _ in range(5)] == [200] * 5
    refused = runaway.get("/auth/me")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "15"  # until the minute turns (10:00:45 → 10:01:00)
    assert refused.json() == {
        "detail": "Too many requests: wait 15 s and try again, or slow down.",
        "errors": {},
    }
    assert other.get("/auth/me").status_code == 200
    browser = browser_login(org.am_b)  # the same person signed in is counted as himself, not as his token
    assert browser.get("/api/auth/me").status_code == 200


def test_an_unknown_token_is_refused_before_it_is_counted(call, org, limited):
    stranger = call(token="orb_not-a-token")
    assert {stranger.get("/auth/me").status_code for _ in range(8)} == {401}
    assert not RateWindow.objects.exists()


@pytest.mark.django_db
def test_the_count_starts_again_each_minute_and_old_minutes_are_forgotten():
    for second in range(3):
        assert ratelimit.hit("token:x", limit=3, now=AT.replace(second=second)) == second + 1
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit("token:x", limit=3, now=AT.replace(second=50))
    assert refused.value.retry_after == 10
    assert ratelimit.hit("token:x", limit=3, now=AT + dt.timedelta(minutes=1)) == 1
    assert list(RateWindow.objects.values_list("key", "minute", "hits")) == [
        ("token:x", AT.replace(minute=1, second=0), 1)
    ]
    assert ratelimit.hit("token:x", limit=0) == 0  # off


@pytest.mark.django_db
def test_counting_is_one_statement_per_request():
    ratelimit.hit("user:1", limit=10, now=AT)
    with CaptureQueriesContext(connection) as done:
        ratelimit.hit("user:1", limit=10, now=AT)
    # Inside a transaction (as the tests run) the count has a savepoint around it, so that a read-only
    # database skips it and the read goes on (ops/unavailable.py); in a request it is the statement alone.
    statements = [
        q["sql"] for q in done.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO")

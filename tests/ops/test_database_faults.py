"""Faults survived (issue 16): the database read-only, then away and back, each answered by Orbit's own 503.

Read-only is PostgreSQL's own refusal (`default_transaction_read_only`, as on a replica promoted late): the
test client's requests use the test's connection, so a session-level SET reaches them. Away and back is done to
the real `orbit serve` process: its database stops accepting connections (ALLOW_CONNECTIONS false, which binds
superusers too) and its kept connections are terminated, then the database is opened again."""

import json
import time

import httpx
import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse

from orbit.accounts.models import Account
from orbit.activities.models import Touch
from orbit.api.models import ApiToken
from orbit.ops import unavailable
from tests.factories import PASSWORD, make_account
from tests.ops.test_serve import served  # noqa: F401  (the fixture: a real `orbit serve` on the test database)


@pytest.fixture
def read_only():
    def switch(on: bool) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SET default_transaction_read_only = {'on' if on else 'off'}")

    yield switch
    switch(False)  # before the test database is flushed


@pytest.mark.django_db(transaction=True)
def test_a_read_only_database_refuses_writes_clearly_and_reads_go_on(org, postgres_only, read_only):
    account = make_account(org.am_a)
    _, token = ApiToken.issue(user=org.am_a, name="tests")
    client = Client(raise_request_exception=False)
    client.force_login(org.am_a)  # the session is written before the database turns read-only
    touch_log = reverse("activities:touch_log", args=[account.pk])
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    read_only(True)
    assert client.get(reverse("activities:agenda")).status_code == 200
    assert client.get(reverse("accounts:detail", args=[account.pk])).status_code == 200
    assert client.get("/api/accounts", **api).status_code == 200  # the rate limit's count is skipped

    response = client.post(touch_log, {"kind": "call", "duration_minutes": 15, "outcome": "Созвонились"})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Orbit временно работает только на чтение" in page and "ничего не сохранено" in page

    response = client.post(
        f"/api/accounts/{account.pk}/touches",
        json.dumps({"kind": "call", "duration_minutes": 15, "happened_at": "2026-12-01T10:00:00"}),
        content_type="application/json",
        **api,
    )
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "только на чтение" in response.json()["detail"]

    read_only(False)
    assert not Touch.objects.filter(account=account, outcome="Созвонились").exists()  # nothing half-written
    response = client.post(touch_log, {"kind": "call", "duration_minutes": 15, "outcome": "Созвонились"})
    assert (
        response.status_code == 302 and Touch.objects.filter(account=account, outcome="Созвонились").exists()
    )


def _database_open(name: str, allowed: bool) -> None:
    """From the maintenance database: PostgreSQL will not close the database one is connected to."""
    cfg = connection.settings_dict
    with psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        dbname="postgres",
        autocommit=True,
    ) as maintenance:
        maintenance.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:  # the server's kept connections go too, as in a restart (the test's own stays)
            maintenance.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                [name, connection.connection.info.backend_pid],
            )


@pytest.mark.django_db(transaction=True)
def test_the_database_away_answers_503_fast_and_the_server_recovers_by_itself(org, served):  # noqa: F811
    base, _log = served
    account = make_account(org.am_a)
    _, token = ApiToken.issue(user=org.am_a, name="tests")
    name = connection.settings_dict["NAME"]
    # The served process checks passwords with the production hashers, not the suite's fast one.
    org.am_a.password = PBKDF2PasswordHasher().encode(PASSWORD, "faults-salt", iterations=1000)
    org.am_a.save(update_fields=["password"])
    with (
        httpx.Client(base_url=base, timeout=15) as browser,
        httpx.Client(base_url=f"{base}/api", headers={"Authorization": f"Bearer {token}"}, timeout=15) as api,
    ):
        browser.cookies.set(settings.LANGUAGE_COOKIE_NAME, "en")  # before sign-in the cookie's language rules
        browser.get("/login/")
        signed_in = browser.post(
            "/login/",
            data={
                "username": org.am_a.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
        )
        assert signed_in.status_code == 302
        assert browser.get(f"/accounts/{account.pk}/").status_code == 200
        assert api.get("/accounts").status_code == 200

        _database_open(name, False)
        try:
            for _ in range(3):  # each thread of each process: none hangs, none answers 500
                started = time.monotonic()
                page = browser.get(f"/accounts/{account.pk}/")
                assert time.monotonic() - started < 2
                assert page.status_code == 503 and page.headers["Retry-After"] == "30"
                assert "Orbit cannot reach its database" in page.text
                listed = api.get("/accounts")
                assert listed.status_code == 503 and listed.headers["Retry-After"] == "30"
                assert "не может связаться с базой данных" in listed.json()["detail"]  # a token: Russian
            written = api.post("/accounts", json={"legal_name": "ООО «Пока без базы»", "inn": "7707083893"})
            assert written.status_code == 503
        finally:
            _database_open(name, True)

        for _ in range(6):  # no restart: every thread reconnects on its next request
            assert browser.get(f"/accounts/{account.pk}/").status_code == 200
            assert api.get("/accounts").status_code == 200
    assert not Account.objects.filter(inn="7707083893").exists()  # the refused write left nothing


def test_a_statement_timeout_is_a_server_error_not_the_database_away(db, postgres_only):
    with pytest.raises(OperationalError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 10")
        cursor.execute("SELECT pg_sleep(1)")
    assert not unavailable.is_unreachable(caught.value) and unavailable.explain(caught.value) is None

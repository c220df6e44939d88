"""Bad input against the real production server (`orbit serve`, gunicorn gthread, DEBUG off): each is a clear
4xx or a dropped connection, and the server keeps answering everyone else (issue 16). The numbers the tests
see are recorded in docs/performance.md."""

# ruff: noqa: F811 - `served`, the fixture of test_serve.py, is imported to be shared, then taken as an argument

import concurrent.futures
import contextlib
import datetime as dt
import json
import re
import socket
import threading
import time

import httpx
import pytest

from orbit.api.models import ApiToken
from tests.factories import Org
from tests.ops.test_serve import _get, served  # noqa: F401

MB = 1024 * 1024


def _raw(base: str, data: bytes, *, timeout: float = 10) -> bytes:
    """Send `data` as is on a new connection; return the answer (headers and body), or what came before the
    server closed the connection."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as raw:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            raw.sendall(data)  # the server may answer and close before taking all of it: read what it said
        answer = b""
        try:
            while chunk := raw.recv(65536):
                answer += chunk
                head, _sep, body = answer.partition(b"\r\n\r\n")
                length = re.search(rb"(?i)content-length: *(\d+)", head)
                if _sep and length and len(body) >= int(length[1]):
                    break
        except ConnectionResetError:
            pass
        return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.fixture
def token(transactional_db):
    """A token the served process can see: committed, not inside a test transaction."""
    return ApiToken.issue(user=Org().head, name="bad-input")[1]


def test_a_100_mb_body_is_refused_with_413_before_it_is_read(served, token):
    base, _log = served
    host = base.removeprefix("http://")
    head = (
        f"POST /api/accounts HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {100 * MB}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer = _raw(
        base, head + b'{"legal_name": "' + b"x" * MB
    )  # 1 MB of it: the answer comes before the rest
    assert time.monotonic() - started < 5
    assert _status(answer) == 413
    # Refused before anyone is known: in Orbit's default language (Russian; English where LANGUAGE_CODE says).
    detail = json.loads(answer.split(b"\r\n\r\n", 1)[1])["detail"].replace("2,5", "2.5")
    assert "не больше 2.5 МБ" in detail or "at most 2.5 MB" in detail
    # A form without files likewise, and a file upload past ORBIT_MAX_UPLOAD_MB (200 MB).
    form = f"POST /login/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    assert _status(_raw(base, (form + f"Content-Length: {100 * MB}\r\n\r\n").encode() + b"a=" * 1000)) == 413
    upload = f"POST /imports/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
    assert _status(_raw(base, (upload + f"Content-Length: {300 * MB}\r\n\r\n").encode() + b"--x\r\n")) == 413
    assert _get(f"{base}/health/live")[0] == 200


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_slow_client_does_not_keep_the_others_waiting(served, part):
    """A client trickles its headers (or its body) a byte every half second, longer than the others' requests
    take: it holds one of the server's threads, and every other request is answered at once by the others.
    (Each trickler holds a thread as long as it goes on: in production the reverse proxy buffers requests and
    drops a client slower than client_header_timeout/client_body_timeout — deploy/nginx/orbit.conf.)"""
    base, _log = served
    host, port = base.removeprefix("http://").split(":")
    if part == "headers":
        first, then = b"GET /login/ HTTP/1.1\r\n", f"Host: {host}\r\nX-Slow: {'a' * 40}".encode()
    else:
        form = "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100"
        first, then = f"POST /api/auth/me HTTP/1.1\r\nHost: {host}\r\n{form}\r\n\r\n".encode(), b"a" * 100
    stop, trickling = threading.Event(), threading.Event()

    def trickle():
        with socket.create_connection((host, int(port)), timeout=30) as raw:
            raw.sendall(first)
            trickling.set()
            for byte in then:
                if stop.wait(0.5):
                    return
                raw.sendall(bytes([byte]))

    slow = threading.Thread(target=trickle)
    slow.start()
    try:
        assert trickling.wait(5)
        time.sleep(0.5)
        waits = []
        for _ in range(10):
            started = time.monotonic()
            assert _get(f"{base}/health/live")[0] == 200
            assert _get(f"{base}/login/")[0] == 200
            waits.append(time.monotonic() - started)
        assert max(waits) < 2, waits
        assert slow.is_alive()  # still trickling while the others were served
    finally:
        stop.set()
        slow.join(timeout=5)


@pytest.fixture
def limit_200(monkeypatch):
    monkeypatch.setenv("ORBIT_API_RATE_LIMIT", "200")  # read by the served process when it starts


def test_a_burst_from_one_token_gets_429_with_retry_after_counted_exactly(limit_200, served, token):
    """600 requests as fast as 16 connections send them, from one token, against the 1,200-a-minute default
    lowered to 200 for the test: exactly 200 are answered, the rest are 429 with Retry-After — the count is
    one atomic upsert per request, so concurrency neither loses nor doubles a hit. Another token is not slowed.
    """
    base, _log = served
    second = dt.datetime.now(tz=dt.UTC).second
    if second > 40:  # the whole burst in one minute: the count starts again when it turns
        time.sleep(61 - second)
    headers = {"Authorization": f"Bearer {token}"}
    statuses, retry_after = [], set()

    def one(client: httpx.Client):
        response = client.get(f"{base}/api/auth/me", headers=headers)
        return response.status_code, response.headers.get("Retry-After")

    started = time.monotonic()
    with (
        httpx.Client(timeout=30, limits=httpx.Limits(max_connections=16)) as client,
        concurrent.futures.ThreadPoolExecutor(16) as pool,
    ):
        for status, retry in pool.map(lambda _n: one(client), range(600)):
            statuses.append(status)
            if status == 429:
                retry_after.add(retry)
    took = time.monotonic() - started
    assert statuses.count(200) == 200 and statuses.count(429) == 400, {
        s: statuses.count(s) for s in set(statuses)
    }
    assert all(value and 0 < int(value) <= 60 for value in retry_after)
    print(
        f"600 requests from one token in {took:.1f} s ({600 / took:.0f}/s): 200 answered, 400 refused with 429"
    )
    assert _get(f"{base}/health/live")[0] == 200


def test_a_malformed_host_header_is_a_400(served):
    base, _log = served
    for host in (
        b"evil.example",  # not in ALLOWED_HOSTS
        b"127.0.0.1:8000:9000",  # two ports
        b"bad host",  # a space
        "пример".encode(),  # raw UTF-8, not IDNA
        b"",  # empty
    ):
        answer = _raw(base, b"GET /login/ HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
        assert _status(answer) == 400, host
    assert _get(f"{base}/health/live")[0] == 200


def test_a_path_climbing_out_with_dots_serves_no_file(served):
    base, _log = served
    for path in (
        b"/static/../../manage.py",
        b"/static/orbit/../../../orbit/settings.py",
        b"/static/%2e%2e/%2e%2e/manage.py",
        b"/static/orbit/..%2f..%2f..%2forbit%2fsettings.py",
        b"/static/..\\..\\manage.py",
        b"/../../../../etc/passwd",
        b"/media/../orbit/settings.py",
    ):
        answer = _raw(base, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert 400 <= _status(answer) < 500, (path, answer[:200])
        for secret in (b"SECRET_KEY", b"DJANGO_SETTINGS_MODULE", b"root:x:0:0"):
            assert secret not in answer, path
    assert _get(f"{base}/health/live")[0] == 200

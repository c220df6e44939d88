"""`orbit serve` really serves: a gunicorn process on a loopback port, answering over HTTP with health, static
files (WhiteNoise, DEBUG off) and pages, its access log carrying each request's id."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


_opener = urllib.request.build_opener(_NoRedirects)


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def served(db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the served process needs a database it can reach: PostgreSQL")
    cfg = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "test-serve-" + "x" * 40,
        "DATABASE_URL": f"postgres://{cfg['USER']}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{cfg['NAME']}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "ORBIT_DATA_DIR": str(tmp_path),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*manage, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(f"{base}/health/live")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("orbit serve did not answer in 10 s:\n" + log.read_text())
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_production_server_serves_health_static_files_and_pages(served):
    base, log = served
    status, _headers, body = _get(f"{base}/health/ready")
    assert status == 200 and b'"status": "ok"' in body

    status, headers, body = _get(f"{base}/static/orbit/orbit.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and len(body) > 1000

    status, headers, body = _get(f"{base}/login/", {"X-Request-ID": "probe-0123456789"})
    assert status == 200 and "Orbit" in body.decode()
    assert headers["X-Request-ID"] == "probe-0123456789"

    status, headers, _body = _get(f"{base}/accounts/")
    assert status == 302 and headers["Location"].startswith("/login/")  # served, not an error

    time.sleep(0.5)  # the access log is flushed by the worker
    assert 'GET /login/ HTTP/1.1" 200' in log.read_text() and "id=probe-0123456789" in log.read_text()


def test_metrics_add_up_the_processes(served):
    base, _log = served
    for _ in range(12):  # spread over the two processes by the kernel
        assert _get(f"{base}/health/ready")[0] == 200
    status, _headers, body = _get(f"{base}/health/metrics")
    assert status == 200
    line = next(
        line
        for line in body.decode().splitlines()
        if line.startswith("django_http_requests_total_by_view_transport_method_total{")
        and 'view="ops:ready"' in line
    )
    assert float(line.split()[-1]) == 12.0

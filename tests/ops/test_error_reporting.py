"""With SENTRY_DSN set, an error logged by Orbit reaches the error-reporting service over HTTP, without the
personal details of whoever was working; without it nothing is sent anywhere."""

import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "import logging; logging.getLogger('orbit.payments').error('платёж не сошёлся: %s', 'счёт 7')"


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":  # sentry-sdk prefers brotli when it is installed
            import brotli  # (locust, a dev dependency, brings it)

            body = brotli.decompress(body)
        _Collector.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def _run(env_extra: dict) -> None:
    env = {**os.environ, "DEBUG": "true", **env_extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SCRIPT],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=60,
    )


def test_an_error_goes_to_the_service_named_by_the_dsn():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Collector.received.clear()
    try:
        _run({})  # no DSN: nothing is sent
        assert _Collector.received == []
        _run({"SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/42"})
    finally:
        server.shutdown()
    assert len(_Collector.received) == 1
    path, body = _Collector.received[0]
    assert path == "/api/42/envelope/"
    items = [json.loads(line) for line in body.decode().splitlines() if line.startswith("{")]
    event = next(i for i in items if "logentry" in i or "message" in i)
    assert event["logentry"]["message"] == "платёж не сошёлся: %s"
    assert event["logentry"]["params"] == ["счёт 7"]
    assert event["logger"] == "orbit.payments" and event["level"] == "error"
    assert "user" not in event

"""Faults survived (issue 16), scripted: PostgreSQL restarts while `orbit serve` is under load.

    .venv/bin/python -m bench.db_restart            # ~2 min; prints the result, appends nothing by itself

A private PostgreSQL (initdb as the `postgres` OS user, on a loopback port, data under /tmp) so the machine's
shared server is never touched. Orbit is migrated into it and served (`orbit serve`, 2 processes × 4 threads,
DEBUG off). Then 8 clients log touches over the API (each write with its own Idempotency-Key) and read lists
and account cards for LOAD_SECONDS; PostgreSQL is stopped (`pg_ctl stop -m fast`) after DOWN_AT seconds and
started again DOWN_FOR seconds later. Checked:
- every answer is 2xx or Orbit's 503 with Retry-After (never a 500, never a hang): the slowest 503 is printed;
- the server answers 2xx again after PostgreSQL is back, without being restarted (time to recover printed);
- nothing half-written: each write refused during the outage is sent again with its key afterwards, and the
  base then holds exactly one logged touch per key (none lost, none twice), each with its planned next touch.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = Path("/usr/lib/postgresql/15/bin")
CLIENTS = 8
LOAD_SECONDS = 40
DOWN_AT = 12
DOWN_FOR = 10

SETUP = """
import json
from orbit.api.models import ApiToken
from tests.factories import make_account, make_user
am = make_user("am_restart", "account_manager", language="en")
accounts = [make_account(am).pk for _ in range(20)]
_, token = ApiToken.issue(user=am, name="restart")
print(json.dumps({"token": token, "accounts": accounts}))
"""

COUNT = """
import json
from orbit.activities.models import Touch
done = Touch.objects.filter(status="done", outcome__startswith="restart ")
print(json.dumps({
    "keys": sorted(done.values_list("outcome", flat=True)),
    "planned": Touch.objects.filter(status="planned").count(),
}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)


class Outcome:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers: list[
            tuple[float, str, int, float, bool]
        ] = []  # (at, what, status, seconds, retry-after)
        self.refused_keys: list[str] = []
        self.logged_keys: list[str] = []


def _call(base, token, method, path, body=None, key=None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers
    except OSError as error:
        print(f"{method} {path}: {error!r}", file=sys.stderr)
        return 0, {}


def _client(n, base, setup, start, outcome):
    i = 0
    while time.monotonic() - start < LOAD_SECONDS:
        i += 1
        account = setup["accounts"][(n * 7 + i) % len(setup["accounts"])]
        if i % 3 == 0:
            key = f"restart {n}-{i}-{uuid.uuid4().hex[:8]}"
            body = {
                "kind": "call",
                "duration_minutes": 5,
                "outcome": key,
                "happened_at": "2026-12-01T10:00:00",
            }
            what, call = "write", ("POST", f"/api/accounts/{account}/touches", body, key)
        elif i % 3 == 1:
            what, call, key = "list", ("GET", "/api/accounts", None, None), None
        else:
            what, call, key = "card", ("GET", f"/api/accounts/{account}", None, None), None
        began = time.monotonic()
        status, headers = _call(base, setup["token"], *call)
        took = time.monotonic() - began
        with outcome.lock:
            outcome.answers.append((began - start, what, status, took, bool(headers.get("Retry-After"))))
            if what == "write":
                (outcome.logged_keys if status == 201 else outcome.refused_keys).append((key, body, account))
        time.sleep(0.05)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="orbit-restart-"))
    data = work / "pg"
    shutil.chown(work, "postgres")
    port = _free_port()
    pg_ctl = [str(PG / "pg_ctl"), "-D", str(data), "-w", "-l", str(work / "pg.log")]
    _as_postgres(str(PG / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    opts = f"-p {port} -k {work} -c listen_addresses=127.0.0.1 -c fsync=off"
    _as_postgres(*pg_ctl, "-o", opts, "start")
    server = None
    try:
        _as_postgres(str(PG / "createdb"), "-h", "127.0.0.1", "-p", str(port), "orbit")
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "orbit-restart-check-" + "x" * 40,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/orbit",
            "STATIC_ROOT": str(work / "static"),
            "ORBIT_DATA_DIR": str(work),
            "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
            "ORBIT_API_RATE_LIMIT": "0",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        (work / "metrics").mkdir()
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        shell = subprocess.run(
            [*manage, "shell", "-c", SETUP], env=env, cwd=ROOT, check=True, capture_output=True
        )
        setup = json.loads(shell.stdout.decode().strip().splitlines()[-1])
        web = _free_port()
        base = f"http://127.0.0.1:{web}"
        server = subprocess.Popen(
            [*manage, "serve", "--bind", f"127.0.0.1:{web}", "--workers", "2", "--threads", "4"],
            env=env,
            cwd=ROOT,
            stdout=(work / "serve.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            if _call(base, setup["token"], "GET", "/api/accounts")[0] == 200:
                break
            time.sleep(0.2)

        outcome = Outcome()
        start = time.monotonic()
        clients = [
            threading.Thread(target=_client, args=(n, base, setup, start, outcome)) for n in range(CLIENTS)
        ]
        for thread in clients:
            thread.start()
        time.sleep(DOWN_AT)
        down = time.monotonic() - start
        _as_postgres(*pg_ctl, "-m", "fast", "stop")
        time.sleep(DOWN_FOR)
        _as_postgres(*pg_ctl, "-o", opts, "start")
        up = time.monotonic() - start
        for thread in clients:
            thread.join()

        for key, body, account in outcome.refused_keys:  # the client tries again with the same key
            status, _ = _call(base, setup["token"], "POST", f"/api/accounts/{account}/touches", body, key)
            assert status in (200, 201), f"retry of {key}: {status}"
        counted = subprocess.run(
            [*manage, "shell", "-c", COUNT], env=env, cwd=ROOT, check=True, capture_output=True
        )
        base_holds = json.loads(counted.stdout.decode().strip().splitlines()[-1])
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *pg_ctl, "-m", "immediate", "stop"], capture_output=True
        )
        if os.environ.get("ORBIT_KEEP_LOGS"):
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    _verdict(outcome, down, up, base_holds)


def _verdict(outcome, down, up, base_holds) -> None:
    answers = outcome.answers
    statuses = {}
    for _at, _what, status, _took, _retry in answers:
        statuses[status] = statuses.get(status, 0) + 1
    unavailable = [a for a in answers if a[2] == 503]
    bad = [a for a in answers if a[2] not in (200, 201, 503)]
    after = [a for a in answers if a[0] > up and a[2] in (200, 201)]
    recovered = min((a[0] for a in after), default=None)
    late_failures = [a for a in answers if recovered is not None and a[0] > recovered + 1 and a[2] == 503]
    keys = [k for k, _b, _a in outcome.logged_keys + outcome.refused_keys]
    print(f"requests: {len(answers)}; answers by status: {dict(sorted(statuses.items()))}")
    print(f"PostgreSQL stopped at {down:.1f} s, started at {up:.1f} s")
    if unavailable:
        print(
            f"503 answers: {len(unavailable)}, all with Retry-After: {all(a[4] for a in unavailable)}; "
            f"slowest {max(a[3] for a in unavailable) * 1000:.0f} ms, median "
            f"{sorted(a[3] for a in unavailable)[len(unavailable) // 2] * 1000:.0f} ms"
        )
    print(f"other than 2xx/503 (500s, dropped connections): {len(bad)}")
    for at, what, status, took, _retry in bad:
        print(f"  at {at:.1f} s: {what} -> {status or 'no answer'} after {took * 1000:.0f} ms")
    print(f"first 2xx after PostgreSQL was back: +{recovered - up:.1f} s" if recovered else "never recovered")
    print(f"503 later than 1 s after the recovery: {len(late_failures)}")
    print(
        f"writes: {len(keys)} keys ({len(outcome.logged_keys)} logged at once, {len(outcome.refused_keys)} "
        f"refused and sent again); logged touches in the base: {len(base_holds['keys'])}, distinct "
        f"{len(set(base_holds['keys']))}, equal to the keys: {sorted(base_holds['keys']) == sorted(keys)}; "
        f"planned next touches: {base_holds['planned']}"
    )
    ok = (
        not bad
        and all(a[4] for a in unavailable)
        and recovered is not None
        and not late_failures
        and sorted(base_holds["keys"]) == sorted(keys)
    )
    print("RESULT:", "passed" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

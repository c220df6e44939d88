"""Load test of the real `orbit serve` (issue 16): the day of a department's people at rising concurrency.

    .venv/bin/python -m bench.load --database orbit_bench_load     # starts the server, prepares, runs, reports

or by hand against a running server, after `bench.load_setup`:

    ORBIT_LOAD_PEOPLE=/tmp/orbit-load.json ORBIT_LOAD_STEPS=4,8,16,32 ORBIT_LOAD_STEP_SECONDS=60 \\
        .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8000

Who does what (weights are Orbit's guess at a working day's mix):
- account managers, in the browser: the agenda (their day), the accounts list, a search by name prefix, an
  account card, log a touch (a POST that writes the touch and plans the next), comment a request;
- an integration, over the API with a token: the accounts list, page by page.
Each simulated person waits 1-3 s between actions (reading the page); concurrency is the number of them.

Steps: ORBIT_LOAD_STEPS people for ORBIT_LOAD_STEP_SECONDS each. At the end of each step its statistics
(requests/s, p50/p95/p99 per action, failures, the machine's load average) are appended to ORBIT_LOAD_REPORT
(JSON lines) and the counters are reset for the next step.
"""

import json
import os
import random
import secrets
import time
from pathlib import Path

from locust import HttpUser, LoadTestShape, between, events, task

PEOPLE = json.loads(Path(os.environ.get("ORBIT_LOAD_PEOPLE", "/tmp/orbit-load.json")).read_text())
STEPS = [int(n) for n in os.environ.get("ORBIT_LOAD_STEPS", "4,8,16,32").split(",")]
STEP_SECONDS = int(os.environ.get("ORBIT_LOAD_STEP_SECONDS", "60"))
REPORT = Path(os.environ.get("ORBIT_LOAD_REPORT", "/tmp/orbit-load-steps.jsonl"))
WARM_UP_SECONDS = 5  # the first seconds of a step (people arriving) are not counted


def _person(index: int) -> dict:
    return PEOPLE["people"][index % len(PEOPLE["people"])]


class AccountManager(HttpUser):
    weight = 5
    wait_time = between(1, 3)
    _count = 0

    def on_start(self):
        AccountManager._count += 1
        self.me = _person(AccountManager._count)
        self.csrf = secrets.token_hex(
            16
        )  # a 32-character secret: the cookie and the header carry the same one
        self.client.cookies.set(PEOPLE["cookie"], self.me["session"])
        self.client.cookies.set("csrftoken", self.csrf)
        self.client.headers["X-CSRFToken"] = self.csrf

    def _account(self) -> int:
        return random.choice(self.me["accounts"])

    @task(4)
    def agenda(self):
        self.client.get("/agenda/", name="agenda")

    @task(3)
    def accounts_list(self):
        self.client.get("/accounts/", params={"page": random.randint(1, 5)}, name="accounts list")

    @task(2)
    def search(self):
        self.client.get("/accounts/", params={"q": random.choice(PEOPLE["search"])}, name="search")

    @task(3)
    def account_card(self):
        self.client.get(f"/accounts/{self._account()}/", name="account card")

    @task(1)
    def log_a_touch(self):
        with self.client.post(
            f"/agenda/accounts/{self._account()}/touch/",
            data={"kind": "call", "duration_minutes": 10, "outcome": "Обсудили поставку"},
            name="log a touch",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}: not logged")

    @task(1)
    def comment_a_request(self):
        with self.client.post(
            f"/requests/{random.choice(self.me['requests'])}/comment/",
            data={"text": "Проверил, отправляю клиенту."},
            name="comment a request",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}: not commented")


class Integration(HttpUser):
    weight = 1
    wait_time = between(1, 3)
    _count = 0

    def on_start(self):
        Integration._count += 1
        self.client.headers["Authorization"] = f"Bearer {_person(Integration._count)['token']}"

    @task
    def api_list(self):
        self.client.get("/api/accounts", params={"page": random.randint(1, 5)}, name="API list")


class RisingSteps(LoadTestShape):
    """STEPS people for STEP_SECONDS each; reports and resets the statistics at the end of each step."""

    def __init__(self):
        super().__init__()
        self.step = -1
        self.step_started = 0.0

    def tick(self):
        elapsed = self.get_run_time()
        step = int(elapsed // STEP_SECONDS)
        if step != self.step:
            if self.step >= 0:
                _report(self.runner.environment, STEPS[self.step], time.monotonic() - self.step_started)
            if step >= len(STEPS):
                return None
            self.step = step
            self.warmed = False
        if not self.warmed and elapsed - step * STEP_SECONDS >= WARM_UP_SECONDS:
            self.runner.environment.stats.reset_all()
            self.step_started = time.monotonic()
            self.warmed = True
        return STEPS[step], STEPS[step]  # people, arriving per second


def _report(environment, people: int, seconds: float) -> None:
    stats = environment.stats
    actions = {}
    for (name, method), entry in sorted(stats.entries.items()):
        actions[name] = {
            "method": method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": round(entry.num_requests / seconds, 2),
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
        }
    total = stats.total
    line = {
        "people": people,
        "seconds": round(seconds, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "rps": round(total.num_requests / seconds, 2),
        "requests": total.num_requests,
        "failures": total.num_failures,
        "p50": total.get_response_time_percentile(0.5),
        "p95": total.get_response_time_percentile(0.95),
        "p99": total.get_response_time_percentile(0.99),
        "errors": [f"{e.method} {e.name}: {e.error} ×{e.occurrences}" for e in stats.errors.values()],
        "actions": actions,
    }
    with REPORT.open("a") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    stats.reset_all()


@events.quitting.add_listener
def _quitting(environment, **kwargs):
    environment.process_exit_code = 0  # failures are reported per step, not as the process's exit code

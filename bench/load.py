"""Run the load test (bench/locustfile.py) against the real `orbit serve` on a benchmark base, and write
bench/results_load.md: per step of concurrency, requests/s, p50/p95/p99 per action, failures, load average,
and the concurrency at which p95 passes 200 ms.

    .venv/bin/python -m bench.generate --accounts 1000000 --database orbit_bench_load   # ~2 min, once
    .venv/bin/python -m bench.load --database orbit_bench_load --steps 4,8,16,32 --step-seconds 60
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
P95_TARGET_MS = 200  # the line
BENCH_SECRET = "orbit-bench-only-not-a-production-key-0123456789abcdef"  # bench/django_env.py's


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="orbit_bench_load")
    parser.add_argument("--steps", default="4,8,16,32")
    parser.add_argument("--step-seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results_load.md")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="orbit-load-"))
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "STATIC_ROOT": str(work / "static"),
        "ORBIT_DATA_DIR": str(work),
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    (work / "metrics").mkdir()
    people = work / "people.json"
    python = sys.executable
    subprocess.run([python, "-m", "bench.load_setup", "--out", str(people)], env=env, cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    port = _free_port()
    serve_log = (work / "serve.log").open("w")
    server = subprocess.Popen(
        [
            python,
            "manage.py",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env,
        cwd=ROOT,
        stdout=serve_log,
        stderr=subprocess.STDOUT,
    )
    report = work / "steps.jsonl"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        load_before = os.getloadavg()
        subprocess.run(
            [
                str(Path(python).parent / "locust"),
                "-f",
                "bench/locustfile.py",
                "--headless",
                "--only-summary",
                "--host",
                f"http://127.0.0.1:{port}",
                "--loglevel",
                "WARNING",
            ],
            env={
                **env,
                "ORBIT_LOAD_PEOPLE": str(people),
                "ORBIT_LOAD_STEPS": args.steps,
                "ORBIT_LOAD_STEP_SECONDS": str(args.step_seconds),
                "ORBIT_LOAD_REPORT": str(report),
            },
            cwd=ROOT,
            check=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    steps = [json.loads(line) for line in report.read_text().splitlines()]
    args.out.write_text(_markdown(steps, args, started, load_before))
    print(args.out.read_text())


def _markdown(steps: list[dict], args, started: str, load_before) -> str:
    lines = [
        f"# Load test (issue 16): run of {started}",
        "",
        f"`orbit serve` ({args.workers} processes × {args.threads} threads, DEBUG off) on `{args.database}` "
        f"(1,000,000 accounts); locust on the same machine (2 cores, shared with other sessions' work: load "
        f"average before the run {load_before[0]:.2f}). Steps of {args.step_seconds} s (the first 5 s of each "
        "not counted); each simulated person waits 1-3 s between actions. Times in ms.",
        "",
        "| people | req/s | p50 | p95 | p99 | requests | failures | load average (1/5/15 min) |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in steps:
        la = "/".join(f"{x:.2f}" for x in s["load_average"])
        lines.append(
            f"| {s['people']} | {s['rps']} | {s['p50']} | {s['p95']} | {s['p99']} | {s['requests']} | "
            f"{s['failures']} | {la} |"
        )
    passed = next((s["people"] for s in steps if s["p95"] > P95_TARGET_MS), None)
    lines += [
        "",
        (
            f"p95 of all requests passes {P95_TARGET_MS} ms at **{passed} people**."
            if passed
            else f"p95 of all requests stays under {P95_TARGET_MS} ms up to the last step ({steps[-1]['people']} people)."
        ),
        "",
        "Per action (req/s · p50 / p95 / p99 ms · failures):",
        "",
    ]
    names = sorted({name for s in steps for name in s["actions"]})
    lines.append("| action | " + " | ".join(f"{s['people']} people" for s in steps) + " |")
    lines.append("|---|" + "---|" * len(steps))
    for name in names:
        cells = []
        for s in steps:
            a = s["actions"].get(name)
            cells.append(f"{a['rps']} · {a['p50']} / {a['p95']} / {a['p99']} · {a['failures']}" if a else "—")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    errors = [f"- {s['people']} people: {e}" for s in steps for e in s["errors"]]
    lines += ["", "Errors: " + ("none." if not errors else ""), *errors, ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Mutation testing of the modules everything rests on (`make mutation`; configuration in bench/mutation.toml).

For each target module: run its tests once, recording which test runs which line (the map); then, for every
single-point mutant (bench/mutants.py), run only the tests that ran the mutated lines, fastest first, with
`-x`, against the mutated module (bench/mutation_plugin.py imports it in place of the file; nothing on disk
changes). A failing test kills the mutant; a mutant no test notices survives. Every survivor is either a
missing test or equivalent to the original: bench/mutation_judgements.toml keeps the judgement of each,
keyed by the mutant's stable description. The report (Markdown) lists every survivor with its judgement.

    python -m bench.mutation                       # every target of bench/mutation.toml
    python -m bench.mutation --target orbit/access/policy.py --workers 2
    python -m bench.mutation --list                # the mutants, without running anything
    python -m bench.mutation --only 'can_work_account'   # mutants whose description contains this

Each worker uses its own PostgreSQL database (`<DATABASE_URL's name>_mutation_w<N>`, test database
`test_...`, kept between runs with --reuse-db): the ownership invariant trigger is PostgreSQL-only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from bench.mutants import Mutant, apply, find_mutants

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/orbit"


def load_config(path: Path) -> dict:
    return tomllib.loads(path.read_text())


def load_judgements(path: Path) -> dict[str, str]:
    return tomllib.loads(path.read_text()) if path.exists() else {}


def worker_url(base: str, n: int) -> str:
    head, _, name = base.rpartition("/")
    name = name.split("?")[0] or "orbit"
    return f"{head}/{name}_mutation_w{n}"


def pytest_cmd(tests: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "-p",
        "bench.mutation_plugin",
        "--reuse-db",
        "-o",
        "addopts=",
        "--no-header",
        "-W",
        "ignore",
        *tests,
    ]


def test_files(target: dict) -> list[Path]:
    files: set[Path] = set()
    for spec in target["tests"]:
        path = ROOT / spec.split("::")[0]
        files |= set(path.rglob("test_*.py")) if path.is_dir() else {path}
    return sorted(files)


def file_fingerprint(target: dict, test_file: Path) -> str:
    """Changes when the target module, this test file or any helper of the tests (conftests, factories,
    personas: every non-test module under tests/) changes."""
    digest = hashlib.sha256((ROOT / target["file"]).read_bytes())
    helpers = sorted(p for p in (ROOT / "tests").rglob("*.py") if not p.name.startswith("test_"))
    for path in [test_file, *helpers]:
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def map_cache(target: dict, test_file: Path) -> Path:
    name = str(test_file.relative_to(ROOT)).replace("/", "_")
    folder = ROOT / "var" / "mutation-map" / target["file"].replace("/", "_")
    return folder / f"{name}-{file_fingerprint(target, test_file)}.json"


def build_map(target: dict, db_url: str, files: list[str]) -> dict:
    """Which test runs which line of the target, and how long it takes: the target's tests run once with a
    line tracer. Cached per test file in var/mutation-map/ (a file is re-run when it, the module or a test
    helper changes), so adding a test re-runs only its file."""
    data: dict = {}
    missing = {}  # test file -> its cache path, fixed before the run (a file edited meanwhile is re-mapped next time)
    for test_file in test_files(target):
        cache = map_cache(target, test_file)
        if cache.exists():
            data.update(json.loads(cache.read_text()))
        else:
            missing[test_file] = cache
    if not missing:
        print(f"  map: {len(data)} tests (cached)", flush=True)
        return data
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        trace = out.name
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "ORBIT_MUTATION_TRACE": trace,
        "ORBIT_MUTATION_FILES": ":".join(files),
    }
    cmd = pytest_cmd([str(p.relative_to(ROOT)) for p in missing])
    cmd.remove("-x")
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 5):
        sys.exit(f"the tests fail without any mutant:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    fresh = json.loads(Path(trace).read_text())
    os.unlink(trace)
    for test_file, cache in missing.items():
        prefix = str(test_file.relative_to(ROOT)) + "::"
        part = {nodeid: info for nodeid, info in fresh.items() if nodeid.startswith(prefix)}
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(part))
    data.update(fresh)
    print(
        f"  map: {len(fresh)} tests of {len(missing)} files run in {time.perf_counter() - started:.0f} s, "
        f"{len(data) - len(fresh)} cached",
        flush=True,
    )
    return data


def covering_tests(
    mutant: Mutant, fmap: dict, func_lines: dict[str, set[int]], first: tuple[str, ...] = ()
) -> list[str]:
    if mutant.uses:
        wanted = set().union(*(func_lines.get(f, set()) for f in mutant.uses))
    else:
        wanted = set(range(mutant.lines[0], mutant.lines[1] + 1))
    hits = [
        (not nodeid.startswith(first), info["seconds"], nodeid)
        for nodeid, info in fmap.items()
        if wanted.intersection(info["lines"].get(mutant.module, ()))
    ]
    return [nodeid for *_, nodeid in sorted(hits)]


def function_lines(source: str) -> dict[str, set[int]]:
    import ast

    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = set(range(node.lineno, node.end_lineno + 1))
    return out


def run_jobs(target: dict, jobs: list[dict], db_url: str, timeout: int, results: Path) -> subprocess.Popen:
    """One pytest session (a fork server, bench/mutation_plugin.py) runs these mutants on its own database."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(jobs, f)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "ORBIT_MUTATION_SERVE": f"{f.name}:{results}",
        "ORBIT_MUTATION_TIMEOUT": str(timeout),
    }
    cmd = pytest_cmd(target["tests"])
    cmd.remove("-x")
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", default=str(ROOT / "bench" / "mutation.toml"))
    parser.add_argument("--target", action="append", help="a module file from the configuration (repeatable)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--only", help="run only the mutants whose description contains this text")
    parser.add_argument(
        "--without", action="append", default=[], help="leave out tests whose id contains this (repeatable)"
    )
    parser.add_argument(
        "--rerender",
        action="store_true",
        help="rewrite the report from the last results with today's judgements",
    )
    parser.add_argument("--show", type=int, help="print the diff of mutant N of the --target and stop")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--report", help="write the Markdown report here (default: from the configuration)")
    args = parser.parse_args(argv)

    config = load_config(Path(args.config))
    settings = config.get("settings", {})
    judgements_path = ROOT / settings.get("judgements", "bench/mutation_judgements.toml")
    judgements = load_judgements(judgements_path)
    workers = args.workers or int(settings.get("workers", 1))
    timeout = int(settings.get("timeout", 300))
    base_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not base_url.startswith("postgres"):
        sys.exit(
            "mutation runs need PostgreSQL (DATABASE_URL=postgres://...): the ownership trigger is PG-only"
        )
    targets = [t for t in config["target"] if not args.target or t["file"] in args.target]
    if not targets:
        sys.exit("no such target in the configuration")

    saved = ROOT / "var" / "mutation-results.json"
    if args.rerender:
        stored = json.loads(saved.read_text())
        results = [tuple(stored[t["file"]]) for t in targets if t["file"] in stored]
        return write_report(results, judgements, args, settings)
    results = []
    for target in targets:
        file = target["file"]
        source = (ROOT / file).read_text()
        mutants = find_mutants(file, source)
        chosen = [(i, m) for i, m in enumerate(mutants) if not args.only or args.only in m.key]
        if args.show is not None:
            print(show(file, source, mutants[args.show]))
            continue
        print(f"{file}: {len(mutants)} mutants, running {len(chosen)}", flush=True)
        if args.list:
            for i, m in chosen:
                print(f"  [{i}] L{m.lines[0]} {m.key}")
            continue
        fmap = build_map(target, worker_url(base_url, 1), [file])
        fmap = {t: v for t, v in fmap.items() if not any(w in t for w in args.without)}
        funcs = function_lines(source)
        started = time.perf_counter()
        jobs, target_results = [], []
        for i, m in chosen:
            tests = covering_tests(m, fmap, funcs, tuple(target.get("first", ())))
            row = {"file": file, "index": i, "key": m.key, "line": m.lines[0], "tests": len(tests)}
            if tests:
                # a mutant that loops forever is killed by its timeout: three times what its tests took
                # unmutated (the map), and at least `timeout` seconds
                budget = 3 * sum(fmap[t]["seconds"] for t in tests) + 30
                jobs.append({"file": file, "index": i, "tests": tests, "timeout": max(timeout, int(budget))})
            else:
                target_results.append({**row, "status": "survived", "detail": "no test runs this code"})
        rows = {i: {"file": file, "index": i, "key": m.key, "line": m.lines[0]} for i, m in chosen}
        results_file = Path(tempfile.mkstemp(suffix=".jsonl")[1])
        # deal the mutants round-robin so each worker gets a mix of slow and fast ones
        servers = [
            run_jobs(target, jobs[n::workers], worker_url(base_url, n + 1), timeout, results_file)
            for n in range(min(workers, len(jobs)))
        ]
        seen = 0
        while True:
            finished = all(p.poll() is not None for p in servers)
            lines = results_file.read_text().splitlines()
            for line in lines[seen:]:
                r = json.loads(line)
                r.update(rows[r["index"]])
                target_results.append(r)
                print(f"  [{r['index']}] {r['status']:8} {r['seconds']:6.1f}s {r['key']}", flush=True)
            seen = len(lines)
            if finished:
                break
            time.sleep(1)
        for p in servers:
            if p.returncode != 0:
                sys.exit(f"a worker failed:\n{p.stdout.read()[-3000:]}")
        results_file.unlink()
        elapsed = time.perf_counter() - started
        results.append((file, len(mutants), target_results, elapsed))

    if args.list or args.show is not None:
        return 0
    if not args.only:
        stored = json.loads(saved.read_text()) if saved.exists() else {}
        stored.update({r[0]: r for r in results})
        saved.write_text(json.dumps(stored))
    return write_report(results, judgements, args, settings)


def write_report(results, judgements: dict[str, str], args, settings: dict) -> int:
    report = render(results, judgements, partial=bool(args.only))
    out = Path(args.report or ROOT / settings.get("report", "var/mutation-report.md"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(report)
    print(f"report: {out}")
    unexplained = [
        r for _, _, rs, _ in results for r in rs if r["status"] != "killed" and r["key"] not in judgements
    ]
    return 1 if unexplained or any(r["status"] == "error" for _, _, rs, _ in results for r in rs) else 0


def show(file: str, source: str, mutant: Mutant) -> str:
    """The mutant as a diff (of the unparsed code; comments and layout are not kept)."""
    import ast
    import difflib

    before = ast.unparse(ast.parse(source)).splitlines()
    after = ast.unparse(apply(source, mutant)).splitlines()
    diff = difflib.unified_diff(before, after, f"{file}", f"{file} (mutant)", n=2, lineterm="")
    hint = (
        f"ORBIT_MUTANT={file}::{find_index(source, mutant)} python -m pytest -p bench.mutation_plugin <test>"
    )
    return f"{mutant.key}\n" + "\n".join(diff) + f"\n\nrun a test against it: {hint}"


def find_index(source: str, mutant: Mutant) -> int:
    return [m.key for m in find_mutants(mutant.module, source)].index(mutant.key)


def render(results, judgements: dict[str, str], *, partial: bool) -> str:
    lines = ["# Mutation testing report", ""]
    if partial:
        lines += ["(a partial run: --only)", ""]
    lines += [
        "| module | mutants | killed | survived | equivalent | score (non-equivalent) | time |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    details = []
    for file, _total, rs, elapsed in results:
        killed = sum(r["status"] == "killed" for r in rs)
        timeouts = [r for r in rs if r["status"] == "killed" and r.get("detail") == "timeout"]
        survivors = [r for r in rs if r["status"] != "killed"]
        equivalent = [r for r in survivors if judgements.get(r["key"], "").startswith("equivalent")]
        counted = len(rs) - len(equivalent)
        score = 100.0 * killed / counted if counted else 100.0
        lines.append(
            f"| `{file}` | {len(rs)} | {killed}{f' ({len(timeouts)} by timeout)' if timeouts else ''} | {len(survivors)} | {len(equivalent)} | {score:.1f} % "
            f"| {elapsed / 60:.1f} min |"
        )
        if survivors:
            details += ["", f"## Survivors in `{file}`", ""]
            for r in sorted(survivors, key=lambda r: r["line"]):
                judgement = judgements.get(r["key"], "UNJUDGED — a missing test, or say why it is equivalent")
                extra = f" ({r['status']}: {r['detail']})" if r["status"] == "error" or r["detail"] else ""
                details.append(f"- L{r['line']} `{r['key']}`{extra}  \n  → {judgement}")
    for file, _total, rs, _elapsed in results:
        slow = [r for r in rs if r["status"] == "killed" and r.get("detail") == "timeout"]
        if slow:
            details += ["", f"## Killed by timeout in `{file}` (check they are not slow survivors)", ""]
            details += [f"- L{r['line']} `{r['key']}`" for r in sorted(slow, key=lambda r: r["line"])]
    return "\n".join(lines + details) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())

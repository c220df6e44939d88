"""pytest plugin for bench/mutation.py (loaded with `-p bench.mutation_plugin`); does nothing unless asked.

- ORBIT_MUTANT=<module file>::<mutant index>: that module is imported with the one mutant applied (an
  import hook installed before Django loads anything), so the tests run against the mutated code.
- ORBIT_MUTATION_TRACE=<out.json> and ORBIT_MUTATION_FILES=<file>:<file>: record, for every test, which
  lines of those files it ran and how long it took (the map of which tests cover which mutant).
"""

import importlib.abc
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_MUTANT = os.environ.get("ORBIT_MUTANT")
_target_module = None


class _MutantLoader(importlib.abc.Loader):
    def __init__(self, path: Path, code):
        self.path = path
        self.code = code

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(self.code, module.__dict__)


class _MutantFinder(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, path: Path, code):
        self.name, self.path, self.code = name, path, code

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        return importlib.util.spec_from_file_location(
            fullname, self.path, loader=_MutantLoader(self.path, self.code)
        )


if _MUTANT:
    from bench.mutants import apply, find_mutants

    _file, _index = _MUTANT.rsplit("::", 1)
    _path = ROOT / _file
    _source = _path.read_text()
    _mutant = find_mutants(_file, _source)[int(_index)]
    _target_module = _file.removesuffix(".py").replace("/", ".")
    if _target_module in sys.modules:
        raise RuntimeError(f"{_target_module} was imported before the mutation plugin")
    sys.meta_path.insert(
        0, _MutantFinder(_target_module, _path, compile(apply(_source, _mutant), str(_path), "exec"))
    )


def pytest_sessionstart(session):
    if _target_module:
        module = sys.modules.get(_target_module)
        if module is not None and not isinstance(module.__loader__, _MutantLoader):
            pytest.exit(f"{_target_module} was not loaded through the mutant", returncode=3)


_TRACE_OUT = os.environ.get("ORBIT_MUTATION_TRACE")
_TRACE_FILES = {str((ROOT / f).resolve()) for f in os.environ.get("ORBIT_MUTATION_FILES", "").split(":") if f}
_trace: dict = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not _TRACE_OUT:
        yield
        return
    lines: dict[str, set[int]] = {}

    def local(frame, event, arg):
        if event == "line":
            lines.setdefault(frame.f_code.co_filename, set()).add(frame.f_lineno)
        return local

    def tracer(frame, event, arg):
        if frame.f_code.co_filename in _TRACE_FILES:
            lines.setdefault(frame.f_code.co_filename, set()).add(frame.f_lineno)
            return local
        return None

    started = time.perf_counter()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(None)
        _trace[item.nodeid] = {
            "seconds": round(time.perf_counter() - started, 3),
            "lines": {str(Path(f).relative_to(ROOT)): sorted(v) for f, v in lines.items()},
        }


def pytest_sessionfinish(session, exitstatus):
    if _TRACE_OUT:
        Path(_TRACE_OUT).write_text(json.dumps(_trace))


# --- the fork server: one pytest session per worker runs every mutant of its share --------------------------
#
# ORBIT_MUTATION_SERVE=<jobs.json>:<results.jsonl> (jobs: [{"file", "index", "tests": [nodeid, ...]}]).
# The session collects once and sets the test database up once (by running one test); then, per mutant, a
# forked child patches the mutated function (or module constant) in place — every `from x import f` elsewhere
# holds the same function object — runs the mutant's tests until one fails, and exits 1 (killed) or 0.

_SERVE = os.environ.get("ORBIT_MUTATION_SERVE")


class _OnlySession:
    """A stand-in `nextitem` whose chain is the session alone: teardown stops above session fixtures."""

    def __init__(self, session):
        self._chain = [session]

    def listchain(self):
        return self._chain


def _unwrap(func):
    while hasattr(func, "__wrapped__"):
        func = func.__wrapped__
    return func


def patch_in_place(file: str, index: int) -> str:
    """Apply mutant `index` of `file` to the already imported module; returns the name patched."""
    import importlib

    from bench.mutants import apply, find_mutants

    source = (ROOT / file).read_text()
    mutant = find_mutants(file, source)[index]
    name = file.removesuffix(".py").replace("/", ".")
    live = importlib.import_module(name)
    fresh: dict = {"__name__": name, "__file__": str(ROOT / file), "__builtins__": __builtins__}
    exec(compile(apply(source, mutant), str(ROOT / file), "exec"), fresh)
    if mutant.scope.startswith("<module>/"):
        top = mutant.scope.split("/", 1)[1]
        live.__dict__[top] = fresh[top]
        return top
    top = mutant.scope.split(".")[0]
    old, new = _unwrap(live.__dict__[top]), _unwrap(fresh[top])
    old.__code__ = new.__code__
    old.__defaults__ = new.__defaults__
    old.__kwdefaults__ = new.__kwdefaults__
    return top


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    if not _SERVE:
        return None
    from _pytest.runner import runtestprotocol
    from django.db import connections

    jobs_path, results_path = _SERVE.split(":", 1)
    jobs = json.loads(Path(jobs_path).read_text())
    timeout = int(os.environ.get("ORBIT_MUTATION_TIMEOUT", "300"))
    by_id = {item.nodeid: item for item in session.items}
    keep = _OnlySession(session)
    warm = next((i for i in session.items if "db" in getattr(i, "fixturenames", ())), None)
    if warm is not None:  # sets the test database up, once, in the parent
        reports = runtestprotocol(warm, log=False, nextitem=keep)
        if any(r.failed for r in reports):
            pytest.exit(f"warm-up test failed: {warm.nodeid}", returncode=3)
    connections.close_all()
    with open(results_path, "a") as out:
        for job in jobs:
            started = time.perf_counter()
            missing = [t for t in job["tests"] if t not in by_id]
            if missing:
                status, detail = "error", f"not collected: {missing[0]}"
            else:
                items = [by_id[t] for t in job["tests"]]
                status, detail = _run_child(job, items, keep, job.get("timeout", timeout))
            row = {
                **job,
                "status": status,
                "detail": detail,
                "seconds": round(time.perf_counter() - started, 2),
            }
            row.pop("tests")
            row.pop("timeout", None)
            out.write(json.dumps(row) + "\n")
            out.flush()
    return True


def _run_child(job, items, keep, timeout):
    from _pytest.runner import runtestprotocol

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: patch, run until the first failure, report through the pipe
        os.close(read)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            patch_in_place(job["file"], job["index"])
            for item in items:
                reports = runtestprotocol(item, log=False, nextitem=keep)
                failed = [r for r in reports if r.failed]
                if failed:
                    os.write(write, f"killed\t{item.nodeid} ({failed[0].when})".encode()[:4000])
                    os._exit(1)
            os.write(write, b"survived\t")
            os._exit(0)
        except BaseException as exc:  # anything the mutant breaks kills it
            os.write(write, f"killed\t{type(exc).__name__}: {exc}".encode()[:4000])
            os._exit(1)
    os.close(write)
    deadline = time.monotonic() + timeout
    while True:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            os.close(read)
            return "killed", "timeout"
        time.sleep(0.05)
    message = b""
    while chunk := os.read(read, 4096):
        message += chunk
    os.close(read)
    status, _, detail = message.decode(errors="replace").partition("\t")
    return (status or "error"), detail or ("" if status else "child died without a word")

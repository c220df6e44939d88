"""bench/replica.py end to end: a real primary and streaming replica, Orbit's reads and writes routed (issue 16).

About 80 s on this machine (initdb, pg_basebackup, Orbit's migrations); it needs PostgreSQL 15's server
binaries and, as root, the `postgres` OS user to run them.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.replica import PG_BIN, PG_USER

ROOT = Path(__file__).resolve().parents[2]


def _can_run_clusters() -> bool:
    if not (PG_BIN / "initdb").exists():
        return False
    return os.geteuid() != 0 or (shutil.which("runuser") is not None and _user_exists(PG_USER))


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(
    not _can_run_clusters(), reason="needs PostgreSQL's server binaries and the postgres user"
)
def test_replica_script_routes_reads_to_the_replica_and_writes_to_the_primary(tmp_path):
    out = tmp_path / "replica.md"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "DEBUG")}
    done = subprocess.run(
        [sys.executable, "-m", "bench.replica", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = out.read_text()
    # the script asserts each step itself; here, that it got to the end and cleaned up
    assert "| manager, pinned: GET accounts list | 200 |" in report
    assert "refused by PostgreSQL" in report
    assert "stopped both servers" in report
    removed = Path(report.split("removed ", 1)[1].split()[0])
    assert removed.name.startswith("orbit-replica-") and not removed.exists()

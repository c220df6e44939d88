"""The SQLite demo computes the same figures as PostgreSQL: the same demo (seed, day) is seeded on both — here
on the suite's database, and in a child process on a SQLite file — and every account's stored figures are
compared, matched by INN (ids may differ between the two databases)."""

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from orbit.analytics.models import AccountMetrics
from orbit.demo.generator import seed

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 23)
SEED, ACCOUNTS = 11, 60
EXACT = (
    "abc",
    "xyz",
    "rfm_segment",
    "is_dormant",
    "window_revenue",
    "window_margin",
    "margin_to_date",
    "first_purchase_on",
    "last_purchase_on",
    "purchase_days",
    "dormant_after_days",
    "recency",
    "frequency",
    "monetary",
    "cv_percent",
    "typical_interval_days",
)
PREDICTED = ("p_alive", "clv")

DUMP = f"""
import datetime as dt, json
from orbit.demo.generator import seed
from orbit.analytics.models import AccountMetrics
seed(accounts={ACCOUNTS}, seed={SEED}, today=dt.date.fromisoformat("{TODAY}"))
rows = {{m.account.inn: {{k: str(getattr(m, k)) for k in {EXACT + PREDICTED!r}}}
        for m in AccountMetrics.objects.select_related("account")}}
print(json.dumps(rows))
"""


def figures() -> dict[str, dict[str, str]]:
    return {
        m.account.inn: {k: str(getattr(m, k)) for k in EXACT + PREDICTED}
        for m in AccountMetrics.objects.select_related("account")
    }


def test_the_demo_has_the_same_figures_on_sqlite_and_postgresql(db, tmp_path, postgres_only):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "DEBUG": "true"}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    child = subprocess.run(
        [python, "manage.py", "shell", "-v0", "-c", DUMP],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
        capture_output=True,
        text=True,
    )
    on_sqlite = json.loads(child.stdout.strip().splitlines()[-1])
    seed(accounts=ACCOUNTS, seed=SEED, today=TODAY)
    on_postgres = figures()
    assert set(on_sqlite) == set(on_postgres) and len(on_postgres) > 25
    for inn, ours in on_postgres.items():
        theirs = on_sqlite[inn]
        assert {k: ours[k] for k in EXACT} == {k: theirs[k] for k in EXACT}, inn
        for k in PREDICTED:  # fitted by the same floating-point code; the last digit may round apart
            if ours[k] == "None":
                assert theirs[k] == "None", (inn, k)
            else:
                assert Decimal(ours[k]) == pytest.approx(
                    Decimal(theirs[k]), rel=Decimal("1e-4"), abs=Decimal("0.02")
                )

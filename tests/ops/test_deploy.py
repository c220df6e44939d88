"""The deployment's systemd units are valid as systemd reads them: every key known, every command executable
(pointed at this checkout instead of /opt/orbit), the timer's calendar understood."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("orbit-*.*"))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_units_verify(tmp_path):
    assert {u.name for u in UNITS} == {
        "orbit-web.service",
        "orbit-worker.service",
        "orbit-morning.service",
        "orbit-morning.timer",
    }
    for unit in UNITS:
        text = unit.read_text().replace("/opt/orbit", str(ROOT))
        text = text.replace("/etc/orbit/orbit.env", str(ROOT / "deploy/systemd/orbit.env.example"))
        text = text.replace("User=orbit", "User=root").replace("Group=orbit", "Group=root")
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_every_command_a_unit_runs_exists():
    commands = {
        line.split("orbit ", 1)[1].split()[0]
        for unit in UNITS
        for line in unit.read_text().splitlines()
        if line.startswith(("ExecStart=", "ExecStartPre="))
    }
    assert commands == {"serve", "db_worker", "send_reminders", "expire_exports", "reap_tasks", "privacy"}
    from django.core.management import get_commands

    assert commands <= set(get_commands())

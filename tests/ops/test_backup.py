"""`orbit backup` then `orbit restore` into an empty database and folder gives back every row of every table and
every file, byte for byte; a damaged backup and a database with data are refused before anything is touched."""

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from orbit.activities.models import Touch
from orbit.activities.services import touch_log
from orbit.ops.backup import make_backup
from tests.factories import make_account

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="backup and restore are PostgreSQL's (pg_dump, pg_restore)"
)


def _connect(name: str):
    cfg = connection.settings_dict
    return psycopg.connect(
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
        user=cfg["USER"] or None,
        dbname=name,
        autocommit=True,
    )


def _fingerprint(name: str) -> dict[str, tuple[int, str]]:
    """Every table's rows and a digest of their contents, order aside."""
    with _connect(name) as db:
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {
            table: db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) FROM \"{table}\" t"
            ).fetchone()
            for table in tables
        }


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def empty_database():
    name = f"orbit_restore_{uuid.uuid4().hex[:8]}"
    with _connect("postgres") as db:
        db.execute(f'CREATE DATABASE "{name}"')
    yield name
    with _connect("postgres") as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore(folder: Path, database: str, media: Path) -> subprocess.CompletedProcess:
    cfg = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{cfg['USER']}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{database}",
        "MEDIA_ROOT": str(media),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "restore", str(folder)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.django_db(transaction=True)  # pg_dump reads what is committed
def test_a_backup_restores_every_row_and_file(org, settings, tmp_path, empty_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")
    touch_log(by=org.am_a, account=account, duration_minutes=30, outcome="Обсудили продление")
    attachment = settings.MEDIA_ROOT / "attachments" / "2026" / "договор.pdf"
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(b"%PDF-1.4 " + os.urandom(5000))
    (settings.MEDIA_ROOT / "imports").mkdir()
    (settings.MEDIA_ROOT / "imports" / "a1b2").write_bytes(b"a preview's kept upload")  # transient: not kept

    backup = make_backup(tmp_path / "backups")
    restored_media = tmp_path / "restored"
    result = _restore(backup.folder, empty_database, restored_media)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout

    source = _fingerprint(connection.settings_dict["NAME"])
    copy = _fingerprint(empty_database)
    assert source.keys() == copy.keys() and len(source) > 80
    assert source == copy
    assert source["accounts_account"][0] == 1
    assert (
        source["activities_touch"][0] == Touch.objects.count() >= 1
    )  # with the next one, if a cadence planned it
    assert _files(restored_media) == {
        "attachments/2026/договор.pdf": hashlib.sha256(attachment.read_bytes()).hexdigest()
    }


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_or_a_database_with_data_is_refused(org, settings, tmp_path, empty_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    backup = make_backup(tmp_path / "backups")

    with pytest.raises(CommandError, match="the database already has tables: restore into an empty database"):
        call_command("restore", str(backup.folder))  # the test database itself: full

    with backup.database.open("r+b") as dump:
        dump.seek(100)
        dump.write(b"\x00\x00\x00")
    result = _restore(backup.folder, empty_database, tmp_path / "restored")
    assert result.returncode == 1
    assert "database.dump is missing or damaged (its checksum differs from the manifest)" in result.stderr
    assert _fingerprint(empty_database) == {}  # nothing touched

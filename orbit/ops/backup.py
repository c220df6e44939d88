"""`orbit backup` / `orbit restore` (issue 16): everything Orbit holds — the PostgreSQL database and the files
under MEDIA_ROOT (attachments) — into one folder, and back into an empty installation.

A backup is three files: the database in pg_dump's custom format, the files as a gzipped tar, and a manifest
(when, which migrations, the SHA-256 of the other two). A restore checks the checksums first (a damaged copy is
refused before anything is touched), refuses a database that already has tables (restoring over live data is
not what anyone means), restores in one transaction, unpacks the files, and leaves `orbit migrate` to bring an
older backup up to the current release. PostgreSQL only: the SQLite demo is one file to copy.
"""

import datetime as dt
import hashlib
import json
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"


class BackupProblem(Exception):
    pass


@dataclass(frozen=True)
class Backup:
    folder: Path
    database: Path
    files: Path
    manifest: dict


def _pg_env() -> tuple[dict, list[str]]:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupProblem(
            "orbit backup and restore work on PostgreSQL; the SQLite demo is one file to copy"
        )
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = [f"--dbname={db['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args.append(f"{option}={db[key]}")
    return env, args


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def make_backup(folder: Path) -> Backup:
    env, args = _pg_env()
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M%S")
    target = folder / f"orbit-{stamp}"
    target.mkdir(parents=True)
    database, files = target / "database.dump", target / "files.tar.gz"
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={database}", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise BackupProblem(f"pg_dump failed: {result.stderr.strip()}")
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(files, "w:gz") as archive:
        if media.exists():
            for path in sorted(media.rglob("*")):
                if (
                    path.is_file() and "imports" not in path.relative_to(media).parts[:1]
                ):  # kept uploads are transient
                    archive.add(path, arcname=str(path.relative_to(media)))
    manifest = {
        "format": 1,
        "created": dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds"),
        "migrations": {
            app: name
            for app, name in MigrationRecorder.Migration.objects.order_by("applied").values_list(
                "app", "name"
            )
        },
        "sha256": {database.name: _sha256(database), files.name: _sha256(files)},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return Backup(target, database, files, manifest)


def read_backup(folder: Path) -> Backup:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupProblem(f"{folder} is not an Orbit backup: {exc}") from exc
    backup = Backup(folder, folder / "database.dump", folder / "files.tar.gz", manifest)
    for path in (backup.database, backup.files):
        if not path.exists() or _sha256(path) != manifest["sha256"].get(path.name):
            raise BackupProblem(f"{path.name} is missing or damaged (its checksum differs from the manifest)")
    return backup


def restore_backup(folder: Path) -> Backup:
    backup = read_backup(folder)
    env, args = _pg_env()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if cursor.fetchone()[0]:
            raise BackupProblem("the database already has tables: restore into an empty database")
    connection.close()
    result = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(backup.database),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise BackupProblem(f"pg_restore failed, nothing restored: {result.stderr.strip()}")
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup.files, "r:gz") as archive:
        archive.extractall(media, filter="data")  # refuses absolute paths and .. in a tampered archive
    return backup

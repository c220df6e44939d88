"""A list over ORBIT_EXPORT_BACKGROUND_ROWS: written by the background task, its progress page polled until the
file is ready, the download its author's only, a notification, and the file gone after ORBIT_EXPORT_KEEP_DAYS."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orbit.accounts.models import Account, OwnershipPeriod
from orbit.imports import export_background
from orbit.imports.accounts import import_accounts
from orbit.imports.models import ExportLog, ExportStatus
from orbit.imports.reading import open_table
from orbit.imports.tasks import run_export
from orbit.notifications.models import Notification
from tests.factories import make_account


@pytest.fixture
def big(org, settings, tmp_path):
    settings.ORBIT_EXPORT_BACKGROUND_ROWS = 1  # Orbit's default is 20 000; two accounts are "large" here
    settings.MEDIA_ROOT = tmp_path
    type(org.head).objects.update(language="en")
    for n, manager in enumerate((org.am_a, org.am_a, org.am_b)):
        make_account(org.head, manager, legal_name=f"=ООО «Большой {n}»")
    return org


def _start(client, **params):
    response = client.get(reverse("imports:accounts_export"), {"format": "csv", **params})
    assert response.status_code == 302
    log = ExportLog.objects.get()
    assert response.url == reverse("imports:export", args=[log.pk])
    return log


def test_a_large_export_runs_in_the_background_with_its_progress(big, client, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # run below
    monkeypatch.setattr(export_background, "PROGRESS_EVERY", 1)  # a report after every row (Orbit's: 1 000)
    client.force_login(big.head)
    log = _start(client, sort="name")
    # Not counted in the request: the worker counts (a million rows take a while).
    assert (log.status, log.rows, log.total, log.query) == (ExportStatus.QUEUED, 0, None, "sort=name")
    page = client.get(reverse("imports:export", args=[log.pk]), headers={"HX-Request": "true"})
    text = page.content.decode()
    assert "Waiting for the background worker" in text and " of " not in text
    assert 'hx-trigger="every 2s"' in text and "export-download" not in text
    ExportLog.objects.filter(pk=log.pk).update(at=timezone.now() - dt.timedelta(seconds=16))
    late = client.get(reverse("imports:export", args=[log.pk]), headers={"HX-Request": "true"})
    assert "the background worker does not seem to run" in late.content.decode()

    with CaptureQueriesContext(connection) as queries:
        assert run_export.call(log.pk) == ExportStatus.DONE  # the worker's turn
    reported = [
        int(n)
        for q in queries.captured_queries
        for n in re.findall(r'UPDATE "imports_exportlog" SET "rows" = (\d+)', q["sql"])
    ]
    assert reported == [1, 2, 3]  # what the page showed as it went
    log.refresh_from_db()
    assert (log.status, log.rows, log.total) == (ExportStatus.DONE, 3, 3)
    page = client.get(reverse("imports:export", args=[log.pk]), headers={"HX-Request": "true"})
    text = page.content.decode()
    assert "3 of 3 rows" in text and "hx-trigger" not in text and "export-download" in text

    download = client.get(reverse("imports:export_file", args=[log.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="accounts.csv"'
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["'=ООО «Большой 0»", "'=ООО «Большой 1»", "'=ООО «Большой 2»"]
    note = Notification.objects.get(recipient=big.head, kind="export_ready")
    assert note.url == reverse("imports:export", args=[log.pk]) and "3 rows" in note.title


def test_the_task_writes_xlsx_through_the_askers_visibility(big, client, django_capture_on_commit_callbacks):
    client.force_login(big.am_a)
    big.am_a.language = "en"
    with django_capture_on_commit_callbacks(execute=True):  # the immediate backend runs it after the commit
        log = _start(client, format="xlsx")
    log.refresh_from_db()
    assert (log.status, log.rows, log.total, log.format) == (ExportStatus.DONE, 2, 2, "xlsx")  # his two
    data = b"".join(client.get(reverse("imports:export_file", args=[log.pk])).streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "'=ООО «Большой 0»",
        "'=ООО «Большой 1»",
    ]


@pytest.mark.parametrize("persona", ["am_a", "head", "auditor"])
def test_nobody_else_sees_or_downloads_it(big, client, persona, django_capture_on_commit_callbacks):
    client.force_login(big.lead_a)
    with django_capture_on_commit_callbacks(execute=True):
        log = _start(client)
    client.force_login(getattr(big, persona))
    assert client.get(reverse("imports:export", args=[log.pk])).status_code == 404
    assert client.get(reverse("imports:export_file", args=[log.pk])).status_code == 404


def test_a_small_export_has_no_progress_page(big, client):
    client.force_login(big.am_b)  # his one account
    response = client.get(reverse("imports:accounts_export"))
    assert response.status_code == 200 and len(b"".join(response.streaming_content).splitlines()) == 2
    log = ExportLog.objects.get()
    assert (log.status, log.rows, log.background) == (ExportStatus.DONE, 1, False)
    assert client.get(reverse("imports:export", args=[log.pk])).status_code == 404  # nothing to follow


def test_files_expire_after_the_keeping_days(big, client, settings, django_capture_on_commit_callbacks):
    client.force_login(big.head)
    with django_capture_on_commit_callbacks(execute=True):
        log = _start(client)
    log.refresh_from_db()
    path = settings.MEDIA_ROOT / log.file
    assert path.is_file()
    six_days = timezone.now() + dt.timedelta(days=settings.ORBIT_EXPORT_KEEP_DAYS - 1)
    assert export_background.expire(now=six_days) == 0 and path.is_file()
    out = io.StringIO()
    call_command("expire_exports", stdout=out)  # today: nothing is old enough
    assert out.getvalue() == "Export files removed: 0\n" and path.is_file()
    assert (
        export_background.expire(
            now=timezone.now() + dt.timedelta(days=settings.ORBIT_EXPORT_KEEP_DAYS, hours=1)
        )
        == 1
    )
    log.refresh_from_db()
    assert (log.status, log.file, log.rows) == (ExportStatus.EXPIRED, "", 3) and not path.exists()
    gone = client.get(reverse("imports:export_file", args=[log.pk]))
    assert gone.status_code == 410 and "7 days" in gone.content.decode()


def test_a_background_file_imports_back_into_an_empty_base(big, client, django_capture_on_commit_callbacks):
    client.force_login(big.head)
    with django_capture_on_commit_callbacks(execute=True):
        log = _start(client, format="xlsx")
    log.refresh_from_db()
    data = b"".join(client.get(reverse("imports:export_file", args=[log.pk])).streaming_content)
    before = set(Account.objects.values_list("inn", "responsible_manager_id", "status", "tier"))
    OwnershipPeriod.objects.all().delete()
    Account.objects.all().delete()
    report = import_accounts(by=big.head, table=open_table(io.BytesIO(data), "a.xlsx"), file_name="a.xlsx")
    assert report.errors == [] and report.new == 3
    assert set(Account.objects.values_list("inn", "responsible_manager_id", "status", "tier")) == before

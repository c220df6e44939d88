"""The import in the browser: upload → preview (a dry run: counts, the mapping to fix, the row report) →
import (all or nothing) → the import's page. The work is the kind's (`orbit/imports/kinds.py`); these views keep
the file between the steps (uploads.py) and show the report."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orbit.access import policy
from orbit.common.refusal import refused
from orbit.imports import import_background, uploads
from orbit.imports.engine import UPDATE, Kind, Report, RowError, import_file
from orbit.imports.exporting import Column, export_response
from orbit.imports.forms import UploadForm, field_choices
from orbit.imports.kinds import KINDS
from orbit.imports.models import ImportBatch, ImportStatus
from orbit.imports.presets import preset_mapping, save_mapping
from orbit.imports.reading import FileProblem, open_table
from orbit.imports.undo import may_undo, undo_import

REPORT_COLUMNS = [
    Column(_("row"), lambda e: e["row"]),
    Column(_("column"), lambda e: e["column"]),
    Column(_("value"), lambda e: e["value"]),
    Column(_("message"), lambda e: e["message"]),
]
SHOWN_ERRORS = 200  # on the page; the downloadable report has them all


def _may_import(user, kind: Kind | None = None) -> None:
    kinds = [kind] if kind else KINDS.values()
    if not any(k.may_import(user) for k in kinds):
        raise PermissionDenied(_("You may not import this."))


def _kind(request) -> Kind:
    kind = KINDS.get(request.POST.get("kind", "accounts"))
    if kind is None:
        raise Http404(_("Orbit does not import this."))
    _may_import(request.user, kind)
    return kind


def _batches(user):
    """Imports he may look at (running, checked in the background or done): his own, or all for a global reader."""
    batches = ImportBatch.objects.select_related("by")
    return batches if policy.sees_everything(user) else batches.filter(by=user)


def _history(user):
    """The import history: what was imported or refused (a background check is its preview, not history)."""
    return _batches(user).filter(dry_run=False)


@login_required
def import_home(request, form=None, status=200):
    _may_import(request.user)
    context = {"form": form or UploadForm(), "history": _history(request.user)[:20]}
    return render(request, "imports/home.html", context, status=status)


def _mapping_from(request, kind: Kind, header: list[str]) -> dict[str, str]:
    valid = {key for key, _label in field_choices(kind)}
    mapping = {}
    for index, name in enumerate(header):
        chosen = request.POST.get(f"col-{index}")
        if chosen is not None and chosen in valid:
            mapping[name] = chosen
    return mapping


@dataclass
class _Checked:
    """A kept file run through the import (dry or not): what the preview page shows."""

    token: str
    kind: Kind
    path: Path
    name: str
    header: list[str]
    options: dict
    report: Report


class _Queued(Exception):
    """The file is large: it went to the background worker (the batch shows its progress)."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch


def _check(request, token: str, *, dry_run: bool) -> _Checked:
    found = uploads.find(request, token)
    if found is None:
        raise Http404(_("This file is no longer here: upload it again."))
    path, name = found
    kind = _kind(request)
    preset = request.POST.get("preset", "")
    base = preset_mapping(kind, preset)
    options = {
        "preset": preset if base is not None else "",
        "on_duplicate": request.POST.get("on_duplicate", UPDATE),
    }
    if import_background.is_large(path):
        with path.open("rb") as stream:  # a file that is no table is refused here, at once
            header = open_table(stream, name).header
        mapping = {**(base or {}), **_mapping_from(request, kind, header)}
        batch = import_background.queue(
            by=request.user,
            kind=kind.name,
            path=path,
            name=name,
            token=token,
            mapping=mapping,
            options=options,
            dry_run=dry_run,
        )
        raise _Queued(batch)
    with path.open("rb") as stream:
        table = open_table(stream, name)
        header = list(table.header)
        mapping = {**(base or {}), **_mapping_from(request, kind, header)}
        report = import_file(
            kind,
            by=request.user,
            table=table,
            file_name=name,
            mapping=mapping,
            preset=options["preset"],
            on_duplicate=options["on_duplicate"],
            dry_run=dry_run,
        )
    return _Checked(token, kind, path, name, header, options, report)


def _save_mapping(request, checked: _Checked) -> str:
    """Save the mapping as applied, when the user named it; the refusal's message, if any."""
    name = request.POST.get("save_as", "").strip()
    if not name:
        return ""
    applied = {h: checked.report.columns.get(i, "") for i, h in enumerate(checked.header) if h}
    try:
        save_mapping(by=request.user, kind=checked.kind, name=name, mapping=applied)
    except ValidationError as exc:
        return " ".join(exc.messages)
    messages.success(
        request,
        _("The mapping is saved as “%(name)s”: choose it when you upload the next file.") % {"name": name},
    )
    checked.options["preset"] = name
    return ""


def _preview(request, checked: _Checked, *, status=200, save_error: str = ""):
    report = checked.report
    # The full report, for the download.
    checked.path.with_suffix(".json").write_text(json.dumps(report.as_json()["errors"], ensure_ascii=False))
    rows = [{"index": i, "header": h, "key": report.columns.get(i, "")} for i, h in enumerate(checked.header)]
    context = {
        "token": checked.token,
        "kind": checked.kind,
        "name": checked.name,
        "report": report,
        "errors": report.errors[:SHOWN_ERRORS],
        "more_errors": max(0, len(report.errors) - SHOWN_ERRORS),
        "warnings": report.warnings[:SHOWN_ERRORS],
        "more_warnings": max(0, report.warnings_total - SHOWN_ERRORS),
        "columns": rows,
        "choices": field_choices(checked.kind),
        "options": checked.options,
        "save_error": save_error,
        "save_as": request.POST.get("save_as", "") if save_error else "",
    }
    return render(request, "imports/preview.html", context, status=status)


@login_required
@require_POST
def import_preview(request):
    """A new file (uploaded) or the kept one with a fixed mapping: checked, nothing written."""
    _may_import(request.user)
    token = request.POST.get("token", "")
    if not token:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return import_home(request, form=form, status=400)
        token = uploads.keep(request, form.cleaned_data["file"])
    try:
        checked = _check(request, token, dry_run=True)
    except _Queued as queued:
        return redirect("imports:progress", pk=queued.batch.pk)
    except FileProblem as problem:
        uploads.forget(request, token)
        form = UploadForm(request.POST, request.FILES)
        form.is_valid()
        form.add_error("file", problem.message)
        return import_home(request, form=form, status=400)
    save_error = _save_mapping(request, checked)
    return _preview(request, checked, status=400 if save_error else 200, save_error=save_error)


@login_required
@require_POST
def import_commit(request):
    _may_import(request.user)
    token = request.POST.get("token", "")
    try:
        checked = _check(request, token, dry_run=False)
    except _Queued as queued:
        return redirect("imports:progress", pk=queued.batch.pk)
    save_error = _save_mapping(request, checked)
    if save_error:
        return _preview(request, checked, status=400, save_error=save_error)
    if not checked.report.committed:  # a row failed: nothing was written, the report says why
        return _preview(request, checked, status=400)
    uploads.forget(request, token)
    return redirect("imports:batch", pk=checked.report.batch_id)


@login_required
def import_progress(request, pk: int):
    """A background check or import: its progress bar, polled by htmx; then its preview (a check, to whoever
    uploaded the file) or its page (an import, committed or refused)."""
    batch = get_object_or_404(_batches(request.user), pk=pk)
    running = batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    if not running:
        if request.htmx:  # the poll ends: the whole page moves on
            response = HttpResponse(status=204)
            response["HX-Redirect"] = request.path
            return response
        token = batch.options.get("token", "")
        if not batch.dry_run:
            if batch.status == ImportStatus.COMMITTED:
                uploads.forget(request, token)
            return redirect("imports:batch", pk=batch.pk)
        found = uploads.find(request, token)
        if found is not None and batch.status == ImportStatus.CHECKED:
            return _preview(request, _from_batch(batch, token, found))
    rows, read = import_background.progress_of(batch)
    context = {
        "batch": batch,
        "rows": rows,
        "percent": round(100 * read / batch.bytes_total) if batch.bytes_total else 0,
        "running": running,
    }
    template = "imports/_progress.html" if request.htmx else "imports/progress.html"
    return render(request, template, context)


def _from_batch(batch: ImportBatch, token: str, found) -> _Checked:
    """A background check as the preview shows it (its report keeps the first 1,000 errors)."""
    counts, options = batch.counts, batch.options
    report = Report(
        new=counts.get("new", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
        failed=counts.get("failed", 0),
        errors=[RowError(**e) for e in batch.errors],
        columns={int(i): key for i, key in options.get("columns", {}).items()},
    )
    kept = {"preset": options.get("preset", ""), "on_duplicate": options.get("on_duplicate", UPDATE)}
    return _Checked(token, KINDS[batch.kind], found[0], found[1], options.get("header", []), kept, report)


@login_required
def import_report(request, token: str):
    """The preview's row report as a spreadsheet (formula-safe)."""
    _may_import(request.user)
    found = uploads.find(request, token)
    report = found[0].with_suffix(".json") if found else None
    if report is None or not report.exists():
        raise Http404(_("This file is no longer here: upload it again."))
    errors = json.loads(report.read_text())
    return export_response(
        by=request.user,
        list_name="import_report",
        query=found[1],
        fmt="csv",
        columns=REPORT_COLUMNS,
        items=errors,
        file_stem=_("import report"),
    )


@login_required
def import_batch(request, pk: int):
    batch = get_object_or_404(_history(request.user), pk=pk)
    errors = [RowError(**e) for e in batch.errors]
    context = {
        "batch": batch,
        "errors": errors,
        "may_undo": batch.status == "committed" and may_undo(request.user, batch),
    }
    return render(request, "imports/batch.html", context)


@login_required
@require_POST
def import_undo(request, pk: int):
    batch = get_object_or_404(_history(request.user), pk=pk)
    try:
        undo_import(by=request.user, batch=batch)
    except ValidationError as exc:
        return refused(request, exc, back_url=reverse("imports:batch", args=[pk]))
    messages.success(request, _("The import is undone: the base is as it was before it."))
    return redirect("imports:batch", pk=pk)

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.imports import export_background
from orbit.imports.exporting import FORMATS, each, export_response, longer_than
from orbit.imports.lists import EXPORTS
from orbit.imports.models import ExportLog, ExportStatus

WORKER_LATE = dt.timedelta(seconds=15)  # as the portfolio move's page


@login_required
def list_export(request, name: str):
    """A list as the user filtered and sorted it on its page, as CSV or XLSX: a download, or past
    ORBIT_EXPORT_BACKGROUND_ROWS rows a background export and its progress page."""
    export = EXPORTS[name]
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        return HttpResponseBadRequest(_("Choose CSV or XLSX."))
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    rows = export.rows(request.user, query)
    if longer_than(rows, settings.ORBIT_EXPORT_BACKGROUND_ROWS):
        log = export_background.start(by=request.user, export=export, query=query.urlencode(), fmt=fmt)
        return redirect("imports:export", log.pk)
    return export_response(
        by=request.user,
        list_name=export.name,
        query=query.urlencode(),
        fmt=fmt,
        columns=export.columns,
        items=each(rows),
        file_stem=str(export.title),
    )


def _own_export(request, pk: int) -> ExportLog:
    """A background export is its author's only: anyone else gets 404, as if it did not exist."""
    log = ExportLog.objects.filter(pk=pk, by=request.user, background=True).first()
    if log is None:
        raise Http404
    return log


@login_required
def export_page(request, pk: int):
    """A background export's progress (polled by htmx until it is finished), then its download link."""
    log = _own_export(request, pk)
    context = {
        "log": log,
        "export": EXPORTS.get(log.list_name),
        "file": export_background.path_of(log),
        "keep_days": settings.ORBIT_EXPORT_KEEP_DAYS,
        # Still queued after a while: say the worker does not seem to run rather than poll in silence.
        "worker_late": log.status == ExportStatus.QUEUED and timezone.now() - log.at > WORKER_LATE,
    }
    template = "imports/_export_progress.html" if request.htmx else "imports/export.html"
    return render(request, template, context)


@login_required
def export_file(request, pk: int):
    log = _own_export(request, pk)
    path = export_background.path_of(log)
    if path is None:
        if log.status == ExportStatus.EXPIRED:
            reason = _("This export's file was removed after %(days)s days. Export the list again.") % {
                "days": settings.ORBIT_EXPORT_KEEP_DAYS
            }
            return HttpResponse(reason, status=410, content_type="text/plain; charset=utf-8")
        return HttpResponse(
            _("This export is not ready: %(status)s.") % {"status": log.get_status_display()},
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    title = str(EXPORTS[log.list_name].title) if log.list_name in EXPORTS else log.list_name
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{title}.{log.format}")

"""The database is away or read-only (issue 16, faults): Orbit's own 503, in the user's language, fast.

Django turns an exception raised anywhere in a request (a view, the session or user lookup in a middleware) into
the 500 handler, called inside the `except` block: `server_error` asks `unavailable_response` first, which looks
at the exception being handled. Two cases are the database's state, not a bug, and pass with time:

- the connection fails (PostgreSQL restarting, unreachable, too many clients): OperationalError/InterfaceError;
- a write reaches a read-only database (a replica promoted late, `default_transaction_read_only`, a hot standby):
  PostgreSQL's SQLSTATE 25006 "cannot execute ... in a read-only transaction".

Both answer 503 with Retry-After and the reason; the API in JSON. Nothing is half-written: the failed statement's
transaction is rolled back by PostgreSQL, and Django drops a broken connection at the end of the request
(CONN_HEALTH_CHECKS checks a reused one at the start of the next), so the server recovers by itself.
"""

import sys
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction
# The server going away: admin/crash shutdown, starting up, too many connections (class 08 too, and errors of
# the client library itself, which carry no SQLSTATE). A statement timeout or a deadlock is not among them.
GONE_SQLSTATES = {"57P01", "57P02", "57P03", "53300"}


def _sqlstate(error: BaseException) -> str:
    cause = error.__cause__ or error
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None) or ""


def is_read_only(error: BaseException) -> bool:
    return isinstance(error, DatabaseError) and _sqlstate(error) == READ_ONLY_SQLSTATE


def is_unreachable(error: BaseException) -> bool:
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    state = _sqlstate(error)
    return not state or state.startswith("08") or state in GONE_SQLSTATES


@contextmanager
def unless_read_only():
    """Bookkeeping a read does on its way (a token's last use, the rate limit's count): with the database
    read-only it is skipped, in a savepoint, and the read goes on."""
    try:
        with transaction.atomic():
            yield
    except DatabaseError as error:
        if not is_read_only(error):
            raise


def _language(request) -> str:
    """The language middleware's choice when it ran; before it (the user lookup failed), the cookie."""
    language = getattr(request, "LANGUAGE_CODE", None) or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def explain(error: BaseException) -> str | None:
    """What a person is told, in the active language, when the error is the database's state; else None."""
    if is_read_only(error):
        return _(
            "Orbit is read-only for a while: the database accepts no changes, nothing was saved. Pages can "
            "still be read."
        )
    if is_unreachable(error):
        return _(
            "Orbit cannot reach its database: nothing was saved. Try again in a minute; if it keeps "
            "happening, tell your administrator."
        )
    return None


def unavailable_response(request) -> HttpResponse | None:
    """503 for the exception being handled when it is the database's state; None for any other error."""
    error = sys.exc_info()[1]
    if error is None:
        return None
    with translation.override(_language(request)):
        reason = explain(error)
        if reason is None:
            return None
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": reason}, status=503)
        else:
            title = _("Orbit is read-only for a while") if is_read_only(error) else _("Database unavailable")
            page = loader.get_template("503.html").render(
                {"LANGUAGE_CODE": translation.get_language(), "title": title, "reason": reason}
            )
            response = HttpResponse(page, status=503)
        response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(settings.ORBIT_RETRY_AFTER_SECONDS)
    return response

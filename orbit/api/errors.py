"""One JSON shape for every error: `{"detail": "...", "errors": {"field": ["message", ...]}}`.

422 for invalid input (pydantic or a service's ValidationError), 409 for a version conflict (with `current`,
the record as it is now) and for a pushed external id already used with other content (a ValidationError with
code "conflict"; `current` is the existing document when the caller may see it), 403, 404, 401. Messages are rendered in the active language: the user's own, set
by the session middleware or by the token authentication.
"""

import logging

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from orbit.common.errors import ConflictError
from orbit.common.validators import EARLIEST_DATE, LATEST_DATE
from orbit.ops.ratelimit import RateLimited

logger = logging.getLogger(__name__)

# The sources ninja puts first in an error location, followed by the parameter's name.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def error_body(detail: str, errors: dict[str, list[str]] | None = None, **extra) -> dict:
    return {"detail": str(detail), "errors": errors or {}, **extra}


def invalid_data_detail() -> str:
    return _("Some fields are filled in incorrectly: see the message at each field.")


def _pydantic_message(error: dict) -> str:
    """A pydantic error in words a user understands (most are Django's own, already translated)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "exact_number":
        return str(ctx.get("message", ""))  # from orbit.api.schemas, already in the caller's language
    if kind == "nul_character":
        return _("Null characters are not allowed.")
    if kind == "date_range":
        return _("Enter a date between %(earliest)s and %(latest)s.") % {
            "earliest": EARLIEST_DATE.isoformat(),
            "latest": LATEST_DATE.isoformat(),
        }
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind in ("literal_error", "enum"):
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith(("decimal_", "float_")):
        return _("Enter a number.")
    if kind.startswith("datetime_"):
        return _("Enter a valid date/time.")
    if kind.startswith("date_"):
        return _("Enter a valid date.")
    if kind == "list_type":
        return _("Enter a list of values.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt"))
        }
    if kind in ("less_than_equal", "less_than"):
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt"))
        }
    if kind == "string_too_long":
        return _("Ensure this value has at most %(limit_value)s characters.") % {
            "limit_value": ctx.get("max_length")
        }
    return _("Enter a valid value.")


def _field_of(loc: tuple | list) -> str:
    """("body", "payload", "inn") → "inn"; ("query", "limit") → "limit"; ("body", "payload") → "__all__"."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    names = [str(p) for p in parts if not isinstance(p, int)]
    # A body parameter nests the fields under its own name; a flattened query schema does not.
    if len(names) > 1 and names[0] in ("payload", "filters"):
        names = names[1:]
    elif names in (["payload"], ["filters"]):
        names = []
    return names[0] if names else NON_FIELD_ERRORS


def _item_of(loc: tuple | list) -> tuple[int, str] | None:
    """("body", "payload", "lines", 1, "unit_price") → (2, "unit_price"): an error inside a list of objects
    (an invoice's lines, a payment's allocations) names the item (from 1) and its field."""
    parts = list(loc)
    for i, part in enumerate(parts[:-1]):
        if isinstance(part, int) and isinstance(parts[i + 1], str):
            return part + 1, parts[i + 1]
    return None


def pydantic_errors(errors: list[dict]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        messages = result.setdefault(_field_of(error.get("loc", ())), [])
        message = _pydantic_message(error)
        item = _item_of(error.get("loc", ()))
        if item is not None:
            message = _("Item %(n)s, %(field)s: %(error)s") % {
                "n": item[0],
                "field": item[1],
                "error": message,
            }
        if message not in messages:
            messages.append(message)
    return result


def django_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def is_conflict(exc: ValidationError) -> bool:
    """A service's refusal with code "conflict" (a pushed external id already used with other content): 409.
    Django drops the code of a dict-shaped error: it is found in the arguments
    (`ValidationError({field: message}, code="conflict")`), on the exception (`orbit.revenue.fingerprints.conflict`)
    or on a field's errors (`ValidationError({field: ValidationError(message, code="conflict")})`)."""
    if getattr(exc, "code", None) == "conflict" or (len(exc.args) > 1 and exc.args[1] == "conflict"):
        return True
    groups = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    return any(getattr(leaf, "code", None) == "conflict" for group in groups for leaf in group)


def _serialize_current(request: HttpRequest, current) -> dict | None:
    """The record as the writer may see it now, read again through the selectors."""
    from orbit.accounts import selectors
    from orbit.accounts.models import Account, Contact
    from orbit.activities.models import Touch
    from orbit.api.schemas import AccountDetail, ContactOut, RequestDetail, TouchOut
    from orbit.requests.models import Request

    try:
        if isinstance(current, Account):
            return AccountDetail.from_orm(selectors.account_get(request.auth, current.pk)).model_dump(
                mode="json"
            )
        if isinstance(current, Contact):
            return ContactOut.from_orm(selectors.contact_get(request.auth, current.pk)).model_dump(
                mode="json"
            )
        if isinstance(current, Request):
            from orbit.api.requests import request_detail_of

            return RequestDetail.from_orm(request_detail_of(request.auth, current.pk)).model_dump(mode="json")
        if isinstance(current, Touch):
            from orbit.api.activities import touch_get

            return TouchOut.from_orm(touch_get(request.auth, current.pk)).model_dump(mode="json")
        from orbit.growth.models import Opportunity

        if isinstance(current, Opportunity):
            from orbit.api.growth_pipeline import opportunity_json

            return opportunity_json(request.auth, current)
        from orbit.growth.models import Project

        if isinstance(current, Project):
            from orbit.api.growth_projects import project_detail_of
            from orbit.api.growth_projects_schemas import ProjectDetail

            return ProjectDetail.from_orm(project_detail_of(request.auth, current.pk)).model_dump(mode="json")
        from orbit.revenue.models import Invoice, Payment

        if isinstance(current, Invoice | Payment):
            from orbit.api.revenue import document_json

            return document_json(request.auth, current)
        from orbit.growth.models import SalesPlan

        if isinstance(current, SalesPlan):  # raised after can_set_plan: the caller may see it
            from orbit.api.growth_plans_schemas import PlanOut

            return PlanOut.from_orm(current).model_dump(mode="json")
        from orbit.analytics.models import ReactivationCase

        if isinstance(current, ReactivationCase):
            from orbit.api.analytics_reactivation import case_json

            return case_json(request.auth, current.pk)
    except Http404:
        return None
    return None


def install(api: NinjaAPI) -> None:
    def respond(request, status: int, body: dict) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def on_invalid_request(request, exc: NinjaValidationError):
        return respond(request, 422, error_body(invalid_data_detail(), pydantic_errors(exc.errors)))

    @api.exception_handler(ConflictError)
    def on_conflict(request, exc: ConflictError):
        message = " ".join(str(m) for m in exc.messages)
        return respond(request, 409, error_body(message, current=_serialize_current(request, exc.current)))

    @api.exception_handler(ValidationError)
    def on_invalid_data(request, exc: ValidationError):
        errors = django_errors(exc)
        if is_conflict(exc):
            detail = " ".join(message for messages in errors.values() for message in messages)
            current = _serialize_current(request, getattr(exc, "current", None))
            return respond(request, 409, error_body(detail, errors, current=current))
        if set(errors) == {NON_FIELD_ERRORS}:
            detail = " ".join(errors[NON_FIELD_ERRORS])
        else:
            detail = invalid_data_detail()
        return respond(request, 422, error_body(detail, errors))

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request, exc: PermissionDenied):
        return respond(request, 403, error_body(str(exc) or _("You may not do this.")))

    @api.exception_handler(Http404)
    def on_not_found(request, exc: Http404):
        return respond(request, 404, error_body(_("Not found, or not visible to you.")))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc: AuthenticationError):
        detail = exc.message if exc.message != "Unauthorized" else _("Sign in or send an API token.")
        response = respond(request, 401, error_body(detail))
        response["WWW-Authenticate"] = 'Bearer realm="orbit"'
        return response

    @api.exception_handler(RateLimited)
    def on_rate_limited(request, exc: RateLimited):
        detail = _("Too many requests: wait %(seconds)s s and try again, or slow down.") % {
            "seconds": exc.retry_after
        }
        response = respond(request, 429, error_body(detail))
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        if exc.status_code == 400:
            detail = _("The request body is not valid JSON.")
        elif exc.status_code == 403 and "CSRF" in exc.message:
            detail = _("The CSRF check failed: reload the page and try again.")
        else:
            detail = exc.message
        return respond(request, exc.status_code, error_body(detail))

    @api.exception_handler(Exception)
    def on_crash(request, exc: Exception):
        from orbit.ops.unavailable import explain

        if (reason := explain(exc)) is not None:  # the database away or read-only: 503, try again later
            response = respond(request, 503, error_body(reason))
            response["Retry-After"] = str(settings.ORBIT_RETRY_AFTER_SECONDS)
            return response
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, error_body(_("Something went wrong on our side; it has been logged.")))

"""The Orbit REST API: OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Every operation needs a caller: an API token (`Authorization: Bearer …`) or the browser session (with the
CSRF token on unsafe methods). Errors share one JSON shape (see orbit.api.errors).
"""

import json

from django.utils import translation
from ninja import NinjaAPI
from ninja.parser import Parser

from orbit.api import (
    accounts,
    activities,
    analytics_dashboard,
    analytics_reactivation,
    analytics_retention,
    auth,
    bonuses,
    errors,
    growth_pipeline,
    growth_plans,
    growth_projects,
    kpi,
    managers_staffing,
    privacy,
    requests,
    revenue,
    workload,
)
from orbit.api.schemas import json_number

# Answers any operation may give besides its own: 401 without a valid token or session, 422 when a path or
# query parameter or the body fails its type (an id that is not a whole number, `date_to=0`), 400 when the
# body is not JSON at all. Documented on every operation, so a client (and schemathesis) knows them.
_GENERIC_ERRORS = {
    "400": "The request body is not valid JSON.",
    "401": "No valid API token or session.",
    "422": "Some parameters are invalid: see `errors`, per field.",
    "429": "Too many requests from this token or user this minute: wait `Retry-After` seconds.",
}


class OrbitAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in _GENERIC_ERRORS.items():
                    if status == "400" and "requestBody" not in operation:
                        continue
                    if status not in responses and int(status) not in responses:
                        responses[status] = {"description": description, "content": error}
        return schema

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        # Token requests switch to the user's language after the middleware has chosen one.
        response["Content-Language"] = translation.get_language()
        return response


class ExactJsonParser(Parser):
    """JSON numbers with a fraction or an exponent become Decimals, never floats: money arrives exactly as sent
    (see the number types in orbit.api.schemas). NaN and Infinity, which Python's json admits, become the
    Decimals of those names and are refused at their field."""

    def parse_body(self, request):
        return json.loads(request.body, parse_float=json_number, parse_constant=json_number)


api = OrbitAPI(
    title="Orbit API",
    version="1",
    description=(
        "Accounts, contacts and ownership of the client department; touches, tasks and client requests "
        "(with their SLA), so that telephony, mail and accounting integrations can log the work; invoices, credit "
        "notes and payments, so that 1C and billing systems can push the money; opportunities through the stages of "
        "their pipeline and the weighted pipeline per owner or team. "
        "Authenticate with a personal token (`Authorization: Bearer orb_…`, issued at POST /api/auth/tokens "
        "from a signed-in session) "
        "or with the browser session. Lists are scoped to what you may see. "
        "Operations that create a record accept an `Idempotency-Key` header: a retry with the same key returns "
        "the record the first call created instead of creating a second one. "
        "Money (revenue operations) is exact: send amounts as a JSON number or as a string the way people type "
        'them ("1 234 567,89", "1234567.89", no-break spaces allowed), with at most 2 places and no exponent; '
        'responses carry amounts as decimal strings with 2 places ("1234567.89"), never floats. Invoices, credit '
        "notes and payments pushed by an integration are idempotent by their `external_id`: a push repeated with the "
        "same content answers 200 with the existing document (the first push 201), with other content 409."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[auth.BearerTokenAuth(), auth.SessionAuth()],
    parser=ExactJsonParser(),
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/", accounts.router)
api.add_router("/", activities.router)
api.add_router("/", requests.router)
api.add_router("/", revenue.router)
api.add_router("/", growth_pipeline.router)
api.add_router("/", growth_plans.router)
api.add_router("/", growth_projects.router)
api.add_router("/", analytics_dashboard.router)
api.add_router("/", analytics_retention.router)
api.add_router("/", analytics_reactivation.router)
api.add_router("/", managers_staffing.router)
api.add_router("/", kpi.router)
api.add_router("/", workload.router)
api.add_router("/", bonuses.router)
api.add_router("/", privacy.router)

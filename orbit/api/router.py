"""The Orbit REST API: OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Every operation needs a caller: an API token (`Authorization: Bearer …`) or the browser session (with the
CSRF token on unsafe methods). Errors share one JSON shape (see orbit.api.errors).
"""

from django.utils import translation
from ninja import NinjaAPI

from orbit.api import accounts, activities, auth, errors, requests


class OrbitAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        # Token requests switch to the user's language after the middleware has chosen one.
        response["Content-Language"] = translation.get_language()
        return response


api = OrbitAPI(
    title="Orbit API",
    version="1",
    description=(
        "Accounts, contacts and ownership of the client department; touches, tasks and client requests "
        "(with their SLA), so that telephony, mail and accounting integrations can log the work. "
        "Authenticate with a personal token (`Authorization: Bearer orb_…`, issued at POST /api/auth/tokens "
        "from a signed-in session) "
        "or with the browser session. Lists are scoped to what you may see."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[auth.BearerTokenAuth(), auth.SessionAuth()],
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/", accounts.router)
api.add_router("/", activities.router)
api.add_router("/", requests.router)

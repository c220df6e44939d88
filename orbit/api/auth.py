"""Who is calling: a personal API token (`Authorization: Bearer orb_…`) or the browser's Django session.

Token requests get the user's language activated here (the session middleware does it for the browser).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from orbit.api import selectors, services
from orbit.api.models import hash_token
from orbit.api.schemas import ErrorOut, Id, MeOut, TokenCreateIn, TokenIssuedOut, TokenOut
from orbit.ops import ratelimit

TOKEN = "token"
SESSION = "session"


class BearerTokenAuth(HttpBearer):
    """A token in the Authorization header; a wrong or revoked one is refused outright (401)."""

    def __call__(self, request: HttpRequest):
        scheme, _sep, raw = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str):
        user = services.token_user(token)
        if user is None:
            raise AuthenticationError(message=_("The API token is unknown or has been revoked."))
        request.user = user
        request.orbit_auth = TOKEN
        language = user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        ratelimit.hit(f"token:{hash_token(token)[:32]}")  # after the language: the refusal is in his
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser; unsafe methods must carry the CSRF token (X-CSRFToken header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super().__call__(request)  # checks CSRF for unsafe methods, then `authenticate`

    def authenticate(self, request: HttpRequest, key: str | None):
        ratelimit.hit(f"user:{request.user.pk}")
        request.orbit_auth = SESSION
        return request.user


router = Router(tags=["auth"])


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request):
    """The calling user."""
    return request.auth


@router.get("/tokens", response={200: list[TokenOut], 401: ErrorOut})
def token_list(request):
    """Your API tokens, newest first (the secrets are never shown again)."""
    return list(selectors.tokens_of(request.auth))


@router.post("/tokens", response={201: TokenIssuedOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def token_create(request, payload: TokenCreateIn):
    """Issue a token. Only from a signed-in session: a token cannot breed tokens that outlive its revocation."""
    if getattr(request, "orbit_auth", None) != SESSION:
        raise PermissionDenied(_("Create API tokens while signed in to Orbit, not with another token."))
    token, raw = services.token_issue(by=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": raw})


@router.delete("/tokens/{token_id}", response={200: TokenOut, 401: ErrorOut, 404: ErrorOut})
def token_revoke(request, token_id: Id):
    """Revoke one of your tokens; it stops working at once."""
    token = selectors.token_get(request.auth, token_id)
    return services.token_revoke(by=request.auth, token=token)

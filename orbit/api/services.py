"""Changes to API tokens: issue, revoke, and the authentication that records their use."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.api.models import ApiToken, hash_token
from orbit.ops.unavailable import unless_read_only
from orbit.org.models import User

# `last_used_at` is written at most this often per token, so a busy script does not write on every call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    try:
        MaxLengthValidator(ApiToken._meta.get_field("name").max_length)(name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from exc
    return name


@transaction.atomic
def token_issue(*, by: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the acting user; the raw secret is returned once and only its hash is kept."""
    if not (by and by.is_authenticated and by.is_active):
        raise PermissionDenied(_("You may not do this."))
    return ApiToken.issue(user=by, name=_clean_name(name))


@transaction.atomic
def token_revoke(*, by: User, token: ApiToken) -> ApiToken:
    if token.user_id != by.pk:
        raise PermissionDenied(_("You may not do this."))
    token.revoke()
    return token


def token_user(raw: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user owning a live token, or None; records the use (at most once a minute)."""
    if not raw:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests of one token write once; skipped while the database is read-only.
        with unless_read_only():
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
    return token.user

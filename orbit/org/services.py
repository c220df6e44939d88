"""Changes a person makes to himself: his profile (never his team or roles, which decide visibility)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from orbit.org.models import User

# What a user may change about himself; team, roles and activity are the admin's.
SELF_EDITABLE = ("display_name", "position", "email", "language")


@transaction.atomic
def profile_update(*, by: User, user: User, **changes) -> User:
    if by.pk != user.pk:
        raise PermissionDenied(_("You may not do this."))
    unknown = set(changes) - set(SELF_EDITABLE)
    if unknown:
        raise PermissionDenied(_("You may not do this."))
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in changes])
    user.save(update_fields=list(changes) or None)
    return user

"""Changes to the visibility policy: only the head (or an admin) may, and each change is recorded with its author."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from orbit.access.models import VisibilityPolicy
from orbit.access.policy import can_set_policy


@transaction.atomic
def visibility_policy_save(*, by, policy: VisibilityPolicy) -> VisibilityPolicy:
    """Save the edited policy (a form's instance); permission checked before anything is written."""
    if not can_set_policy(by):
        raise PermissionDenied(_("You may not do this."))
    policy._history_user = by  # type: ignore[attr-defined]  # read by django-simple-history
    policy.full_clean()
    policy.save()
    return policy

"""What the head does with the computation: who may start a run and change the settings, and the settings'
own rules (the form shows them on the fields)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orbit.access.policy import can_set_policy, sees_everything
from orbit.analytics import compute
from orbit.analytics.models import AnalyticsRun, AnalyticsSettings, RunKind
from orbit.common.errors import ConflictError


def may_see_runs(user) -> bool:
    """The runs say how many accounts and changes the department has: for those who see every account."""
    return bool(user.is_authenticated) and sees_everything(user)


def may_run(user) -> bool:
    return can_set_policy(user)


def start_run(*, by, kind: str = RunKind.FULL) -> AnalyticsRun:
    if not may_run(by):
        raise PermissionDenied(_("The computation is started by the head of department or an administrator."))
    if kind not in RunKind.values:
        raise ValidationError({"kind": [_("Unknown kind of run.")]})
    return compute.request_run(by=by, kind=kind)


def check_settings(values: dict) -> None:
    errors: dict[str, list[str]] = {}
    if values["abc_b"] <= values["abc_a"]:
        errors["abc_b"] = [_("B must end above A: B takes the share after A's.")]
    if values["abc_b"] > 100:
        errors["abc_b"] = [_("A share cannot exceed 100 %.")]
    if values["xyz_y"] <= values["xyz_x"]:
        errors["xyz_y"] = [_("Y must end above X.")]
    if values["dormant_cap_days"] < values["dormant_floor_days"]:
        errors["dormant_cap_days"] = [_("The cap cannot be below the floor.")]
    if not 1 <= values["window_months"] <= 60:
        errors["window_months"] = [_("Between 1 and 60 months.")]
    if not 1 <= values["ltv_horizon_months"] <= 120:
        errors["ltv_horizon_months"] = [_("Between 1 and 120 months.")]
    if values["xyz_min_months"] > values["window_months"]:
        errors["xyz_min_months"] = [_("Cannot exceed the window.")]
    if values["dormant_multiple"] <= 0:
        errors["dormant_multiple"] = [_("Must be above zero.")]
    if errors:
        raise ValidationError(errors)


def save_settings(*, by, version: int, **values) -> AnalyticsSettings:
    """Change the settings (they take effect at the next full run); 409 when someone saved them meanwhile."""
    if not may_run(by):
        raise PermissionDenied(
            _("The analytics settings are changed by the head of department or an administrator.")
        )
    check_settings(values)
    with transaction.atomic():
        AnalyticsSettings.current()
        current = AnalyticsSettings.objects.select_for_update().get(pk=1)
        if current.version != version:
            raise ConflictError(
                _("Someone changed the analytics settings while you were editing them."), current=current
            )
        for name, value in values.items():
            setattr(current, name, value)
        current.version += 1
        current.updated_by = by
        current.save()
    return current

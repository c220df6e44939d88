"""Bonus rule versions: which version is in force in a month, and the head's edits of them (one transaction,
checked before writing: overlapping versions, percentages outside 0–100, a cap below its threshold).

A version's months: from `valid_from` to `valid_until` when set, else to the month before the next version
(or open-ended). Two versions overlap when they share a month; the error names the field that makes them
overlap. Fields of a role's rule are named "<role>-<field>" (e.g. "account_manager-percent_upsell").
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orbit.bonuses.models import RULE_ROLES, Base, RoleRule, RuleVersion
from orbit.bonuses.permissions import is_head
from orbit.common.errors import ConflictError
from orbit.growth.plans import previous_month
from orbit.growth.sale_kinds import SaleKind
from orbit.revenue.money import MONEY_LIMIT, parse_amount

HUNDRED = Decimal(100)
MAX_HUNTER_MONTHS = 36  # Orbit's bound: three years after a handoff
MAX_ACCELERATOR = Decimal(10)
RULE_FIELDS = ("fixed", "base", "threshold_percent", "accelerator", "cap_percent", "cap_amount")


def effective_until(version: RuleVersion, following: RuleVersion | None) -> dt.date | None:
    """The last month `version` is in force (None: open-ended)."""
    ends = [version.valid_until] if version.valid_until else []
    if following is not None:
        ends.append(previous_month(following.valid_from))
    return min(ends) if ends else None


def version_in_force(month: dt.date, versions: list[RuleVersion] | None = None) -> RuleVersion | None:
    """The version whose months include `month` (its rules prefetched), or None."""
    if versions is None:
        versions = list(RuleVersion.objects.prefetch_related("rules").order_by("valid_from"))
    ordered = sorted(versions, key=lambda v: v.valid_from)
    for i, version in enumerate(ordered):
        following = ordered[i + 1] if i + 1 < len(ordered) else None
        until = effective_until(version, following)
        if version.valid_from <= month and (until is None or month <= until):
            return version
    return None


def rule_for(version: RuleVersion | None, role: str) -> RoleRule | None:
    if version is None:
        return None
    return next((rule for rule in version.rules.all() if rule.role == role), None)


def _month(value, field: str, errors: dict, *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[field] = [_("Choose a month.")]
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
        except ValueError:
            errors[field] = [_("Enter a month like 2026-03.")]
            return None
    return value.replace(day=1)


def _decimal(value, field: str, errors: dict, *, low=None, high=None, required=True, places=2):
    if value in (None, ""):
        if required:
            errors[field] = [_("Enter a number.")]
        return None
    try:
        number = parse_amount(value, places=places)
    except ValidationError as exc:
        errors[field] = exc.messages
        return None
    if low is not None and high is not None and not (low <= number <= high):
        errors[field] = [_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}]
        return None
    if low is not None and number < low:
        errors[field] = [_("Enter a number of at least %(low)s.") % {"low": low}]
        return None
    if number >= MONEY_LIMIT:
        errors[field] = [_("The number is too large.")]
        return None
    return number


def _overlap_errors(version: RuleVersion, others: list[RuleVersion]) -> dict:
    """Field errors when `version` shares a month with another version."""
    everything = sorted([*others, version], key=lambda v: v.valid_from)
    for i, current in enumerate(everything):
        following = everything[i + 1] if i + 1 < len(everything) else None
        if following is None:
            break
        if current.valid_from == following.valid_from:
            return {
                "valid_from": [
                    _("A version in force from %(month)s exists already: edit it instead.")
                    % {"month": f"{current.valid_from:%m.%Y}"}
                ]
            }
        if current.valid_until and current.valid_until >= following.valid_from:
            other = following if current is version else current
            field = "valid_until" if current is version else "valid_from"
            return {
                field: [
                    _("These months overlap the version in force from %(month)s.")
                    % {"month": f"{other.valid_from:%m.%Y}"}
                ]
            }
    return {}


def _role_rule(role: str, data: dict, errors: dict) -> dict:
    def key(name: str) -> str:
        return f"{role}-{name}"

    values: dict = {}
    values["fixed"] = _decimal(data.get("fixed", 0), key("fixed"), errors, low=Decimal(0))
    base = data.get("base") or Base.REVENUE
    if base not in Base.values:
        errors[key("base")] = [_("Choose paid revenue or paid margin.")]
    values["base"] = base
    percents = {}
    for kind in SaleKind.values:
        percent = _decimal(
            data.get(f"percent_{kind}", 0),
            key(f"percent_{kind}"),
            errors,
            low=Decimal(0),
            high=HUNDRED,
            places=4,
            required=False,  # empty: nothing paid on that kind of sale
        )
        if percent:
            percents[kind] = str(percent)
    values["percents"] = percents
    threshold = _decimal(
        data.get("threshold_percent", 0), key("threshold_percent"), errors, low=Decimal(0), high=HUNDRED
    )
    values["threshold_percent"] = threshold
    values["accelerator"] = _decimal(
        data.get("accelerator", 1), key("accelerator"), errors, low=Decimal(1), high=MAX_ACCELERATOR
    )
    cap_percent = _decimal(
        data.get("cap_percent"), key("cap_percent"), errors, low=Decimal(0), required=False
    )
    if cap_percent is not None and threshold is not None and cap_percent < max(threshold, Decimal(1)):
        errors[key("cap_percent")] = [
            _("The cap (%(cap)s %% of plan) is below the threshold (%(threshold)s %% of plan).")
            % {"cap": cap_percent, "threshold": threshold}
        ]
    values["cap_percent"] = cap_percent
    cap_amount = _decimal(data.get("cap_amount"), key("cap_amount"), errors, low=Decimal(0), required=False)
    if cap_amount is not None and cap_amount <= 0:
        errors[key("cap_amount")] = [
            _("A cap on the variable pay must be above zero; leave it empty for none.")
        ]
    values["cap_amount"] = cap_amount
    return values


@transaction.atomic
def version_save(
    *,
    by,
    valid_from,
    rules: dict[str, dict],
    valid_until=None,
    hunter_months=3,
    hunter_share=50,
    note: str = "",
    existing: RuleVersion | None = None,
    version: int | None = None,
) -> RuleVersion:
    """Create a version (existing=None) or change `existing` read at `version`: the version's months and
    hunter's terms and one rule per role (`rules`: role -> {field: value}; a role left out gets no rule)."""
    if not is_head(by):
        raise PermissionDenied(_("The bonus rules are set by the head of department."))
    errors: dict = {}
    start = _month(valid_from, "valid_from", errors, required=True)
    until = _month(valid_until, "valid_until", errors, required=False)
    if start and until and until < start:
        errors["valid_until"] = [_("The last month cannot be before the first.")]
    months = _decimal(
        hunter_months, "hunter_months", errors, low=Decimal(0), high=MAX_HUNTER_MONTHS, places=0
    )
    share = _decimal(hunter_share, "hunter_share", errors, low=Decimal(0), high=HUNDRED)
    note = (note or "").strip()
    if len(note) > (RuleVersion._meta.get_field("note").max_length or 0):
        errors["note"] = [_("The note is too long.")]
    parsed = {}
    for role in RULE_ROLES:
        if role in rules:
            parsed[role] = _role_rule(role, rules[role], errors)
    for code in rules:
        if code not in RULE_ROLES:
            errors["rules"] = [
                _(
                    "Rules are written for account managers, key account managers, sales "
                    "managers and team leads."
                )
            ]
    if start and "valid_until" not in errors:  # said with the other errors, checked again once locked
        probe = RuleVersion(pk=existing.pk if existing else None, valid_from=start, valid_until=until)
        errors.update(_overlap_errors(probe, list(RuleVersion.objects.exclude(pk=probe.pk or 0))))
    if errors:
        raise ValidationError(errors)
    if existing is not None:
        locked = RuleVersion.objects.select_for_update().get(pk=existing.pk)
        if version is not None and locked.version != version:
            raise ConflictError(
                _("Someone changed this version meanwhile: reload it and enter your changes again."),
                current=locked,
            )
        target = locked
    else:
        target = RuleVersion(created_by=by)
    others = list(RuleVersion.objects.select_for_update().exclude(pk=target.pk or 0))
    assert start is not None and months is not None and share is not None  # no errors above
    target.valid_from, target.valid_until = start, until
    target.hunter_months, target.hunter_share, target.note = int(months), share, note
    overlap = _overlap_errors(target, others)
    if overlap:
        raise ValidationError(overlap)
    if target.pk:
        target.version += 1
    target.save()
    target.rules.exclude(role__in=list(parsed)).delete()
    for role, values in parsed.items():
        RoleRule.objects.update_or_create(rule_version=target, role=role, defaults=values)
    return target


def months_of(version: RuleVersion, versions: list[RuleVersion]) -> tuple[dt.date, dt.date | None]:
    """(first month, last month or None) of `version` among `versions`."""
    ordered = sorted(versions, key=lambda v: v.valid_from)
    i = next(n for n, v in enumerate(ordered) if v.pk == version.pk)
    following = ordered[i + 1] if i + 1 < len(ordered) else None
    return version.valid_from, effective_until(version, following)

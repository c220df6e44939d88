"""Every change in the workload area: the head's norms, a person's capacity and hunting share, and applying
a rebalancing proposal (which starts handoffs, never moves an account by itself)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts.models import Account, ChangeReason, Tier
from orbit.common.errors import ConflictError
from orbit.handoffs import services as handoffs
from orbit.handoffs.models import OPEN_STATUSES, Handoff, HandoffKind
from orbit.org.models import Role, Team, User
from orbit.workload import norms
from orbit.workload.models import NormOverride, PersonSetting, Rebalance
from orbit.workload.rebalance import groups_of, team_tree_ids

# The largest figure a norm may take: a month has 744 hours, minutes and counts beyond these are typos.
NORM_LIMITS = {
    "touches_per_month": Decimal(100),
    "touch_minutes": Decimal(24 * 60),
    "requests_per_month": Decimal(500),
    "request_minutes": Decimal(24 * 60),
}
MAX_CAPACITY_HOURS = 744  # the hours of a 31-day month


def _decimal(value, name: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        errors[name] = _("Enter a number.")
        return None
    if not number.is_finite():
        errors[name] = _("Enter a number.")
    elif number < 0:
        errors[name] = _("Cannot be negative.")
    elif number > NORM_LIMITS[name]:
        errors[name] = _("At most %(max)s.") % {"max": NORM_LIMITS[name]}
    else:
        return number
    return None


@transaction.atomic
def norm_set(*, by: User, tier: str, version: int | None, comment: str = "", **figures) -> NormOverride:
    """A new version of the head's figures for `tier` (an empty figure: from history again)."""
    if not policy.can_set_policy(by):
        raise PermissionDenied(_("Only the head of department and administrators set the workload norms."))
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Choose a tier.")})
    unknown = set(figures) - set(norms.FIGURES)
    if unknown:
        raise TypeError(f"unknown norm figures: {sorted(unknown)}")
    errors: dict[str, str] = {}
    values = {name: _decimal(figures.get(name), name, errors) for name in norms.FIGURES}
    if errors:
        raise ValidationError(errors)
    latest = NormOverride.objects.select_for_update().filter(tier=tier).order_by("-version").first()
    current = latest.version if latest else 0
    if version is not None and version != current:
        raise ConflictError(
            _("Someone else changed the norms of this tier while you were editing them. Review them again."),
            current=latest,
        )
    return NormOverride.objects.create(
        tier=tier, version=current + 1, comment=comment.strip()[:500], created_by=by, **values
    )


def may_set_person(by: User, person: User) -> bool:
    """The head (and admins) for anyone, a lead for the people he leads."""
    return policy.can_set_policy(by) or person.pk in policy.led_people(by)


@transaction.atomic
def person_set(
    *, by: User, person: User, version: int | None, capacity_hours, hunting_percent
) -> PersonSetting:
    """A person's capacity (hours a month, more than zero) and hunting share (0–100 %, empty = Orbit's)."""
    if not may_set_person(by, person):
        raise PermissionDenied(_("Only the head of department or his lead set a person's capacity."))
    errors: dict[str, str] = {}
    try:
        hours = int(str(capacity_hours).strip())
    except ValueError:
        errors["capacity_hours"] = _("Enter a whole number of hours.")
    else:
        if hours <= 0:
            errors["capacity_hours"] = _(
                "A capacity of zero hours makes the load impossible to count: enter the hours he can give "
                "a month, or record his absence as a cover."
            )
        elif hours > MAX_CAPACITY_HOURS:
            errors["capacity_hours"] = _("At most %(max)s hours a month.") % {"max": MAX_CAPACITY_HOURS}
    share = None
    if hunting_percent not in (None, ""):
        try:
            share = int(str(hunting_percent).strip())
        except ValueError:
            errors["hunting_percent"] = _("Enter a whole number of percent.")
        else:
            if not 0 <= share <= 100:
                errors["hunting_percent"] = _("Enter a percentage from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    setting = PersonSetting.objects.select_for_update().filter(user=person).first()
    if setting is not None and version is not None and version != setting.version:
        raise ConflictError(
            _("Someone else changed this person's settings meanwhile. Review them again."), current=setting
        )
    locked = User.objects.select_for_update().get(pk=person.pk)
    if locked.monthly_capacity_hours != hours:
        locked.monthly_capacity_hours = hours
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["monthly_capacity_hours"])
    if setting is None:
        setting = PersonSetting(user=person, version=0)
    setting.hunting_percent = share
    setting.version += 1
    setting.updated_by = by
    setting._history_user = by  # type: ignore[attr-defined]
    setting.save()
    return setting


def may_rebalance(by: User, team: Team) -> bool:
    return policy.can_set_policy(by) or team.pk in policy.led_team_ids(by)


@transaction.atomic
def rebalance_apply(*, by: User, team: Team, lines: dict[int, int]) -> Rebalance:
    """Start a handoff (between managers, reason overload) for every account of each chosen group
    {group's top account id: receiver id}; all or nothing, every refused line named first."""
    if not may_rebalance(by, team):
        raise PermissionDenied(_("Only the team's lead or the head of department rebalance a team."))
    if not lines:
        raise ValidationError({"lines": _("Choose at least one move to apply.")})
    tree = team_tree_ids(team)
    members = {
        u.pk: u for u in User.objects.filter(team_id__in=tree, is_active=True).prefetch_related("roles")
    }
    roots = {
        a.pk: a
        for a in Account.objects.visible_to(by).filter(pk__in=lines).select_related("responsible_manager")
    }
    errors: dict[str, str] = {}
    plan: list[tuple[int, User, User, list[Account]]] = []
    for root, receiver_id in sorted(lines.items()):
        key = f"line_{root}"
        account = roots.get(root)
        giver = account.responsible_manager if account is not None else None
        if account is None or giver is None or giver.pk not in members:
            errors[key] = _("This account is no longer in the team's portfolios: reload the proposal.")
            continue
        group = groups_of(by, giver).get(root)
        if group is None:
            errors[key] = _("%(account)s is now part of a larger holding: reload the proposal.") % {
                "account": account.display_name
            }
            continue
        receiver = members.get(receiver_id)
        if receiver is None or not receiver.has_role(Role.ACCOUNT_MANAGER, Role.KEY_ACCOUNT_MANAGER):
            errors[key] = _("Choose an account manager of the team as the receiver.")
            continue
        if receiver.pk == giver.pk:
            errors[key] = _("The receiver is the manager who holds these accounts now.")
            continue
        if any(a.tier == Tier.KEY for a in group) and not receiver.has_role(Role.KEY_ACCOUNT_MANAGER):
            errors[key] = _("%(name)s is not a key account manager: key accounts go only to one.") % {
                "name": receiver
            }
            continue
        busy = sorted(
            Handoff.objects.filter(account__in=group, status__in=OPEN_STATUSES).values_list(
                "account__legal_name", flat=True
            )
        )
        if busy:
            errors[key] = _("An open handoff already moves %(names)s: finish or cancel it first.") % {
                "names": ", ".join(busy[:5])
            }
            continue
        if not all(policy.may_reassign(by, a) for a in group):
            errors[key] = _("You may not move these accounts.")
            continue
        plan.append((root, giver, receiver, group))
    if errors:
        raise ValidationError(errors)
    record_lines = []
    for root, giver, receiver, group in plan:
        started = [
            handoffs.handoff_start(
                by=by,
                account=account,
                to_user=receiver,
                kind=HandoffKind.BETWEEN_MANAGERS,
                reason=ChangeReason.OVERLOAD,
            )
            for account in group
        ]
        record_lines.append(
            {
                "group": root,
                "accounts": [a.pk for a in group],
                "from": giver.pk,
                "to": receiver.pk,
                "handoffs": [h.pk for h in started],
            }
        )
    return Rebalance.objects.create(team=team, created_by=by, lines=record_lines)

"""Revenue and margin plans per person and team and month: the only writers of `SalesPlan`.

What a plan counts (docs/growth-plans.md): revenue net of VAT and margin (net − cost), in the base currency,
for one calendar month. The same plan is read against two facts — invoiced (what was billed that month) and
paid (what came in that month) — by `orbit.growth.plan_fact`.

Rules:
- exactly one of `user` and `team`; `month` is the first day of a month (anything else is refused, so a form
  or a script that meant another month does not silently land on this one);
- the head and admins set anyone's plan, a team lead those of the people and teams he leads
  (`permissions.can_set_plan`), checked before anything else is looked at;
- revenue is not negative; margin is at most the revenue (cost is never negative); both in kopecks;
- a person who has left (an inactive user) gets no plan;
- the form carries the version it read (0: "there was no plan"); a stale one is a conflict, never an overwrite.
  Saving the figures the plan already has changes nothing (no new version) and is no conflict, whatever the
  version: a double submit is answered like the first.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from orbit.common.errors import ConflictError
from orbit.growth.models import SalesPlan
from orbit.growth.permissions import can_set_plan
from orbit.org.models import Team, User
from orbit.revenue.money import MONEY_LIMIT, decimal_places, parse_amount


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _amount(value, field: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        errors[field] = [_("Enter an amount.")]
        return None
    try:
        amount = value if isinstance(value, Decimal) else parse_amount(value)
    except ValidationError as exc:
        errors[field] = exc.messages
        return None
    if not amount.is_finite() or decimal_places(amount) > 2 or abs(amount) >= MONEY_LIMIT:
        errors[field] = [_("Enter an amount in roubles and kopecks (at most 2 digits after the point).")]
        return None
    return amount


def _check_target(*, user: User | None, team: Team | None, month) -> None:
    errors: dict[str, list[str]] = {}
    if (user is None) == (team is None):
        errors["user"] = [_("A plan is for one person or for one team: choose exactly one.")]
    if not isinstance(month, dt.date):
        errors["month"] = [_("Enter the month.")]
    elif month.day != 1:
        errors["month"] = [
            _("A plan is for a whole month: give its first day (%(first)s).")
            % {"first": first_of_month(month).isoformat()}
        ]
    if errors:
        raise ValidationError(errors)


def _check_figures(*, user: User | None, revenue, margin) -> tuple[Decimal, Decimal]:
    errors: dict[str, list[str]] = {}
    if user is not None and not user.is_active:
        errors["user"] = [
            _("%(name)s has left the company: plans are set only for people who work here.") % {"name": user}
        ]
    revenue = _amount(revenue, "revenue", errors)
    margin = _amount(margin, "margin", errors)
    if revenue is not None and revenue < 0:
        errors["revenue"] = [_("The revenue plan cannot be negative.")]
    if revenue is not None and margin is not None and revenue >= 0 and margin > revenue:
        errors["margin"] = [
            _("The margin plan cannot exceed the revenue plan (margin is revenue less cost).")
        ]
    if errors:
        raise ValidationError(errors)
    return revenue, margin


def _conflict(plan: SalesPlan, expected: int) -> ConflictError:
    return ConflictError(
        _(
            "The plan was changed by someone else while you were editing (version %(theirs)s, yours "
            "%(yours)s). Reload to see their figures, then enter yours again."
        )
        % {"theirs": plan.version, "yours": expected},
        current=plan,
    )


@transaction.atomic
def plan_set(
    *,
    by: User,
    month: dt.date,
    revenue,
    margin,
    user: User | None = None,
    team: Team | None = None,
    version: int | None = None,
) -> SalesPlan:
    """Create or change the plan of `user` or `team` for `month`. `version`: the one the caller read (0 when
    he saw no plan); None skips the check (a script that means "set it to this")."""
    _check_target(user=user, team=team, month=month)
    if not can_set_plan(by, person=user, team=team):
        raise PermissionDenied(
            _("You may set the plans only of the people and teams you lead.")
            if team is None or user is not None
            else _("You may set the plans only of the teams you lead.")
        )
    revenue, margin = _check_figures(user=user, revenue=revenue, margin=margin)
    owner: dict[str, User | Team | None] = {"user": user} if user is not None else {"team": team}
    plan = SalesPlan.objects.select_for_update().filter(month=month, **owner).first()
    if plan is None:
        if version:
            # He read a plan that is gone (deleted in the admin): what he saw is no longer there.
            raise ConflictError(
                _("The plan you edited no longer exists: reload and enter it again."), current=None
            )
        try:
            with transaction.atomic():
                return SalesPlan.objects.create(
                    month=month, revenue=revenue, margin=margin, updated_by=by, **owner
                )
        except IntegrityError:  # created by someone else since we looked
            plan = SalesPlan.objects.get(month=month, **owner)
            raise _conflict(plan, version or 0) from None
    if plan.revenue == revenue and plan.margin == margin:
        # Nothing would change (a double submit, or both entered the same figures): no conflict, no version.
        return plan
    if version is not None and plan.version != version:
        raise _conflict(plan, version)
    plan.revenue, plan.margin = revenue, margin
    plan.version += 1
    plan.updated_by = by
    plan.save(update_fields=["revenue", "margin", "version", "updated_by", "updated_at"])
    return plan


@dataclass
class PlanEntry:
    """One row of the plan grid: a person or a team, the figures typed, the version the form read (0: none)."""

    key: str  # the form's prefix of the row's fields ("u12", "t3")
    revenue: str | Decimal | None
    margin: str | Decimal | None
    version: int
    user: User | None = None
    team: Team | None = None

    @property
    def blank(self) -> bool:
        return self.revenue in (None, "") and self.margin in (None, "")


@transaction.atomic
def plans_save(*, by: User, month: dt.date, entries: list[PlanEntry]) -> list[SalesPlan]:
    """Save a whole grid at once: all rows or none. Errors come back keyed "<row key>-<field>" (the grid's field
    names), every row checked; a stale row is a conflict (ConflictError, the rows named). A blank row without a
    plan is skipped; a blank row of an existing plan is refused (enter 0 to plan nothing)."""
    errors: dict[str, list[str]] = {}
    conflicts: list[str] = []
    saved = []
    for entry in entries:
        if entry.blank and not entry.version:
            continue
        try:
            with transaction.atomic():  # a savepoint: a refused row leaves no lock or row behind
                saved.append(
                    plan_set(
                        by=by,
                        month=month,
                        revenue=entry.revenue,
                        margin=entry.margin,
                        user=entry.user,
                        team=entry.team,
                        version=entry.version,
                    )
                )
        except ConflictError as exc:
            conflicts.append(str(entry.user or entry.team))
            errors[f"{entry.key}-revenue"] = exc.messages
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                name = field if field in ("revenue", "margin") else "revenue"
                errors.setdefault(f"{entry.key}-{name}", []).extend(messages)
    if conflicts:
        error = ConflictError(
            _("Someone else changed these plans while you were editing: %(names)s. Reload, then save again.")
            % {"names": ", ".join(conflicts)}
        )
        error.fields = errors  # type: ignore[attr-defined]  # the grid marks the rows
        raise error
    if errors:
        raise ValidationError(errors)
    return saved


@transaction.atomic
def plans_copy_month(*, by: User, month: dt.date, people: list[User], teams: list[Team]) -> list[SalesPlan]:
    """Copy the plans of the month before `month` to `month` for those of `people` and `teams` who have one
    then and none now (plans already entered are never overwritten); people who left are skipped. All or
    nothing: a plan the caller may not set refuses the whole copy."""
    source = previous_month(month)
    people_ids = [p.pk for p in people if p.is_active]
    team_ids = [t.pk for t in teams]
    earlier = list(SalesPlan.objects.filter(month=source, user_id__in=people_ids)) + list(
        SalesPlan.objects.filter(month=source, team_id__in=team_ids)
    )
    taken_users = set(
        SalesPlan.objects.filter(month=month, user_id__in=people_ids).values_list("user_id", flat=True)
    )
    taken_teams = set(
        SalesPlan.objects.filter(month=month, team_id__in=team_ids).values_list("team_id", flat=True)
    )
    by_user = {p.pk: p for p in people}
    by_team = {t.pk: t for t in teams}
    copied = []
    for plan in earlier:
        if plan.user_id in taken_users or plan.team_id in taken_teams:
            continue
        copied.append(
            plan_set(
                by=by,
                month=month,
                revenue=plan.revenue,
                margin=plan.margin,
                user=by_user.get(plan.user_id) if plan.user_id else None,
                team=by_team.get(plan.team_id) if plan.team_id else None,
                version=0,
            )
        )
    return copied

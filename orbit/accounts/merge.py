"""Merging two accounts that are one company entered twice (issue 15: the duplicates report's merge).

Everything linked to the merged account moves onto the account that stays: contacts, touches, tasks, requests,
handoffs, contracts, orders, invoices with their lines, payments, opportunities, projects, the account team,
subsidiaries, notifications… The merged account is archived (never deleted) with `merged_into` pointing at the
survivor, so its old links lead there, and both accounts' histories say what happened.

Every relation to Account is listed in RELATIONS with how the merge treats it; the list is checked against the
app registry (`relations()`, and tests/accounts/test_merge.py): a new model with a foreign key to Account stops
the merge until it is declared here.

- MOVE: the rows are re-pointed to the survivor (their `version` bumped, so an edit open on one is told).
- KEEP: the rows stay with the merged account as the record of what happened to it. The ownership periods
  stay: the ledger allows no overlapping periods on one account, and who was responsible for the merged
  account when is its own history (each invoice and payment keeps the manager of its date anyway). An
  import's record stays too: its undo checks the account it created.
- DERIVED: recomputed for both accounts from the moved rows (monthly revenue, receivables); the analytics
  figures of the merged account are dropped and the next analytics run computes the survivor's.

What would clash is refused with the reason, before anything is written: an open handoff on the merged
account, one contract number on both, both in the reactivation queue, a holding loop.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts.models import Account, AccountTeamMember
from orbit.accounts.services import _check_parent, _check_version
from orbit.org.models import User

MOVE, KEEP, DERIVED = "move", "keep", "derived"

# "app_label.Model.field" of every foreign key to Account (an m2m through its table's key) -> what the merge does.
RELATIONS = {
    "accounts.Account.parent": MOVE,  # the merged account's subsidiaries go under the survivor
    "accounts.Account.merged_into": MOVE,  # accounts merged into the merged one lead to the survivor
    "accounts.Contact.account": MOVE,
    "accounts.OwnershipPeriod.account": KEEP,
    "accounts.AccountTeamMember.account": MOVE,  # a seat both hold open: the merged one's is ended
    "handoffs.Handoff.account": MOVE,  # finished ones; an open one refuses the merge
    "handoffs.Cover_accounts.account": MOVE,  # a cover listing both lists the survivor once
    "requests.Request.account": MOVE,
    "activities.Touch.account": MOVE,
    "activities.Task.account": MOVE,
    "revenue.PriceAgreement.account": MOVE,
    "revenue.Contract.account": MOVE,  # a number both accounts use refuses the merge
    "revenue.Order.account": MOVE,
    "revenue.Invoice.account": MOVE,
    "revenue.InvoiceLine.account": MOVE,
    "revenue.Payment.account": MOVE,
    "revenue.AccountRevenueMonth.account": DERIVED,
    "revenue.AccountReceivable.account": DERIVED,
    "accounts.AccountPulse.account": DERIVED,  # the list's last/next touch and open requests
    "growth.Opportunity.account": MOVE,
    "growth.Project.account": MOVE,
    "analytics.AccountMetrics.account": DERIVED,
    "analytics.SegmentChange.account": MOVE,
    "analytics.ReactivationCase.account": MOVE,  # both in the queue refuses the merge
    "notifications.Notification.account": MOVE,
    "imports.ImportedRow.account": KEEP,
}


def _label(fk: models.ForeignKey) -> str:
    return f"{fk.model._meta.label}.{fk.name}"


def relations() -> list[models.ForeignKey]:
    """Every foreign key to Account in the app registry, but the field histories' copies (they record the past
    as it was). An m2m is its through table's key."""
    found: list[models.ForeignKey] = []
    for rel in Account._meta._get_fields(forward=False, reverse=True, include_hidden=True):
        fk = rel.field  # type: ignore[union-attr]
        if fk.many_to_many or getattr(fk.model, "instance_type", None) is not None:  # m2m, or a history copy
            continue
        found.append(fk)  # type: ignore[arg-type]
    return found


@dataclass
class MergeResult:
    kept: Account
    merged: Account
    moved: dict[str, int] = field(default_factory=dict)  # "app_label.Model.field" -> rows moved


def _refusals(keep: Account, gone: Account) -> list[str]:
    from orbit.analytics.models import ReactivationCase, ReactivationStatus
    from orbit.handoffs.models import Handoff
    from orbit.revenue.models import Contract

    reasons = []
    if Handoff.objects.filter(account=gone, status__in=["draft", "in_progress"]).exists():
        reasons.append(_("The account being merged has an open handoff: finish or cancel it first."))
    numbers = sorted(
        set(Contract.objects.filter(account=gone).values_list("number", flat=True))
        & set(Contract.objects.filter(account=keep).values_list("number", flat=True))
    )
    if numbers:
        reasons.append(
            _("Both accounts have contracts numbered %(numbers)s: renumber one of them first.")
            % {"numbers": ", ".join(numbers)}
        )
    open_cases = ReactivationCase.objects.filter(account__in=[keep, gone], status=ReactivationStatus.OPEN)
    if open_cases.count() > 1:
        reasons.append(_("Both accounts are in the reactivation queue: close one of the cases first."))
    return reasons


def _move_parent(keep: Account, gone: Account, now) -> int:
    if keep.parent_id == gone.pk:  # the survivor was the merged one's subsidiary: it takes its place
        keep.parent_id = gone.parent_id if gone.parent_id != keep.pk else None
    children = Account._base_manager.filter(parent=gone).exclude(pk=keep.pk)
    return children.update(parent=keep, version=F("version") + 1, updated_at=now)


def _move_team(keep: Account, gone: Account, now) -> int:
    held = AccountTeamMember.objects.filter(account=keep, ended_at__isnull=True).values_list(
        "user_id", "role"
    )
    for user_id, role in held:
        AccountTeamMember.objects.filter(
            account=gone, user_id=user_id, role=role, ended_at__isnull=True
        ).update(ended_at=now)
    return AccountTeamMember.objects.filter(account=gone).update(account=keep)


def _move_covers(fk: models.ForeignKey, keep: Account, gone: Account) -> int:
    through = fk.model._base_manager
    other = next(f for f in fk.model._meta.fields if f.is_relation and f is not fk)
    both = through.filter(**{fk.attname: keep.pk}).values_list(other.attname, flat=True)
    through.filter(**{fk.attname: gone.pk, f"{other.attname}__in": list(both)}).delete()
    return through.filter(**{fk.attname: gone.pk}).update(**{fk.attname: keep.pk})


def _move(fk: models.ForeignKey, keep: Account, gone: Account, now) -> int:
    label = _label(fk)
    if label == "accounts.Account.parent":
        return _move_parent(keep, gone, now)
    if label == "accounts.AccountTeamMember.account":
        return _move_team(keep, gone, now)
    if fk.model._meta.auto_created:
        return _move_covers(fk, keep, gone)
    rows = fk.model._base_manager.filter(**{fk.attname: gone.pk})
    changes: dict = {fk.attname: keep.pk}
    field_names = {f.name for f in fk.model._meta.concrete_fields}
    if "version" in field_names:
        changes["version"] = F("version") + 1
    if "updated_at" in field_names:
        changes["updated_at"] = now
    return rows.update(**changes)


def _rebuild_derived(keep: Account, gone: Account) -> None:
    from orbit.accounts import pulse
    from orbit.analytics.models import AccountMetrics
    from orbit.revenue import balances, totals

    pulse.refresh([keep.pk, gone.pk])

    totals.rebuild_month_totals([keep.pk, gone.pk])
    today = timezone.localdate()
    for pk in (keep.pk, gone.pk):
        balances.refresh_receivable(pk, today=today)
    AccountMetrics.objects.filter(account=gone).delete()


def linked_counts(accounts: list[Account]) -> list[tuple[str, dict[int, int]]]:
    """What each account has that a merge moves, for the merge page: (what, {account id: rows}), one query a
    kind. Counts only, of accounts the caller read through account_get (a row of an account he sees is his to
    see: visible_to only widens beyond the account)."""
    ids = [a.pk for a in accounts]
    rows = []
    for fk in relations():
        if RELATIONS[_label(fk)] != MOVE or fk.model._meta.auto_created:
            continue
        found = dict(
            fk.model._base_manager.filter(**{f"{fk.attname}__in": ids})
            .values_list(fk.attname)
            .annotate(n=Count("pk"))
            .order_by()
        )
        if found:
            label = str(fk.model._meta.verbose_name_plural)
            if fk.name == "parent":
                label = _("subsidiaries")
            elif fk.name == "merged_into":
                label = _("accounts merged earlier")
            rows.append((label, found))
    return rows


@transaction.atomic
def merge_accounts(
    *, by: User, keep: Account, merged: Account, keep_version: int | None, merged_version: int | None
) -> MergeResult:
    """Merge `merged` into `keep`. Who merges must be allowed to change both; either changed by someone else
    since the page was shown (its version) is a conflict; nothing is written when anything is refused."""
    if keep.pk == merged.pk:
        raise ValidationError(_("Choose two different accounts to merge."))
    if not (policy.can_change_account(by, keep) and policy.can_change_account(by, merged)):
        raise PermissionDenied(_("You may merge only accounts you may change, both of them."))
    unknown = sorted({_label(fk) for fk in relations()} - set(RELATIONS))
    if unknown:  # a model added since: the merge would leave its rows behind
        raise ImproperlyConfigured(f"accounts/merge.py RELATIONS does not say how to merge {unknown}")
    # Locked in id order, so two merges of the same pair wait for each other instead of deadlocking.
    locked = Account.objects.select_for_update().in_bulk([keep.pk, merged.pk])
    keep, gone = locked[keep.pk], locked[merged.pk]
    for account, version in ((keep, keep_version), (gone, merged_version)):
        if account.archived_at is not None:
            raise ValidationError(
                _("The account “%(name)s” is archived: restore it before merging.") % {"name": account}
            )
        _check_version(account, version, _("The account “%(name)s”") % {"name": account})
    reasons = _refusals(keep, gone)
    if reasons:
        raise ValidationError(reasons)

    now = timezone.now()
    result = MergeResult(kept=keep, merged=gone)
    for fk in relations():
        if RELATIONS[_label(fk)] == MOVE:
            result.moved[_label(fk)] = _move(fk, keep, gone, now)
    _check_parent(keep)  # a subsidiary of the merged account may have been the survivor's holding
    _rebuild_derived(keep, gone)

    gone.archived_at = now
    gone.merged_into = keep
    gone.version += 1
    gone._history_user = by  # type: ignore[attr-defined]
    gone._change_reason = f"{REASON_PREFIX}into:{keep.pk}"  # type: ignore[attr-defined]
    gone.save()
    keep.version += 1
    keep._history_user = by  # type: ignore[attr-defined]
    keep._change_reason = f"{REASON_PREFIX}from:{gone.pk}"  # type: ignore[attr-defined]
    keep.save()
    return result


REASON_PREFIX = "merge:"


def describe_reason(reason: str) -> str:
    """The account history's title for a merge, in the reader's language ('' if not a merge)."""
    if not reason.startswith(REASON_PREFIX):
        return ""
    direction, _sep, pk = reason.removeprefix(REASON_PREFIX).partition(":")
    if direction == "into":
        return _("Merged into account №%(id)s") % {"id": pk}
    return _("Account №%(id)s merged into this one") % {"id": pk}

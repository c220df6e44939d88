"""Merging two accounts (accounts/merge.py): everything linked moves to the survivor, money totals stay, the
merged account is archived with a pointer; refusals leave both as they were; every FK to Account is declared."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from orbit.accounts import merge, services, team
from orbit.accounts.models import Account, AccountTeamMember, OwnershipPeriod, TeamRole
from orbit.activities.services import task_create, touch_plan
from orbit.analytics.models import AccountMetrics, ReactivationCase
from orbit.common.errors import ConflictError
from orbit.handoffs import covers
from orbit.handoffs import services as handoff_services
from orbit.handoffs.models import Cover, Handoff, HandoffKind
from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.org.models import Role
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department
from orbit.requests.services import request_create
from orbit.revenue.models import AccountReceivable, AccountRevenueMonth, Contract, InvoiceLine
from tests.analytics.rows import analytics_rows
from tests.factories import make_account, make_user
from tests.growth.rows import growth_rows
from tests.imports.rows import imported_rows
from tests.revenue.rows import ledger_rows


def test_every_foreign_key_to_account_is_declared():
    """A model added with a key to Account fails here until merge.RELATIONS says how a merge treats it."""
    found = {merge._label(fk) for fk in merge.relations()}
    assert found == set(merge.RELATIONS)
    assert "handoffs.Cover_accounts.account" in found and "revenue.InvoiceLine.account" in found
    assert not any(label.split(".")[1].startswith("Historical") for label in found)


def _filled(org, account, engineer, *, case: bool):
    """One row (at least) in every model linked to the account."""
    services.contact_create(by=org.head, account=account, full_name=f"Контакт {account.pk}")
    touch_plan(by=org.head, account=account, planned_for=timezone.localdate())
    task_create(
        by=org.head, title="Позвонить", assignee=org.head, due_on=timezone.localdate(), account=account
    )
    ensure_defaults()
    request_create(
        by=org.head,
        account=account,
        request_type="question",
        priority="normal",
        department=Department.objects.get(code="support"),
        subject="t",
    )
    team.team_member_add(by=org.head, account=account, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
    receiver = make_user(f"receiver{account.pk}", Role.ACCOUNT_MANAGER)
    handoff = handoff_services.handoff_start(
        by=org.head, account=account, to_user=receiver, kind=HandoffKind.BETWEEN_MANAGERS, reason="vacation"
    )
    handoff_services.handoff_cancel(by=org.head, handoff=handoff, comment="не нужно")
    Notification.objects.create(recipient=org.head, kind=Kind.TASK_DUE, title="t", url="/", account=account)
    ledger_rows(account, by=org.head)
    growth_rows(account, by=org.head)
    rows = analytics_rows(account, by=org.head)
    if not case:
        ReactivationCase.objects.filter(pk=rows.case.pk).update(
            status="lost", lost_reason="не вышло", closed_on=timezone.localdate()
        )
    imported_rows({"a": account}, by=org.head)


@pytest.fixture
def pair(org):
    keep = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")
    gone = make_account(org.head, org.am_a, legal_name="Ромашка, ООО")
    engineer = make_user("engineer")
    _filled(org, keep, engineer, case=True)
    _filled(org, gone, engineer, case=False)
    child = make_account(org.head, org.am_a, legal_name="ООО «Дочка»", parent=gone)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    deputy = make_user("deputy", Role.ACCOUNT_MANAGER)
    for weeks, accounts in enumerate(([keep, gone], [gone])):  # a cover of both, then one of gone only
        starts = tomorrow + dt.timedelta(weeks=weeks)
        covers.cover_create(
            by=org.am_a,
            owner=org.am_a,
            deputy=deputy,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=5),
            reason="vacation",
            accounts=accounts,
            whole_portfolio=False,
        )
    return keep, gone, child, engineer


def _rows(fk, account) -> int:
    return fk.model._base_manager.filter(**{fk.attname: account.pk}).count()


def test_a_merge_moves_everything_linked_and_keeps_the_totals(org, pair):
    keep, gone, child, engineer = pair
    moved = [fk for fk in merge.relations() if merge.RELATIONS[merge._label(fk)] == merge.MOVE]
    before = {merge._label(fk): (_rows(fk, keep), _rows(fk, gone)) for fk in moved}
    net = InvoiceLine.objects.aggregate(s=Sum("net_amount_base"))["s"]
    periods_gone = list(OwnershipPeriod.objects.filter(account=gone).values_list("pk", flat=True))

    result = merge.merge_accounts(
        by=org.head, keep=keep, merged=gone, keep_version=keep.version, merged_version=gone.version
    )

    for fk in moved:
        label = merge._label(fk)
        kept, merged = before[label]
        assert _rows(fk, gone) == 0, label
        if label == "handoffs.Cover_accounts.account":
            continue
        pointer = 1 if label == "accounts.Account.merged_into" else 0  # the merged account itself
        assert _rows(fk, keep) == kept + merged + pointer, label
    # Hand-counted: one contact, touch, task, request, invoice (and line), payment, opportunity… from each.
    assert keep.contacts.count() == 2 and keep.invoices.count() == 2 and keep.payments.count() == 2
    assert result.moved["accounts.Contact.account"] == 1
    assert result.moved["revenue.Invoice.account"] == 1
    # The engineer sat on both teams: one open seat is left, the merged one's ended and moved as history.
    seats = AccountTeamMember.objects.filter(account=keep, user=engineer)
    assert (seats.count(), seats.filter(ended_at__isnull=True).count()) == (2, 1)
    assert Account.objects.get(pk=child.pk).parent_id == keep.pk
    # Both covers list the survivor, once each.
    assert sorted(Cover.objects.values_list("accounts", flat=True)) == [keep.pk, keep.pk]
    # Money: the lines are the same; the monthly totals are rebuilt from them: both lines' 100 in one month.
    assert InvoiceLine.objects.aggregate(s=Sum("net_amount_base"))["s"] == net
    months = AccountRevenueMonth.objects.filter(account__in=[keep, gone])
    assert [(m.account_id, m.net_base, m.lines) for m in months] == [(keep.pk, Decimal("200.00"), 2)]
    assert not AccountReceivable.objects.filter(account=gone).exists()
    assert AccountReceivable.objects.get(account=keep).open_base == Decimal("44.00")
    assert not AccountMetrics.objects.filter(account=gone).exists()
    # The merged account: archived with its pointer, its ownership periods kept as its own history.
    gone.refresh_from_db()
    assert gone.archived_at is not None and gone.merged_into_id == keep.pk
    assert list(OwnershipPeriod.objects.filter(account=gone).values_list("pk", flat=True)) == periods_gone
    assert gone.history.first().history_change_reason == f"merge:into:{keep.pk}"
    assert keep.history.first().history_change_reason == f"merge:from:{gone.pk}"
    with translation.override("en"):
        assert merge.describe_reason(f"merge:into:{keep.pk}") == f"Merged into account №{keep.pk}"


def test_refusals_leave_both_accounts_as_they_were(org):
    keep = make_account(org.head, org.am_a)
    gone = make_account(org.head, org.am_b)
    translation.activate("en")
    with pytest.raises(ValidationError, match="two different accounts"):
        merge.merge_accounts(by=org.head, keep=keep, merged=keep, keep_version=None, merged_version=None)
    # am_a may change his account, not am_b's; the auditor changes nothing.
    for who in (org.am_a, org.auditor):
        with pytest.raises(PermissionDenied):
            merge.merge_accounts(by=who, keep=keep, merged=gone, keep_version=None, merged_version=None)
    with pytest.raises(ConflictError):
        merge.merge_accounts(
            by=org.head, keep=keep, merged=gone, keep_version=keep.version, merged_version=gone.version - 1
        )
    Contract.objects.create(account=keep, number="Д-1", starts_on=timezone.localdate(), manager=org.head)
    Contract.objects.create(account=gone, number="Д-1", starts_on=timezone.localdate(), manager=org.head)
    receiver = make_user("receiver", Role.ACCOUNT_MANAGER)
    handoff_services.handoff_start(
        by=org.head, account=gone, to_user=receiver, kind=HandoffKind.BETWEEN_MANAGERS, reason="vacation"
    )
    with pytest.raises(ValidationError) as refused:
        merge.merge_accounts(by=org.head, keep=keep, merged=gone, keep_version=None, merged_version=None)
    assert refused.value.messages == [
        "The account being merged has an open handoff: finish or cancel it first.",
        "Both accounts have contracts numbered Д-1: renumber one of them first.",
    ]
    archived = services.account_archive(by=org.head, account=make_account(org.head, org.am_a))
    with pytest.raises(ValidationError, match="archived"):
        merge.merge_accounts(by=org.head, keep=keep, merged=archived, keep_version=None, merged_version=None)
    gone.refresh_from_db()
    assert gone.archived_at is None and gone.merged_into_id is None
    assert Handoff.objects.filter(account=gone).count() == 1


def test_a_merge_that_would_make_a_holding_loop_is_refused(org):
    gone = make_account(org.head, org.am_a)
    child = make_account(org.head, org.am_a, parent=gone)
    keep = make_account(org.head, org.am_a, parent=child)  # keep → child → gone: child would go under keep
    with translation.override("en"), pytest.raises(ValidationError, match="its own holding"):
        merge.merge_accounts(by=org.head, keep=keep, merged=gone, keep_version=None, merged_version=None)
    assert Account.objects.get(pk=child.pk).parent_id == gone.pk


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_merge_page_merges_and_old_links_lead_to_the_survivor(org):
    keep = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")
    gone = make_account(org.head, org.am_a, legal_name="Ромашка ООО")
    services.contact_create(by=org.head, account=gone, full_name="Иванов")
    org.am_a.language = "en"
    org.am_a.save()
    client = _client(org.am_a)
    page = client.get(reverse("accounts:merge", args=[keep.pk]), {"with": gone.pk})
    assert page.status_code == 200
    assert ("contacts", {gone.pk: 1}) in [(str(label), found) for label, found in page.context["linked"]]
    stale = client.post(
        reverse("accounts:merge", args=[keep.pk]),
        {"other": gone.pk, "keep": gone.pk, f"version_{keep.pk}": keep.version - 1},
    )
    assert stale.status_code == 409
    done = client.post(
        reverse("accounts:merge", args=[keep.pk]),
        {
            "other": gone.pk,
            "keep": gone.pk,
            f"version_{keep.pk}": keep.version,
            f"version_{gone.pk}": Account.objects.get(pk=gone.pk).version,
        },
    )
    # The chosen survivor is the second account: the first is archived into it.
    assert done.status_code == 302 and done.url == reverse("accounts:detail", args=[gone.pk])
    assert Account.objects.get(pk=keep.pk).merged_into_id == gone.pk
    old_link = client.get(reverse("accounts:detail", args=[keep.pk]))
    assert old_link.status_code == 302 and old_link.url == reverse("accounts:detail", args=[gone.pk])
    card = client.get(reverse("accounts:detail", args=[gone.pk]))
    assert [a.pk for a in card.context["merged_accounts"]] == [keep.pk]
    # A merged account is not restored: what it had is on the survivor.
    with pytest.raises(ValidationError, match="merged into"):
        services.account_restore(by=org.head, account=Account.objects.get(pk=keep.pk))
    # Someone who sees one of them only does not find the other.
    other = make_account(org.head, org.am_b)
    assert client.get(reverse("accounts:merge", args=[gone.pk]), {"with": other.pk}).status_code == 404
    assert _client(org.auditor).get(reverse("accounts:merge", args=[gone.pk])).status_code == 403


def test_merge_day_is_local(org):
    """The receivables are aged on the local day (timezone.localdate), like the morning rebuild."""
    keep = make_account(org.head, org.am_a)
    gone = make_account(org.head, org.am_a)
    ledger_rows(gone, by=org.head)
    merge.merge_accounts(by=org.head, keep=keep, merged=gone, keep_version=None, merged_version=None)
    receivable = AccountReceivable.objects.get(account=keep)
    assert receivable.as_of == timezone.localdate()
    assert receivable.oldest_due_on == timezone.localdate() + dt.timedelta(days=10)

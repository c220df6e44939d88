"""The demo generator: deterministic, valid tax IDs and phones, the ownership invariant, the story it tells."""

import datetime as dt
import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.db.models import Count, Q

from orbit.accounts.models import (
    Account,
    AccountStatus,
    AccountTeamMember,
    ChangeReason,
    Contact,
    OwnershipPeriod,
    TeamRole,
)
from orbit.accounts.ownership import check_invariant
from orbit.common.validators import inn_is_valid, normalize_phone
from orbit.demo import generator
from orbit.demo.generator import SIZES, reset_database, seed
from orbit.demo.plan import build_plan
from orbit.handoffs.models import OPEN_STATUSES, Handoff, HandoffStep, StepKind
from orbit.org.models import OWNER_ROLES, Role, Team, User

# A fixed day in the past: the data must not depend on when the test runs, and must not be in the future.
TODAY = dt.date(2026, 1, 15)
SEED = 7


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One committed small demo for the module (seeding takes a second or two), emptied afterwards."""
    with django_db_blocker.unblock():
        report = seed(accounts=SIZES["small"], seed=SEED, today=TODAY)
        yield report
        reset_database()


# What the demo writes, by natural keys (INN, username) instead of ids, without automatic stamps.
DIGESTED = (
    (Team, ("name", "parent__name", "lead__username")),
    (User, ("username", "display_name", "position", "email", "is_active", "team__name", "date_joined")),
    (User, ("username", "roles__role")),
    (
        Account,
        (
            "inn", "kpp", "legal_name", "short_name", "industry__code", "region__code", "segment__code", "tier",
            "parent__inn", "status", "status_changed_at", "responsible_manager__username", "created_by__username",
            "created_at", "updated_at", "goals", "strategy", "investment_plans", "financial_indicators",
            "agreed_budget", "budget_currency", "competitors", "switching_barriers", "sort_name", "search_text",
        ),
    ),
    (
        Contact,
        (
            "account__inn", "full_name", "position", "phone", "email", "buying_role", "consent_given",
            "consent_date", "consent_source", "created_by__username",
        ),
    ),
    (
        OwnershipPeriod,
        ("account__inn", "started_at", "ended_at", "manager__username", "reason", "comment", "changed_by__username"),
    ),
    (
        AccountTeamMember,
        ("account__inn", "user__username", "role", "started_at", "ended_at", "note", "added_by__username"),
    ),
    (
        Handoff,
        (
            "account__inn", "from_user__username", "to_user__username", "status", "created_at", "promised",
            "technical_scope", "stakeholders", "risks", "meeting_at", "meeting_outcome",
        ),
    ),
    (HandoffStep, ("handoff__account__inn", "kind", "owner__username", "due_date", "done_at", "position")),
)  # fmt: skip


def digest() -> str:
    rows = [sorted(model.objects.values_list(*fields), key=repr) for model, fields in DIGESTED]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_seed_and_day_give_the_same_data(demo, db):
    first = digest()
    reset_database()
    seed(accounts=SIZES["small"], seed=SEED, today=TODAY)
    assert digest() == first


def test_another_seed_or_day_gives_other_data():
    base = build_plan(accounts=50, seed=SEED, today=TODAY)
    again = build_plan(accounts=50, seed=SEED, today=TODAY)
    other_seed = build_plan(accounts=50, seed=SEED + 1, today=TODAY)
    month_later = build_plan(accounts=50, seed=SEED, today=TODAY + dt.timedelta(days=30))
    names = [a.legal_name for a in base.accounts]
    assert names == [a.legal_name for a in again.accounts]
    assert names != [a.legal_name for a in other_seed.accounts]
    # The same story, moved with the calendar: the demo always looks current.
    assert names == [a.legal_name for a in month_later.accounts]
    assert month_later.departure_day == base.departure_day + dt.timedelta(days=30)


def test_sizes_and_shape(demo, db):
    assert Account.objects.count() == 400
    assert demo.contacts == Contact.objects.count()
    assert 25 <= User.objects.count() <= 30
    assert Team.objects.filter(parent__isnull=False).exists()
    per_account = set(Account.objects.annotate(n=Count("contacts")).values_list("n", flat=True))
    assert per_account <= {1, 2, 3, 4, 5}


def test_every_inn_is_valid_and_unique_among_live_accounts(demo, db):
    rows = list(Account.objects.filter(archived_at__isnull=True).values_list("inn", "kpp"))
    assert len({inn for inn, _kpp in rows}) == len(rows)
    for inn, kpp in rows:
        assert inn_is_valid(inn), inn
        if len(inn) == 12:
            assert kpp == ""  # an entrepreneur has no KPP
        else:
            assert kpp == f"{inn[:4]}01001"
    assert any(len(inn) == 12 for inn, _kpp in rows)


def test_ownership_invariant_holds_for_every_account(demo, db):
    for account in Account.objects.all():
        assert check_invariant(account) == [], account.pk
    owners = User.objects.filter(responsible_accounts__isnull=False).distinct().prefetch_related("roles")
    for owner in owners:
        assert owner.is_active and owner.has_role(*OWNER_ROLES), owner.username
    served = Account.objects.exclude(status=AccountStatus.PROSPECT)
    assert not served.filter(responsible_manager__isnull=True).exists()
    assert not OwnershipPeriod.objects.filter(changed_by__isnull=True).exists()


def test_histories_span_years_with_reassignments(demo, db):
    oldest = OwnershipPeriod.objects.order_by("started_at").first().started_at.date()
    assert (TODAY - oldest).days > 5 * 365
    assert not OwnershipPeriod.objects.filter(started_at__date__gte=TODAY).exists()
    reasons = set(OwnershipPeriod.objects.values_list("reason", flat=True))
    assert {
        ChangeReason.HANDOFF,
        ChangeReason.VACATION,
        ChangeReason.OVERLOAD,
        ChangeReason.DEPARTURE,
    } <= reasons


def test_accounts_in_every_status(demo, db):
    assert set(Account.objects.values_list("status", flat=True)) == set(AccountStatus.values)


def test_prospects_belong_to_sales_managers(demo, db):
    prospects = Account.objects.filter(status=AccountStatus.PROSPECT)
    assert not prospects.exclude(created_by__roles__role=Role.SALES_MANAGER).exists()
    assert prospects.filter(responsible_manager__isnull=True).exists()


def test_holdings_have_subsidiaries_one_two_levels_deep(demo, db):
    parents = Account.objects.filter(parent__isnull=True).annotate(n=Count("subsidiaries")).filter(n__gt=0)
    assert 15 <= parents.count() <= 30
    assert all(2 <= p.n <= 8 for p in parents)
    subsidiaries = Account.objects.filter(parent__isnull=False).count()
    assert 0.08 <= subsidiaries / 400 <= 0.10
    assert Account.objects.filter(parent__parent__isnull=False).exists()


def test_departed_manager_keeps_only_closed_periods(demo, db):
    departed = User.objects.get(is_active=False)
    periods = OwnershipPeriod.objects.filter(manager=departed)
    assert periods.exists()
    assert not periods.filter(ended_at__isnull=True).exists()
    for period in periods:
        successor = OwnershipPeriod.objects.get(account=period.account, started_at=period.ended_at)
        assert successor.reason == ChangeReason.DEPARTURE
        assert successor.manager.team_id == departed.team_id  # his colleagues took his clients
    assert not Account.objects.filter(responsible_manager=departed).exists()


def test_contacts_have_valid_phones_and_dated_consent(demo, db):
    for phone in Contact.objects.exclude(phone="").values_list("phone", flat=True):
        assert normalize_phone(phone) == phone
    consented = Contact.objects.filter(consent_given=True)
    assert consented.count() > Contact.objects.count() * 0.7
    assert not consented.filter(Q(consent_date__isnull=True) | Q(consent_date__gt=TODAY)).exists()
    assert Contact.objects.filter(email__endswith=".ru").exists()


def test_key_and_a_accounts_have_a_strategic_profile(demo, db):
    strategic = Account.objects.filter(tier__in=["key", "A"]).exclude(status=AccountStatus.PROSPECT)
    assert strategic.exists()
    assert not strategic.filter(Q(goals="") | Q(agreed_budget__isnull=True) | Q(competitors="")).exists()


def test_clients_just_won_have_an_open_handoff_from_their_hunter(demo, db):
    won = Account.objects.filter(status=AccountStatus.HANDOFF).select_related("responsible_manager")
    assert won.exists()
    for account in won:
        handoff = Handoff.objects.get(account=account, status__in=OPEN_STATUSES)
        assert handoff.from_user == account.responsible_manager
        assert handoff.from_user.has_role(Role.SALES_MANAGER)
        assert handoff.to_user.has_role(Role.ACCOUNT_MANAGER, Role.KEY_ACCOUNT_MANAGER)
        assert handoff.steps.count() == 4
        assert not handoff.steps.filter(kind=StepKind.ACCEPTANCE, done_at__isnull=False).exists()
    assert Handoff.objects.filter(status__in=OPEN_STATUSES).count() == won.count()


def test_account_teams_show_hunters_and_project_managers(demo, db):
    hunters = AccountTeamMember.objects.filter(role=TeamRole.SALES_MANAGER)
    assert hunters.exists()
    assert not hunters.exclude(user__roles__role=Role.SALES_MANAGER).exists()
    assert AccountTeamMember.objects.filter(role=TeamRole.PROJECT_MANAGER, user__username="pm1").exists()


def test_if_empty_leaves_a_database_with_users_alone(demo, db, capsys):
    before = (User.objects.count(), Account.objects.count(), OwnershipPeriod.objects.count())
    call_command("demo", "seed", "--if-empty")
    assert (User.objects.count(), Account.objects.count(), OwnershipPeriod.objects.count()) == before
    out = capsys.readouterr().out
    assert "orbit-demo" in out and "head" in out and "Ирина Соколова" in out


def test_refuses_to_seed_over_existing_users(demo, db):
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", "seed")


def test_reset_empties_and_seeds_again(demo, db, capsys):
    Account.objects.filter(status=AccountStatus.PROSPECT, responsible_manager__isnull=True).update(
        legal_name="changed"
    )
    call_command("demo", "seed", "--reset", "--seed", "3")
    assert Account.objects.count() == 400
    assert not Account.objects.filter(legal_name="changed").exists()
    assert "http://127.0.0.1:8000/" in capsys.readouterr().out


def test_postgres_refuses_a_broken_ownership_history(demo, db, postgres_only, monkeypatch):
    """The generator writes periods in bulk; PostgreSQL's invariant trigger must still see every account."""

    def broken_plan(**kwargs):
        plan = original(**kwargs)
        account = next(a for a in plan.accounts if len(a.periods) > 1)
        account.periods[-1].ended_at = account.periods[-1].started_at + dt.timedelta(days=1)
        return plan

    original = generator.build_plan
    monkeypatch.setattr(generator, "build_plan", broken_plan)
    reset_database()
    with pytest.raises(IntegrityError, match="open ownership period"):
        seed(accounts=SIZES["small"], seed=SEED, today=TODAY)

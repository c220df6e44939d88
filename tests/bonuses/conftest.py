import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from orbit.bonuses import rules
from orbit.handoffs.models import Handoff, HandoffKind, HandoffStatus
from tests.revenue.conftest import build_shop

D = Decimal


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def am_rule(**overrides) -> dict:
    """The account managers' rule of the tests: 10 000 fixed, 5 % of paid revenue on every kind of sale."""
    rule = {"fixed": "10000", "base": "revenue", "percent_new": "5", "percent_repeat": "5"}
    rule.update(overrides)
    return rule


SALES_RULE = {"fixed": "0", "base": "revenue", "percent_new": "10", "percent_repeat": "10"}


def save_version(by, valid_from="2026-01", *, am=None, sales=None, **kwargs):
    return rules.version_save(
        by=by,
        valid_from=valid_from,
        rules={"account_manager": am or am_rule(), "sales_manager": sales or SALES_RULE},
        **{"hunter_months": 2, "hunter_share": 40, **kwargs},
    )


def hand_over(account, hunter, farmer, decided_at: dt.datetime, by) -> Handoff:
    return Handoff.objects.create(
        account=account,
        kind=HandoffKind.FROM_SALES,
        from_user=hunter,
        to_user=farmer,
        status=HandoffStatus.COMPLETED,
        previous_account_status=account.status,
        decided_at=decided_at,
        created_by=by,
    )


@pytest.fixture
def world(org):
    shop = build_shop(org)
    return SimpleNamespace(org=org, shop=shop, account=shop.account)

"""The opportunity services' rules: defaults, bad input as field errors with nothing saved, stage moves
(required steps, other pipelines, lost with a reason, reopening, won is final), conflicts, and the move of
open opportunities with their account's responsibility."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from orbit.accounts import ownership
from orbit.common.errors import ConflictError
from orbit.growth.models import Opportunity, OpportunityStageChange
from orbit.growth.opportunities import opportunity_create, opportunity_move, opportunity_update
from orbit.notifications.models import Notification
from tests.factories import make_account

D = Decimal


def _new(org, account, **kw):
    fields = {
        "by": org.am_a,
        "account": account,
        "kind": "upsell",
        "title": "Second line of service",
        "amount": D("120000.00"),
        "expected_close_on": timezone.localdate() + dt.timedelta(days=30),
    }
    return opportunity_create(**(fields | kw))


@pytest.fixture
def account(org):
    return make_account(org.head, org.am_a)


def test_defaults_pipeline_stage_probability_owner_and_history(org, stages, account):
    opp = _new(org, account, by=org.lead_a)
    assert opp.pipeline.code == "account_growth" and opp.stage == stages["account_growth"]["identified"]
    assert opp.probability == 10 and opp.status == "open"
    assert opp.owner == org.am_a  # the account's responsible manager, not the lead who typed it
    assert opp.amount_base == D("120000.00") and opp.weighted_base == D("12000.00")
    assert list(opp.stage_changes.values_list("from_stage", "to_stage")) == [(None, opp.stage_id)]
    assert Notification.objects.filter(recipient=org.am_a, kind="opportunity_assigned").count() == 1
    hunter = _new(org, account, by=org.am_a, kind="new")
    assert hunter.pipeline.code == "new_business" and hunter.owner == org.am_a


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", D("-1")),
        ("amount", D("0.001")),
        ("probability", 101),
        ("probability", -5),
        ("expected_close_on", dt.date(2020, 1, 1)),
        ("title", "   "),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(org, stages, account, field, value):
    with pytest.raises(ValidationError) as caught:
        _new(org, account, **{field: value})
    assert field in caught.value.message_dict
    assert not Opportunity.objects.exists() and not OpportunityStageChange.objects.exists()


def test_errors_are_in_russian_for_a_russian_user(org, stages, account):
    with translation.override("ru"), pytest.raises(ValidationError) as caught:
        _new(org, account, amount=D("-5"))
    assert caught.value.message_dict["amount"] == ["Сумма не может быть отрицательной."]


def test_a_required_stage_cannot_be_skipped_going_forward_but_back_is_free(
    org, stages, account, price_reason
):
    growth = stages["account_growth"]
    opp = _new(org, account)
    with pytest.raises(ValidationError) as caught:  # identified -> proposal skips "confirmed by the client"
        opportunity_move(by=org.am_a, opportunity=opp, stage=growth["proposal"])
    assert "cannot be skipped" in caught.value.message_dict["stage"][0]
    with pytest.raises(ValidationError):  # nor straight to won
        opportunity_move(by=org.am_a, opportunity=opp, stage=growth["won"])
    opp = opportunity_move(by=org.am_a, opportunity=opp, stage=growth["qualified"])
    opp = opportunity_move(by=org.am_a, opportunity=opp, stage=growth["proposal"])
    assert opp.probability == 60
    opp = opportunity_move(by=org.am_a, opportunity=opp, stage=growth["identified"])  # back: allowed
    opp = opportunity_move(by=org.am_a, opportunity=opp, stage=growth["commitment"])  # passed both already
    assert opp.probability == 80 and opp.stage_changes.count() == 5


def test_a_stage_of_another_pipeline_is_refused(org, stages, account):
    opp = _new(org, account)
    with pytest.raises(ValidationError) as caught:
        opportunity_move(by=org.am_a, opportunity=opp, stage=stages["new_business"]["needs"])
    assert "another pipeline" in caught.value.message_dict["stage"][0]
    opp.refresh_from_db()
    assert opp.stage == stages["account_growth"]["identified"] and opp.version == 1


def test_lost_needs_a_reason_can_be_reopened_and_won_is_final(org, stages, account, price_reason):
    growth = stages["account_growth"]
    opp = _new(org, account)
    with pytest.raises(ValidationError) as caught:
        opportunity_move(by=org.am_a, opportunity=opp, stage=growth["lost"])
    assert "lost_reason" in caught.value.message_dict
    opp = opportunity_move(by=org.am_a, opportunity=opp, stage=growth["lost"], lost_reason=price_reason)
    assert (opp.status, opp.closed_on, opp.probability) == ("lost", timezone.localdate(), 0)
    opp = opportunity_move(by=org.am_a, opportunity=opp, stage=growth["qualified"])  # reopened
    assert (opp.status, opp.closed_on, opp.lost_reason) == ("open", None, None)
    for code in ("proposal", "won"):
        opp = opportunity_move(by=org.am_a, opportunity=opp, stage=growth[code])
    assert opp.status == "won"
    with pytest.raises(ValidationError):
        opportunity_move(by=org.am_a, opportunity=opp, stage=growth["commitment"])
    with pytest.raises(ValidationError):
        opportunity_update(by=org.am_a, opportunity=opp, version=opp.version, amount=D("1"))


def test_a_double_drop_on_the_same_stage_writes_nothing(org, stages, account):
    opp = _new(org, account)
    again = opportunity_move(by=org.am_a, opportunity=opp, stage=opp.stage)
    assert again.version == 1 and opp.stage_changes.count() == 1


def test_a_stale_version_is_a_conflict(org, stages, account):
    opp = _new(org, account)
    opportunity_update(by=org.am_a, opportunity=opp, version=1, amount=D("5"))
    with pytest.raises(ConflictError):
        opportunity_update(by=org.am_a, opportunity=opp, version=1, amount=D("7"))
    with pytest.raises(ConflictError):
        opportunity_move(by=org.am_a, opportunity=opp, version=1, stage=stages["account_growth"]["qualified"])
    opp.refresh_from_db()
    assert opp.amount == D("5") and opp.version == 2


def test_currency_converts_at_the_rate_of_the_day(org, stages, account):
    from orbit.revenue.models import CurrencyRate

    CurrencyRate.objects.create(currency="USD", day=timezone.localdate(), rate=D("80.123456"))
    opp = _new(org, account, amount=D("1000.00"), currency="USD")
    # 1000 × 80.123456 = 80123.456 -> 80123.46 (half up)
    assert opp.amount_base == D("80123.46") and opp.rate == D("80.123456")


def test_only_those_who_work_the_account_may_sell_on_it(org, stages, account):
    for person in (org.am_b, org.auditor, org.outsider):
        with pytest.raises(PermissionDenied):
            _new(org, account, by=person)
    assert not Opportunity.objects.exists()


def test_open_opportunities_move_with_the_account_closed_ones_stay(org, stages, account, price_reason):
    growth = stages["account_growth"]
    open_one = _new(org, account)
    lost_one = opportunity_move(
        by=org.am_a, opportunity=_new(org, account), stage=growth["lost"], lost_reason=price_reason
    )
    ownership.transfer(account=account, manager=org.am_a1, by=org.head, reason="reassignment")
    open_one.refresh_from_db()
    lost_one.refresh_from_db()
    assert open_one.owner == org.am_a1 and open_one.version == 2
    assert lost_one.owner == org.am_a

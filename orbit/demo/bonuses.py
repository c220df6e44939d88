"""The demo's bonus rules and a closed month: one rule version in force for the last twelve months (a rule per
role), the previous month closed by the head (its statements stored), the current month provisional. The
figures are Orbit's demo defaults, not advice."""

import datetime as dt

from orbit.bonuses import closing, rules
from orbit.bonuses.models import MonthClose, RuleVersion
from orbit.growth.plans import previous_month
from orbit.org.models import User


def _rule(fixed: str, **percents: str) -> dict:
    rule = {
        "fixed": fixed,
        "base": "revenue",
        "threshold_percent": "50",
        "accelerator": "1.5",
        "cap_percent": "200",
    }
    rule.update({f"percent_{kind}": value for kind, value in percents.items()})
    return rule


RULES = {
    "account_manager": _rule(
        "60000", new="5", upsell="4", cross_sell="4", renewal="2", project="3", reactivation="5", repeat="2"
    ),
    "key_account_manager": _rule(
        "80000", new="4", upsell="3", cross_sell="3", renewal="2", project="3", reactivation="4", repeat="1.5"
    ),
    "sales_manager": _rule("50000", new="8", upsell="2", cross_sell="2", project="4", reactivation="6"),
    "team_lead": _rule(
        "90000",
        new="1",
        upsell="1",
        cross_sell="1",
        renewal="0.5",
        project="1",
        reactivation="1",
        repeat="0.5",
    ),
}


def write_bonuses(*, today: dt.date) -> dict[str, int]:
    head = User.objects.filter(username="head").first()
    if head is None:
        return {"versions": 0, "closed": 0}
    start = today.replace(day=1)
    for _n in range(11):
        start = previous_month(start)
    if not RuleVersion.objects.exists():
        rules.version_save(
            by=head,
            valid_from=start,
            rules=RULES,
            hunter_months=3,
            hunter_share=50,
            note="Демо: схема премирования отдела",
        )
    closing.month_close(by=head, month=previous_month(today.replace(day=1)), today=today)
    return {"versions": RuleVersion.objects.count(), "closed": MonthClose.objects.count()}

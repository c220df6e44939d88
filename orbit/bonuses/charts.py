"""The bonus breakdown chart of a statement: the fixed part, the variable part by kind of sale, and the
accelerator, threshold, caps and clawbacks, each a bar (orbit/common/charts.py)."""

from django.utils.translation import gettext as _

from orbit.bonuses.statements import LINE_KINDS, Statement
from orbit.common.charts import Chart, Series
from orbit.growth.sale_kinds import SaleKind


def breakdown_chart(statement: Statement, currency: str) -> Chart:
    categories, values = [], []
    if statement.fixed:
        categories.append(str(LINE_KINDS["fixed"]))
        values.append(statement.fixed)
    for kind, amount in statement.by_sale_kind().items():
        categories.append(str(SaleKind(kind).label) if kind in SaleKind.values else _("Other"))
        values.append(amount)
    for kind in ("accelerator", "threshold", "cap", "cap_amount", "clawback"):
        amount = statement.sum_of(kind)
        if amount:
            categories.append(str(LINE_KINDS[kind]))
            values.append(amount)
    return Chart(
        title=_("Bonus breakdown"),
        categories=categories,
        series=[Series(_("Amount"), values)],
        currency=currency,
    )

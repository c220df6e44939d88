"""Bonus statements for payroll and reports. People-scoped like the pages: a manager reads his own statement, a
lead his people's, the head everyone's; another person's id answers 404, as if there were none."""

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router

from orbit.api.bonuses_schemas import StatementOut, StatementsOut, StatementsQuery
from orbit.api.schemas import ErrorOut, Id
from orbit.bonuses import statements
from orbit.revenue.rates import base_currency

router = Router()


def _line(line) -> dict:
    return {
        "kind": line.kind,
        "account_id": line.account_id,
        "account": line.account_name,
        "invoice_id": line.invoice_id,
        "invoice": line.invoice_number,
        "payment_id": line.payment_id,
        "received_on": line.received_on,
        "allocation_id": line.allocation_id,
        "allocation_amount": line.allocation_amount,
        "sale_kind": line.sale_kind,
        "share": line.share,
        "base": line.base,
        "rate": line.rate,
        "amount": line.amount,
        "rule_version_id": line.rule_version_id,
        "note": line.note,
    }


def statement_json(statement, currency: str, *, lines: bool) -> dict:
    return {
        "month": statement.month,
        "person_id": statement.person_id,
        "person": statement.person_name,
        "role": statement.role,
        "status": "closed" if statement.closed else "provisional",
        "rules_from": statement.rule_label,
        "base": statement.base,
        "plan": statement.plan,
        "fact": statement.fact,
        "fixed": statement.fixed,
        "variable": statement.variable,
        "total": statement.total,
        "currency": currency,
        "lines": [_line(x) for x in statement.lines] if lines else None,
    }


def _month(filters):
    return filters.month or timezone.localdate().replace(day=1)


@router.get(
    "/bonuses/statements", response={200: StatementsOut, 401: ErrorOut, 422: ErrorOut}, tags=["bonuses"]
)
def statements_list(request, filters: Query[StatementsQuery]):
    """The month's statements of the people the caller may see (totals, without lines)."""
    month = _month(filters)
    found = statements.statements_for(request.auth, month)
    currency = base_currency()
    closed = month in statements.closes()
    return {
        "month": month,
        "status": "closed" if closed else "provisional",
        "currency": currency,
        "count": len(found),
        "items": [statement_json(s, currency, lines=False) for s in found],
    }


@router.get(
    "/bonuses/statements/{person_id}",
    response={200: StatementOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    tags=["bonuses"],
)
def statement_read(request, person_id: Id, filters: Query[StatementsQuery]):
    """One person's statement of the month with every line; 404 for a person the caller may not see."""
    statement = statements.statement_for(request.auth, person_id, _month(filters))
    if statement is None:
        raise Http404
    return statement_json(statement, base_currency(), lines=True)

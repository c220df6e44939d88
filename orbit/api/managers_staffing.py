"""The org model for integrations and reports: the hybrids' time split per month and, with salaries given, the
hunter-or-farmer what-if (docs/managers-staffing.md). People-scoped like plan vs fact: the head every hybrid, a
lead his people, a seller himself; salaries are never stored. A zero capacity or a negative salary is 422 at
its field."""

from ninja import Query, Router

from orbit.api.managers_staffing_schemas import OrgModelOut, OrgModelQuery
from orbit.api.schemas import ErrorOut
from orbit.staffing import what_if

router = Router()


def _months(months) -> list[dict]:
    return [
        {
            "month": m.month,
            "hunting_minutes": m.hunting_minutes,
            "serving_minutes": m.serving_minutes,
            "hunting_share": m.share,
        }
        for m in months
    ]


@router.get(
    "/managers/org-model", response={200: OrgModelOut, 401: ErrorOut, 422: ErrorOut}, tags=["managers"]
)
def org_model_read(request, filters: Query[OrgModelQuery]):
    """The hybrids' hunting and serving minutes per month over the 12 complete months before this one, and the
    what-if of split roles when both salaries are given."""
    split, observed = what_if.org_model(request.auth)
    result = None
    if filters.hunter_salary is not None and filters.farmer_salary is not None:
        capacity = filters.farmer_capacity
        inputs = what_if.Inputs(
            hunter_salary=filters.hunter_salary,
            farmer_salary=filters.farmer_salary,
            farmer_capacity=what_if.default_capacity(split) if capacity is None else capacity,
        )
        figures = what_if.compute(observed, inputs)
        result = {
            "hunter_salary": inputs.hunter_salary,
            "farmer_salary": inputs.farmer_salary,
            "farmer_capacity": inputs.farmer_capacity,
            "serving_hours_a_month": figures.serving_per_month,
            "hunting_hours_a_month": figures.hunting_per_month,
            "hunting_hours_freed": figures.hours_freed,
            "farmers_needed": figures.farmers,
            "revenue_per_hunting_hour": figures.revenue_per_hunting_hour,
            "expected_new_business_revenue": figures.expected_revenue,
            "payroll_now": figures.payroll_now,
            "payroll_split": figures.payroll_split,
            "added_payroll": figures.added_payroll,
            "balance": figures.balance,
        }
    return {
        "first_month": split.months[0],
        "last_month": split.months[-1],
        "new_business_months": split.new_business_months,
        "hybrids": [
            {"id": p.person.pk, "name": str(p.person), "months": _months(p.months), "drift": p.drift}
            for p in split.people
        ],
        "months_with_hours": observed.months,
        "hunting_minutes": observed.hunting_minutes,
        "serving_minutes": observed.serving_minutes,
        "new_business_revenue": observed.new_business_revenue,
        "drift": split.drift,
        "what_if": result,
    }

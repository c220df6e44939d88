"""The kind of sale of an invoice: new business, upsell, cross-sell, renewal, a project, a reactivation, or the
repeat (base) business. The managers' figures split revenue by it and the bonus rules pay percentages by it.

1. An order may name the won opportunity it fulfils (`Order.opportunity`): its invoices have that
   opportunity's kind, or PROJECT when the opportunity has a project.
2. Otherwise an invoice issued in the account's first ORBIT_NEW_BUSINESS_MONTHS calendar months of buying (the
   month of its first invoice is the first; Orbit's default 3) is NEW business.
3. Otherwise REPEAT.
A credit note has the kind of the invoice it corrects (it takes back that sale).

One SQL CASE for any queryset with a path to an invoice: `.annotate(sale_kind=sale_kind_of("invoice__"))`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, ExpressionWrapper, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from orbit.growth.models import OpportunityKind, Project
from orbit.revenue.models import Invoice, InvoiceKind


class SaleKind(models.TextChoices):
    NEW = OpportunityKind.NEW_BUSINESS.value, _("New business")
    UPSELL = OpportunityKind.UPSELL.value, _("Upsell")
    CROSS_SELL = OpportunityKind.CROSS_SELL.value, _("Cross-sell")
    RENEWAL = OpportunityKind.RENEWAL.value, _("Renewal")
    REACTIVATION = OpportunityKind.REACTIVATION.value, _("Reactivation")
    PROJECT = "project", _("Project")
    REPEAT = "repeat", _("Repeat business")


def _month_number(day) -> ExpressionWrapper:
    return ExpressionWrapper(ExtractYear(day) * 12 + ExtractMonth(day), output_field=models.IntegerField())


def sale_kind_of(path: str = "") -> Case:
    """The sale kind of the invoice at `path` ("" on Invoice itself, "invoice__" from a line or an allocation)."""
    first_invoice = Subquery(
        Invoice.objects.filter(account_id=OuterRef(f"{path}account_id"), kind=InvoiceKind.INVOICE)
        .order_by("issued_on")
        .values("issued_on")[:1]
    )
    # A credit note is dated by the invoice it corrects, so it falls in the same months of buying.
    issued = Coalesce(F(f"{path}corrects__issued_on"), F(f"{path}issued_on"))
    months_in = _month_number(issued) - _month_number(first_invoice)
    fulfils = [
        f"{path}corrects__order__opportunity",
        f"{path}order__opportunity",
    ]  # a credit note's, an invoice's
    return Case(
        *(
            When(
                Exists(Project.objects.filter(opportunity_id=OuterRef(f"{o}_id"))),
                then=Value(SaleKind.PROJECT),
            )
            for o in fulfils
        ),
        *(When(**{f"{o}__isnull": False}, then=F(f"{o}__kind")) for o in fulfils),
        When(LessThan(months_in, settings.ORBIT_NEW_BUSINESS_MONTHS), then=Value(SaleKind.NEW)),
        default=Value(SaleKind.REPEAT),
        output_field=models.CharField(),
    )

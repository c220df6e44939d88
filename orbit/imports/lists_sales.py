"""The pipeline, the invoices and the analytics accounts table as lists to take out, each read by its page's
selector with the page's filters and sort."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.analytics import selectors as analytics_selectors
from orbit.analytics.views_dashboard import metrics_filters
from orbit.growth import pipeline
from orbit.growth.views_pipeline import list_filters as opportunity_filters
from orbit.imports.exporting import Column, ListExport
from orbit.imports.lists_work import account_columns
from orbit.revenue import selectors as revenue_selectors
from orbit.revenue.models import InvoiceLine
from orbit.revenue.views import invoice_filters

OPPORTUNITY_COLUMNS = [
    Column(_("opportunity title"), lambda o: o.title),
    Column(_("kind"), lambda o: o.get_kind_display()),
    *account_columns(),
    Column(_("pipeline"), lambda o: str(o.pipeline)),
    Column(_("stage"), lambda o: str(o.stage)),
    Column(_("status"), lambda o: o.get_status_display()),
    Column(_("owner"), lambda o: o.owner.display_name),
    Column(_("expected close date"), lambda o: o.expected_close_on),
    Column(_("amount"), lambda o: o.amount),
    Column(_("currency"), lambda o: o.currency),
    Column(_("amount, base currency"), lambda o: o.amount_base),
    Column(_("probability, %"), lambda o: o.probability),
    Column(_("weighted amount, base currency"), lambda o: pipeline.weighted(o.weighted_x100)),
    Column(_("next step"), lambda o: o.next_step),
    Column(_("next step date"), lambda o: o.next_step_on),
]


def opportunities(user, params):
    return pipeline.opportunity_list(user, opportunity_filters(params))


def _vat_rate(line: InvoiceLine):
    """The line's percent; "without VAT" for a line with none (not 0: a zero rate is another category)."""
    return line.get_vat_category_display() if line.vat_percent is None else line.vat_percent


# One row per line, each with its invoice's number, date and account INN: what an invoice import groups back
# into invoices (a credit note's lines say which invoice it corrects).
INVOICE_LINE_COLUMNS = [
    Column(_("invoice number"), lambda line: line.invoice.number),
    Column(_("document"), lambda line: line.invoice.get_kind_display()),
    Column(_("invoice date"), lambda line: line.invoice.issued_on),
    Column(_("payment due"), lambda line: line.invoice.due_on),
    Column(
        _("corrects invoice"), lambda line: line.invoice.corrects.number if line.invoice.corrects_id else ""
    ),
    *account_columns(),
    Column(_("currency"), lambda line: line.invoice.currency),
    Column(
        _("manager on the date"),
        lambda line: line.invoice.manager.display_name if line.invoice.manager_id else "",
    ),
    Column(_("article"), lambda line: line.product.sku if line.product_id else ""),
    Column(_("description"), lambda line: line.description or (line.product.name if line.product_id else "")),
    Column(_("quantity"), lambda line: line.quantity),
    Column(_("price"), lambda line: line.unit_price),
    Column(_("discount, %"), lambda line: line.discount_percent),
    # "VAT rate" and "VAT amount", not "VAT, %" and "VAT": headers are compared without punctuation, and the
    # invoices import reads a bare "VAT" ("НДС", as 1C writes it) as the amount.
    Column(_("VAT rate, %"), lambda line: _vat_rate(line)),
    Column(_("net amount"), lambda line: line.net_amount),
    Column(_("VAT amount"), lambda line: line.vat_amount),
    Column(_("total"), lambda line: line.total_amount),
    Column(_("external id"), lambda line: line.invoice.external_id),
]


def invoice_lines(user, params):
    """The lines of the invoices the invoices page lists with these filters, in the page's order."""
    shown = revenue_selectors.invoice_list(user, invoice_filters(params), today=timezone.localdate()).values(
        "pk"
    )
    return (
        InvoiceLine.objects.visible_to(user)
        .filter(invoice__in=shown)
        .select_related("invoice__corrects", "invoice__manager", "account", "product")
        .order_by("-invoice__issued_on", "-invoice_id", "id")
    )


ANALYTICS_COLUMNS = [
    *account_columns(),
    Column(
        _("responsible manager"),
        lambda m: m.account.responsible_manager.display_name if m.account.responsible_manager_id else "",
    ),
    Column("ABC", lambda m: m.abc),
    Column("XYZ", lambda m: m.xyz),
    Column(_("RFM segment"), lambda m: m.get_rfm_segment_display()),
    Column("R", lambda m: m.recency),
    Column("F", lambda m: m.frequency),
    Column("M", lambda m: m.monetary),
    Column(_("revenue in the window"), lambda m: m.window_revenue),
    Column(_("margin in the window"), lambda m: m.window_margin),
    Column(_("last purchase"), lambda m: m.last_purchase_on),
    Column(_("dormant"), lambda m: _("yes") if m.is_dormant else _("no")),
    Column(_("probability alive, %"), lambda m: None if m.p_alive is None else round(m.p_alive * 100, 1)),
    Column(_("predicted LTV (discounted revenue)"), lambda m: m.clv),
    Column(_("margin to date"), lambda m: m.margin_to_date),
]


def analytics_accounts(user, params):
    sort = params.get("sort", "")
    sort = sort if sort in analytics_selectors.SORTS else analytics_selectors.DEFAULT_SORT
    return analytics_selectors.metrics_list(user, metrics_filters(params), sort)


EXPORTS = (
    ListExport("opportunities", _("opportunities"), OPPORTUNITY_COLUMNS, opportunities),
    ListExport("invoice_lines", _("invoice lines"), INVOICE_LINE_COLUMNS, invoice_lines),
    ListExport("analytics", _("client analytics"), ANALYTICS_COLUMNS, analytics_accounts),
)

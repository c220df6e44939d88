"""The managers' KPI table and the month's bonus statements as lists to take out: people-scoped figures, the
rows of the people the reader may see, computed by the same functions as their pages."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.bonuses import statements
from orbit.bonuses.forms import MonthForm
from orbit.common.params import int_param
from orbit.imports.exporting import Column, ListExport
from orbit.kpi import periods
from orbit.kpi.portfolio import kpi_page

KPI_COLUMNS = [
    Column(_("row"), lambda r: _("team") if r.kind == "team" else _("manager")),
    Column(_("name"), lambda r: r.name),
    Column(_("team"), lambda r: r.team_name),
    Column(_("plan"), lambda r: r.plan_revenue),
    Column(_("invoiced"), lambda r: r.invoiced),
    Column(_("paid"), lambda r: r.paid),
    Column(_("paid vs plan, %"), lambda r: r.on_paid.percent),
    Column(_("margin"), lambda r: r.margin),
    Column(_("hours"), lambda r: r.hours),
    Column(_("margin per hour"), lambda r: r.margin_per_hour),
    Column(
        _("peers' median margin per hour"),
        lambda r: r.peer_margin_per_hour.median if r.peer_margin_per_hour else None,
    ),
    Column(_("SLA, %"), lambda r: r.sla_resolution.percent),
    Column(_("cadence, %"), lambda r: r.cadence.percent),
    Column(_("share of wallet, %"), lambda r: r.wallet_percent),
    Column(_("accounts"), lambda r: r.accounts),
]


def kpi_rows(user, params):
    """The KPI page's tables: the teams, then the people, for the page's period (this month by default)."""
    today = timezone.localdate()
    period = periods.parse(params.get("period"), today) or periods.of(periods.MONTH, today)
    page = kpi_page(user, period, team=int_param(params.get("team")), stored=True)
    return [*page.teams, *page.people]


STATEMENT_COLUMNS = [
    Column(_("person"), lambda s: s.person_name),
    Column(_("team"), lambda s: s.team_name),
    Column(_("role"), lambda s: s.role_label),
    Column(_("month"), lambda s: s.month),
    Column(_("status"), lambda s: _("closed") if s.closed else _("provisional")),
    Column(_("plan"), lambda s: s.plan),
    Column(_("fact (bonus base)"), lambda s: s.fact),
    Column(_("fact vs plan, %"), lambda s: s.attainment),
    Column(_("fixed part"), lambda s: s.fixed),
    Column(_("variable part"), lambda s: s.variable),
    Column(_("total"), lambda s: s.total),
]


def bonus_statements(user, params):
    """The statements page's rows for its month (this month by default): each one's own XLSX stays on its page."""
    return statements.statements_for(user, MonthForm(params or None).chosen_month())


EXPORTS = (
    ListExport("kpi", _("KPI"), KPI_COLUMNS, kpi_rows),
    ListExport("bonus_statements", _("bonus statements"), STATEMENT_COLUMNS, bonus_statements),
)

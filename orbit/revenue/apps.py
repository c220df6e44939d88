from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RevenueConfig(AppConfig):
    name = "orbit.revenue"
    label = "revenue"
    verbose_name = _("Revenue")

    def ready(self):
        # Plug into the accounts and activities areas: running contracts and open orders move with
        # responsibility (their movers register on import); their deadlines go on the manager's day and feed.
        from orbit.activities import deadlines
        from orbit.revenue import contracts, orders  # noqa: F401
        from orbit.revenue.deadlines import contract_deadlines, late_deliveries

        deadlines.register(contract_deadlines)
        deadlines.register(late_deliveries)

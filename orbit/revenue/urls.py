"""The revenue area's pages, mounted at /revenue/. (The money_ui branch owns this file; until it is merged it
includes only the contracts and orders pages.)"""

from orbit.revenue import urls_deals

app_name = "revenue"

urlpatterns = [*urls_deals.urlpatterns]

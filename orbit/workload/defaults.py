"""Orbit's own defaults for the workload area (not from the seeds; each can be set in settings).

Used where the department's history is too thin to say, and as thresholds of the page. docs/managers-workload.md
lists them.
"""

from decimal import Decimal

from django.conf import settings

# Fewer done touches (or handled requests) of a tier than this in the last 12 complete months: too thin to
# average, Orbit's default figure is used instead.
MIN_HISTORY = getattr(settings, "ORBIT_WORKLOAD_MIN_HISTORY", 30)
# Minutes of one touch, requests per account a month, minutes per request, by tier.
TOUCH_MINUTES = getattr(
    settings,
    "ORBIT_WORKLOAD_TOUCH_MINUTES",
    {"key": Decimal(60), "A": Decimal(45), "B": Decimal(30), "C": Decimal(20)},
)
REQUESTS_PER_MONTH = getattr(
    settings,
    "ORBIT_WORKLOAD_REQUESTS_PER_MONTH",
    {"key": Decimal(4), "A": Decimal(2), "B": Decimal(1), "C": Decimal("0.5")},
)
REQUEST_MINUTES = getattr(
    settings,
    "ORBIT_WORKLOAD_REQUEST_MINUTES",
    {"key": Decimal(60), "A": Decimal(45), "B": Decimal(30), "C": Decimal(30)},
)
# Days in a month when a cadence of N days becomes touches a month (30 / N).
DAYS_PER_MONTH = Decimal(30)
# Below this load a person is underloaded (percent of capacity).
UNDERLOAD_PERCENT = Decimal(getattr(settings, "ORBIT_WORKLOAD_UNDERLOAD_PERCENT", 60))
# The share of a hybrid hunter-farmer's capacity kept for hunting unless set per person.
HUNTING_PERCENT = getattr(settings, "ORBIT_WORKLOAD_HUNTING_PERCENT", 40)
# Months of the "over time" chart.
HISTORY_MONTHS = 12

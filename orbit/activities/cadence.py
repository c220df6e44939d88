"""Which cadence rule applies to an account: the most specific active rule whose criteria all match."""

from orbit.activities.models import CadencePolicy

# Orbit's own default rhythm (not taken from the seeds; the head changes it in Settings): key accounts every
# two weeks, tier A monthly, B every two months, C quarterly.
DEFAULT_DAYS = {"key": 14, "A": 30, "B": 60, "C": 90}


def ensure_defaults() -> None:
    """The default rules when there are none at all (a fresh or flushed database); never overrides the head's."""
    if not CadencePolicy.objects.exists():
        CadencePolicy.objects.bulk_create(
            CadencePolicy(tier=t, interval_days=d) for t, d in DEFAULT_DAYS.items()
        )


def policies() -> list[CadencePolicy]:
    """The active rules, most specific first (a handful of rows: read once per request or batch)."""
    rules = list(CadencePolicy.objects.filter(is_active=True))
    return sorted(rules, key=lambda rule: (-rule.specificity, rule.interval_days))


def matches(rule: CadencePolicy, account) -> bool:
    return (
        (not rule.tier or rule.tier == account.tier)
        and (not rule.segment_id or rule.segment_id == account.segment_id)
        and (not rule.status or rule.status == account.status)
    )


def cadence_for(account, rules: list[CadencePolicy]) -> int | None:
    """Days between touches for the account, or None when no rule covers it."""
    for rule in rules:
        if matches(rule, account):
            return rule.interval_days
    return None

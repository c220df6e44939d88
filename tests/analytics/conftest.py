from tests.analytics.dashboard_world import world  # noqa: F401 — the dashboard tests' small world

import pytest

from orbit.activities.cadence import ensure_defaults


@pytest.fixture(autouse=True)
def _default_cadence(db):
    # The migration writes the default rules; a test that flushed the database (demo, live server) removes them.
    ensure_defaults()

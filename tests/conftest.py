import os

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from tests.clock import CLOCKS
from tests.factories import Org

# ORBIT_TEST_CLOCK="2026-12-02T00:30:00+03:00" runs the whole session at that moment (the clock then ticks on):
# the suite must pass at any hour, 00:00-03:00 Moscow time (UTC still yesterday) included. Started here, before
# the test modules are imported, so their module-level "now" is the travelled one too.
_session_clock = None


def pytest_configure(config):
    global _session_clock
    moment = os.environ.get("ORBIT_TEST_CLOCK")
    if moment and _session_clock is None:
        _session_clock = time_machine.travel(moment, tick=True)
        _session_clock.start()


def pytest_unconfigure(config):
    global _session_clock
    if _session_clock is not None:
        _session_clock.stop()
        _session_clock = None


def pytest_report_header(config):
    if moment := os.environ.get("ORBIT_TEST_CLOCK"):
        return f"ORBIT_TEST_CLOCK: the session runs at {moment}"
    return None


def pytest_generate_tests(metafunc):
    # @pytest.mark.clock: the test runs once at each of tests/clock.py's moments (late evening, just after local
    # midnight, before 03:00 Moscow, the days of a DST change).
    if metafunc.definition.get_closest_marker("clock"):
        metafunc.parametrize("at_clock", CLOCKS, ids=[c.name for c in CLOCKS], indirect=True)


@pytest.fixture(autouse=True)
def at_clock(request):
    """For a test marked `clock`: its time zone and moment, set before any other fixture writes a row."""
    clock = getattr(request, "param", None)
    if clock is None:
        yield None
        return
    request.getfixturevalue("settings").TIME_ZONE = clock.zone
    with time_machine.travel(clock.moment, tick=True):
        yield clock


@pytest.fixture
def org(db):
    return Org()


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://...)")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The default PBKDF2 takes ~0.3 s a user; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Unit tests run background tasks in-line; tests/notifications runs the real database worker once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    # A request of the test client activates its user's language in this thread and leaves it there; the
    # next test must not inherit it (messages are then read in the wrong language, depending on the order).
    translation.deactivate()
    yield
    translation.deactivate()

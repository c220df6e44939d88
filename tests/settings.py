"""Settings of the test suite: the project's, with a secret key of its own.

Orbit refuses to start without SECRET_KEY when DEBUG is off (as the tests run). The key is put in the
environment before the project's settings read it, so the processes the tests start (the background worker,
the settings checks) inherit it too. It is a key for throwaway test databases only.
"""

import os

if not os.environ.get("SECRET_KEY"):
    os.environ["SECRET_KEY"] = "orbit-test-suite-only-not-a-production-key-0123456789abcdef"

from orbit.settings import *  # noqa: F403

# WhiteNoise serves STATIC_ROOT after `collectstatic` and warns when the folder is missing; the tests do not
# collect (one test does, into a folder of its own).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# The API's rate limit adds a counting query to every API request; the suite's query-count guards measure
# Orbit's reads without it, and tests/ops/test_rate_limit.py turns it on.
ORBIT_API_RATE_LIMIT = 0

# The replica router's tests (tests/ops/test_replica.py) read through a second alias; here it is a TEST MIRROR,
# a second connection to the same test database. No router sends anything there unless a test turns it on.
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405

"""Settings of the worker process that tests start (tests/worker.py): the project's, plus where the file
e-mail backend writes (Django reads EMAIL_FILE_PATH from the settings only)."""

import os

from orbit.settings import *  # noqa: F403

EMAIL_FILE_PATH = os.environ.get("ORBIT_EMAIL_FILE_PATH", "")

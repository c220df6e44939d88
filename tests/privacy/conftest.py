# The access matrices' world (four accounts, each with a row of every kind: contact, touch, task, request,
# attachment, handoff, ledger, growth, analytics, import rows) is the privacy tests' world too.
from tests.access.conftest import world  # noqa: F401

"""Schemathesis over the whole OpenAPI schema, over real HTTP, as a token user who has data to work with."""

import datetime as dt
import os
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from orbit.accounts import services as account_services
from orbit.activities.services import touch_plan
from orbit.api.models import ApiToken
from orbit.api.router import api
from orbit.revenue.models import CurrencyRate
from tests.factories import Org, make_account
from tests.growth.rows import growth_rows
from tests.revenue.rows import ledger_rows

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))

# The coverage phase sends every boundary case the schema defines (huge integers, NUL bytes, wrong types,
# missing fields); the fuzzing phase adds EXAMPLES random ones per operation, valid and invalid. Unexpected
# HTTP methods are left out: Django answers them 405 before Orbit's code runs.
CONFIG = schemathesis.Config.from_dict(
    {"phases": {"coverage": {"unexpected-methods": [], "generation": {"mode": "negative"}}}}
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"), config=CONFIG)


schema.app = WSGIHandler()


@pytest.fixture
def _connection_kept(db):
    """The requests run inside the test's transaction: keep the connection open between them, as Django's
    test client does (its handler disconnects the same signals)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(_connection_kept):
    org = Org()
    account = make_account(org.head, org.am_a, legal_name="ООО «Альфа»")
    account_services.contact_create(by=org.am_a, account=account, full_name="Иван Петров")
    touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate() + dt.timedelta(days=2))
    ledger_rows(account, by=org.am_a)  # an invoice with a line, a payment with its allocation, a product
    growth_rows(account, by=org.am_a)  # an opportunity with its stage change (and a project)
    CurrencyRate.objects.create(currency="USD", day=timezone.localdate(), rate=Decimal("90.5"))
    _, raw = ApiToken.issue(user=org.head, name="fuzz")
    return raw


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_whole_schema(case, fuzz_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_token}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )

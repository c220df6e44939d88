"""The list costs a fixed number of queries, whatever the page size.

The requests go through httpx and the whole WSGI stack (middleware included) in the test's own thread, so
django_assert_max_num_queries sees every query the request makes — a live server's thread would be invisible.
"""

import httpx
import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orbit.api.models import ApiToken
from tests.factories import make_account

MAX_QUERIES = 5  # token with its user, roles and led teams, count, page (measured: 4 once last_used is fresh)


@pytest.fixture
def wsgi_call(transactional_db):
    clients = []

    def make(user) -> httpx.Client:
        _, raw = ApiToken.issue(user=user, name="tests")
        client = httpx.Client(
            transport=httpx.WSGITransport(app=get_wsgi_application()),
            base_url="http://testserver/api",
            headers={"Authorization": f"Bearer {raw}"},
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def many_accounts(org, refs):
    for n in range(60):
        manager = (org.am_a, org.am_a1, org.lead_a)[n % 3]
        make_account(
            org.head, manager, region=refs["region"], industry=refs["industry"], segment=refs["segment"]
        )


@pytest.mark.parametrize("persona", ["lead_a", "head"])
def test_list_query_count_is_bounded_and_independent_of_page_size(
    wsgi_call, org, many_accounts, persona, django_assert_max_num_queries
):
    api = wsgi_call(getattr(org, persona))
    api.get("/accounts")  # the first use of a token records last_used_at
    counts = {}
    for limit in (5, 60):
        with django_assert_max_num_queries(MAX_QUERIES), CaptureQueriesContext(connection) as queries:
            response = api.get("/accounts", params={"limit": limit, "sort": "manager"})
        assert response.status_code == 200
        assert len(response.json()["items"]) == limit
        counts[limit] = len(queries)
    assert counts[5] == counts[60]

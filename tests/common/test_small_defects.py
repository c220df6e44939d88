"""Issue 10, item 13: the smaller defects, each pinned."""

import logging
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orbit.accounts import selectors, services
from orbit.common.log import PlainForbidden
from tests.factories import make_account


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_negative_budget_is_refused(org):
    account = make_account(org.head, org.am_a)
    with pytest.raises(ValidationError) as refused:
        services.account_update(
            by=org.head, account=account, version=account.version, agreed_budget=Decimal("-1")
        )
    assert "agreed_budget" in refused.value.message_dict


def test_the_token_hint_shows_its_angle_brackets(org):
    page = _browser(org.am_a).get(reverse("org:profile")).content.decode()
    assert "Bearer &lt;token&gt;" in page


def test_every_page_has_a_favicon(org):
    page = _browser(org.am_a).get(reverse("activities:agenda")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page


def test_a_403_is_one_line_without_a_traceback(org):
    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Forbidden", (), (PermissionError, PermissionError(), None)
    )
    record.status_code = 403
    assert PlainForbidden().filter(record) and record.exc_info is None
    from django.conf import settings

    assert settings.LOGGING["loggers"]["django"]["propagate"] is False


def test_the_account_list_does_not_select_the_password(org):
    make_account(org.head, org.am_a)
    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.account_list(org.head, selectors.AccountFilters())[:10])
    assert rows and str(rows[0].responsible_manager)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "password" not in sql

"""Real HTTP against a live server: `call(user)` is an httpx client holding a fresh API token of `user`."""

import httpx
import pytest

from orbit.accounts.models import Industry, Region, Segment
from orbit.api.models import ApiToken
from tests.factories import PASSWORD


@pytest.fixture
def call(live_server, transactional_db):
    clients = []

    def make(user=None, *, token: str | None = None) -> httpx.Client:
        headers = {}
        if user is not None and token is None:
            _, token = ApiToken.issue(user=user, name="tests")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        client = httpx.Client(base_url=f"{live_server.url}/api", headers=headers, timeout=30)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def browser_login(live_server, transactional_db):
    """Sign in through the real login form; the client then carries the session and CSRF cookies."""
    clients = []

    def login(user) -> httpx.Client:
        client = httpx.Client(base_url=live_server.url, timeout=30)
        clients.append(client)
        client.get("/login/")
        response = client.post(
            "/login/",
            data={
                "username": user.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
        )
        assert response.status_code == 302, response.text
        return client

    yield login
    for client in clients:
        client.close()


@pytest.fixture
def refs(transactional_db):
    return {
        "industry": Industry.objects.create(code="it", name_ru="Информационные технологии", name_en="IT"),
        "region": Region.objects.create(code="msk", name_ru="Москва", name_en="Moscow"),
        "segment": Segment.objects.create(code="large", name_ru="Крупный бизнес", name_en="Enterprise"),
    }


def speak(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])

import datetime as dt

from django.utils import timezone

from orbit.api.models import ApiToken, hash_token
from tests.api.conftest import speak


def test_no_credentials_is_401_with_a_json_body(call, org):
    response = call().get("/accounts")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response.json()["errors"] == {}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(call, org):
    response = call(token="orb_not-a-real-token").get("/accounts")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_token_is_401(call, org):
    token, raw = ApiToken.issue(user=org.am_a, name="script")
    api = call(token=raw)
    assert api.get("/auth/me").status_code == 200
    token.revoke()
    response = api.get("/auth/me")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_inactive_user_is_refused(call, org):
    api = call(org.am_a)
    org.am_a.is_active = False
    org.am_a.save(update_fields=["is_active"])
    assert api.get("/accounts").status_code == 401


def test_inactive_session_user_is_refused(browser_login, org):
    browser = browser_login(org.am_a)
    assert browser.get("/api/accounts").status_code == 200
    org.am_a.is_active = False
    org.am_a.save(update_fields=["is_active"])
    response = browser.get("/api/accounts")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_token_identifies_the_user(call, org):
    body = call(org.lead_a).get("/auth/me").json()
    assert body["username"] == "lead_a"
    assert body["roles"] == ["account_manager", "team_lead"]


def test_token_request_speaks_the_users_language(call, org):
    speak(org.am_a, "en")
    assert call(org.am_a).get("/auth/me").headers["Content-Language"] == "en"
    speak(org.am_b, "ru")
    assert call(org.am_b).get("/auth/me").headers["Content-Language"] == "ru"


def test_token_create_list_and_revoke_from_the_browser_session(call, browser_login, org):
    browser = browser_login(org.am_a)
    csrf = {"X-CSRFToken": browser.cookies["csrftoken"]}

    response = browser.post("/api/auth/tokens", json={"name": "отчёты"}, headers=csrf)
    assert response.status_code == 201, response.text
    issued = response.json()
    raw = issued["token"]
    assert raw.startswith("orb_") and issued["hint"] == raw[:10]
    stored = ApiToken.objects.get(pk=issued["id"])
    assert stored.key_hash == hash_token(raw) and raw not in stored.key_hash
    assert stored.user == org.am_a and stored.last_used_at is None

    api = call(token=raw)
    assert api.get("/auth/me").json()["username"] == "am_a"
    listed = api.get("/auth/tokens").json()
    assert [t["id"] for t in listed] == [issued["id"]]
    assert "token" not in listed[0]

    response = browser.delete(f"/api/auth/tokens/{issued['id']}", headers=csrf)
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert api.get("/auth/me").status_code == 401


def test_session_write_without_csrf_is_refused(browser_login, org):
    browser = browser_login(org.am_a)
    response = browser.post("/api/auth/tokens", json={"name": "x"})
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_session_reads_work_without_csrf(browser_login, org):
    assert browser_login(org.am_a).get("/api/auth/me").json()["username"] == "am_a"


def test_a_token_cannot_issue_tokens(call, org):
    response = call(org.am_a).post("/auth/tokens", json={"name": "offspring"})
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_token_name_is_required(browser_login, org):
    speak(org.am_a, "ru")
    browser = browser_login(org.am_a)
    response = browser.post(
        "/api/auth/tokens", json={"name": "  "}, headers={"X-CSRFToken": browser.cookies["csrftoken"]}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"name": ["Обязательное поле."]}


def test_someone_elses_token_cannot_be_revoked(call, org):
    token, _ = ApiToken.issue(user=org.am_b, name="b's")
    response = call(org.am_a).delete(f"/auth/tokens/{token.pk}")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_last_used_is_recorded_at_most_once_a_minute(call, org):
    token, raw = ApiToken.issue(user=org.am_a, name="script")
    api = call(token=raw)
    api.get("/auth/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=30)

    api.get("/auth/me")
    token.refresh_from_db()
    assert token.last_used_at == first  # no write on every request

    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=an_hour_ago)
    api.get("/auth/me")
    token.refresh_from_db()
    assert token.last_used_at > an_hour_ago + dt.timedelta(minutes=59)

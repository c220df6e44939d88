import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_locks_after_five_failures_and_says_so(db, org, settings):
    client = Client()
    for _ in range(4):
        assert _login(client, "am_a", "wrong-password").status_code == 200
    locked = _login(client, "am_a", "wrong-password")
    assert locked.status_code == 429
    assert "Слишком много неудачных попыток" in locked.content.decode()
    # Even the right password is refused while locked.
    assert _login(client, "am_a", PASSWORD).status_code == 429
    # Another user from the same address is not affected: nobody can lock colleagues out.
    assert _login(client, "am_b", PASSWORD).status_code == 302


def test_successful_login_resets_the_failure_count(db, org):
    client = Client()
    for _ in range(4):
        _login(client, "am_a", "wrong-password")
    assert _login(client, "am_a", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "am_a", "wrong-password").status_code == 200


def test_forms_refuse_posts_without_csrf_token(db, org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.am_a)
    assert client.post(reverse("org:token_create"), {"name": "x"}).status_code == 403
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 403


def test_security_headers(client, org):
    client.force_login(org.am_a)
    response = client.get(reverse("accounts:list"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "hx-headers" in response.content.decode()  # htmx requests send the CSRF token


def test_session_cookie_is_http_only(client, org):
    response = client.post(reverse("login"), {"username": "am_a", "password": PASSWORD})
    assert response.cookies["sessionid"]["httponly"]


def test_deploy_check_is_clean_for_production_settings():
    env = {
        **{
            k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },  # set by the browser tests
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ORBIT_HTTPS": "true",
        "ALLOWED_HOSTS": "orbit.example.com",
        "DJANGO_SETTINGS_MODULE": "orbit.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

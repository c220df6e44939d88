"""Orbit as it runs in production and in the demo: DEBUG off, a secret key of its own, static files served,
its own error pages in the user's language, a Content-Security-Policy, SQLite that serves a small team."""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import translation

from orbit.accounts import ownership
from orbit.accounts.models import ChangeReason
from tests.factories import make_account

ROOT = Path(__file__).resolve().parents[2]


def _django(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh Python with the project's settings and the given environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    base.update(
        DJANGO_SETTINGS_MODULE="orbit.settings",
        ORBIT_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'orbit.sqlite3'}",
    )
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


# --- the secret key -------------------------------------------------------------------------------------


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    done = _django("import django; django.setup()", tmp_path, DEBUG="false")
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr
    assert "ImproperlyConfigured" in done.stderr


def test_production_starts_with_a_secret_key_and_never_uses_the_development_one(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    done = _django(code, tmp_path, DEBUG="false", SECRET_KEY="a-key-of-this-installation-" + "x" * 30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "a-key-of-this-installation-" + "x" * 30


def test_the_demo_keeps_a_random_key_of_its_own_and_no_debug():
    makefile = (ROOT / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "DEBUG=true" not in demo
    assert "collectstatic" in demo
    assert "var/secret-key" in makefile and "secrets.token_urlsafe" in makefile


# --- static files without DEBUG -------------------------------------------------------------------------


def test_static_files_are_served_in_the_demo_configuration(db, settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()  # a new handler: WhiteNoise reads STATIC_ROOT when the middleware starts
    for path, marker in (
        ("/static/orbit/orbit.css", b"{"),
        ("/static/orbit/orbit.js", b"addEventListener"),
        ("/static/orbit/vendor/htmx-2.0.11.min.js", b"htmx"),
        ("/static/ninja/swagger-ui.css", b"swagger"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert marker in b"".join(response.streaming_content), path


# --- Orbit's own error pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("ru", ["Здесь ничего нет.", "Не найдено", "Мой день"]),
        ("en", ["Nothing here.", "Not found", "My day"]),
    ],
)
def test_a_former_manager_sees_orbits_404_in_his_language(org, client, settings, language, texts):
    settings.DEBUG = False
    account = make_account(org.head, org.am_a, legal_name="ООО «Переданный клиент»")
    ownership.transfer(account=account, manager=org.am_b, by=org.head, reason=ChangeReason.REASSIGNMENT)
    org.am_a.language = language
    org.am_a.save(update_fields=["language"])
    client.force_login(org.am_a)
    response = client.get(f"/accounts/{account.pk}/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    page = response.content.decode()
    for text in texts:
        assert text in page
    assert response["Content-Language"] == language
    assert 'href="/agenda/"' in page  # a way back
    assert "Переданный клиент" not in page


@pytest.mark.parametrize(
    ("language", "text"), [("ru", "Просматривать можно, изменять — нет."), ("en", "You may see this")]
)
def test_a_refused_change_shows_orbits_403_in_the_users_language(org, client, settings, language, text):
    settings.DEBUG = False
    account = make_account(org.head, org.am_a)
    org.auditor.language = language
    org.auditor.save(update_fields=["language"])
    client.force_login(org.auditor)
    response = client.get(f"/accounts/{account.pk}/edit/")
    assert response.status_code == 403
    page = response.content.decode()
    assert text in page
    assert "javascript:" not in page  # the CSP forbids it; the page links to the agenda instead
    assert 'href="/agenda/"' in page


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "Что-то пошло не так на нашей стороне."), ("en", "Something went wrong on our side.")],
)
def test_the_500_page_is_orbits_and_needs_no_database(language, text):
    from orbit.common.views import server_error

    request = RequestFactory().get("/accounts/")
    with translation.override(language):  # no `db` fixture: any database access would raise here
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert text in page and f'lang="{language}"' in page


def test_an_unhandled_error_answers_orbits_500(org, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.common.urls_boom"
    client = Client(raise_request_exception=False)
    client.force_login(org.am_a)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Что-то пошло не так на нашей стороне." in response.content.decode()


# --- Content-Security-Policy ----------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy(org, client):
    client.force_login(org.am_a)
    for url in ("/agenda/", "/accounts/", "/api/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        directives = dict(
            [*part.split(" ", 1), ""][:2] for part in (p.strip() for p in policy.split(";")) if part
        )
        assert directives["default-src"] == "'self'", url
        assert directives["script-src"] == "'self'", url  # no inline scripts, no eval
        assert directives["frame-ancestors"] == "'none'", url


def test_templates_have_no_inline_scripts_or_event_handlers():
    """What the CSP would block: <script> without src, on…= attributes, javascript: links."""
    offenders = []
    for path in sorted((ROOT / "orbit").rglob("templates/**/*.html")):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"javascript:", r"\bhx-on"):
            offenders += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(pattern, text)]
    assert offenders == []


# --- SQLite serves two writers at once ------------------------------------------------------------------


def test_two_people_writing_at_once_on_sqlite_both_succeed(tmp_path):
    """Each writer reads, then writes, in a transaction, at the same time: with SQLite's default deferred
    transactions one of them fails at once with "database is locked" (its read lock cannot be upgraded);
    with immediate transactions the second waits for the first."""
    code = textwrap.dedent(
        """
        import threading, time
        import django
        django.setup()
        from django.db import connection, connections, transaction

        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
        connection.close()
        errors, start = [], threading.Barrier(2)

        def write(name):
            try:
                start.wait()
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT count(*) FROM note")
                        time.sleep(0.3)
                        cursor.execute("INSERT INTO note (text) VALUES (%s)", [name])
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=write, args=(n,)) for n in ("anna", "boris")]
        [t.start() for t in threads]
        [t.join() for t in threads]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM note")
            rows = cursor.fetchone()[0]
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        print(rows, mode, errors)
        """
    )
    done = _django(code, tmp_path, DEBUG="false", SECRET_KEY="sqlite-test-" + "x" * 40)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "wal", "[]"], done.stdout

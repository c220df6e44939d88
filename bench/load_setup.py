"""Prepare a benchmark base for the load test (bench/locustfile.py): sessions and API tokens for some of its
people, and a few open requests on their accounts to comment on. Writes what the load test needs to a JSON file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orbit_bench_load \\
        .venv/bin/python -m bench.load_setup --managers 40 --out /tmp/orbit-load.json

Sessions are made directly in the session store (no 40 password checks at start-up; the generated people have
no usable password); each is a real signed-in session the served process accepts as it accepts a browser's.
"""

import argparse
import json
import random
from pathlib import Path

from bench import django_env

assert django_env  # configures Django before the models below are imported

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from orbit.accounts.models import Account  # noqa: E402
from orbit.api.models import ApiToken  # noqa: E402
from orbit.org.models import User  # noqa: E402
from orbit.requests import services as requests  # noqa: E402
from orbit.requests.models import Department, Priority, Request, RequestType  # noqa: E402

SEARCH_PREFIXES = ["ООО", "Сиб", "Тех", "Мет", "Прим", "Вол", "Рос", "Энерг", "Строй", "Урал"]


def session_of(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--managers", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("/tmp/orbit-load.json"))
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    department = Department.objects.order_by("pk").first()
    managers = list(
        User.objects.filter(is_active=True, roles__role="account_manager")
        .distinct()
        .order_by("pk")[: args.managers]
    )
    people = []
    for user in managers:
        accounts = list(
            Account.objects.filter(responsible_manager=user, status="active", archived_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:200]
        )
        if not accounts:
            continue
        _, token = ApiToken.issue(user=user, name="load test")
        open_requests = list(
            Request.objects.filter(
                account__responsible_manager=user, status__in=["new", "in_progress"]
            ).values_list("pk", flat=True)[:5]
        )
        while len(open_requests) < 5:
            account = Account.objects.get(pk=rng.choice(accounts))
            open_requests.append(
                requests.request_create(
                    by=user,
                    account=account,
                    request_type=RequestType.DOCUMENTS,
                    priority=Priority.NORMAL,
                    department=department,
                    subject="Акт сверки за квартал",
                ).pk
            )
        people.append(
            {
                "username": user.username,
                "session": session_of(user),
                "token": token,
                "accounts": accounts,
                "requests": open_requests,
            }
        )
    args.out.write_text(
        json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "search": SEARCH_PREFIXES, "people": people})
    )
    print(f"{len(people)} people with sessions, tokens and open requests -> {args.out}")


if __name__ == "__main__":
    main()

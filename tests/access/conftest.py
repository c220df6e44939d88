"""The world of the access matrices: four accounts (two teams, a sub-team, a salesman's prospect), each with
a contact, an engineer on its account team, an open handoff to a receiver, a planned touch and a task; a planned
cover; a token each."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orbit.accounts import services, team
from orbit.accounts.models import AccountStatus, ChangeReason, TeamRole
from orbit.activities.services import task_create, touch_plan
from orbit.api.models import ApiToken
from orbit.handoffs import covers
from orbit.handoffs import services as handoff_services
from orbit.handoffs.models import HandoffKind
from orbit.notifications.kinds import Kind
from orbit.notifications.models import Notification
from orbit.org.models import Role
from orbit.privacy.services import consent_record
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department
from orbit.requests.services import attachment_add, request_create
from tests.access.personas import PERSONAS
from tests.analytics.rows import analytics_rows
from tests.factories import make_account, make_user
from tests.growth.rows import growth_rows
from tests.imports.rows import imported_rows
from tests.revenue.rows import ledger_rows


@pytest.fixture
def world(org, settings, tmp_path):
    people = {name: getattr(org, name) for name in PERSONAS if name != "anonymous"}
    accounts = {
        "acct_a": make_account(org.head, org.am_a, legal_name="ООО «Альфа»"),
        "acct_a1": make_account(org.head, org.am_a1, legal_name="ООО «Альфа-1»"),
        "acct_b": make_account(org.head, org.am_b, legal_name="ООО «Бета»"),
        "prospect_s": make_account(org.sales, None, status=AccountStatus.PROSPECT, legal_name="ООО «Лид»"),
    }
    contacts = {
        k: services.contact_create(by=org.head, account=a, full_name=f"Контакт {k}")
        for k, a in accounts.items()
    }
    for contact in contacts.values():  # the consent log (orbit/privacy): one record on every account
        consent_record(
            by=org.head,
            contact=contact,
            action="given",
            purpose="Рассылка",
            basis="consent",
            on_date=timezone.localdate(),
        )
    tokens = {name: ApiToken.issue(user=user, name="t")[0] for name, user in people.items()}
    notifications = {
        name: Notification.objects.create(recipient=user, kind=Kind.TASK_DUE, title="t", url="/accounts/")
        for name, user in people.items()
    }
    engineer = make_user("engineer")  # not a persona: his seats on account teams change no expectation
    members = {
        k: team.team_member_add(by=org.head, account=a, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
        for k, a in accounts.items()
    }
    receiver = make_user("receiver", Role.ACCOUNT_MANAGER)  # not a persona either
    handoffs = {
        k: handoff_services.handoff_start(
            by=org.head,
            account=a,
            to_user=receiver,
            kind=HandoffKind.FROM_SALES if k == "prospect_s" else HandoffKind.BETWEEN_MANAGERS,
            reason=ChangeReason.HANDOFF if k == "prospect_s" else ChangeReason.VACATION,
        )
        for k, a in accounts.items()
    }
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    cover = covers.cover_create(
        by=org.am_a,
        owner=org.am_a,
        deputy=receiver,
        starts_on=tomorrow,
        ends_on=tomorrow + dt.timedelta(days=7),
        reason="vacation",
    )
    today = timezone.localdate()
    touches = {k: touch_plan(by=org.head, account=a, planned_for=today) for k, a in accounts.items()}
    tasks = {
        k: task_create(by=org.head, title="Позвонить", assignee=org.head, due_on=today, account=a)
        for k, a in accounts.items()
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_defaults()  # the rows of a data migration are gone after a test with transaction=True
    support = Department.objects.get(code="support")
    requests = {
        k: request_create(
            by=org.head,
            account=a,
            request_type="question",
            priority="normal",
            department=support,
            subject="t",
        )
        for k, a in accounts.items()
    }
    attachments = {
        k: attachment_add(by=org.head, request=r, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 t"))
        for k, r in requests.items()
    }
    ledger = {k: ledger_rows(a, by=org.head) for k, a in accounts.items()}
    growth = {k: growth_rows(a, by=org.head) for k, a in accounts.items()}
    analytics = {k: analytics_rows(a, by=org.head) for k, a in accounts.items()}
    imported = imported_rows(accounts, by=org.head)
    return SimpleNamespace(
        imported=imported,
        ledger=ledger,
        growth=growth,
        analytics=analytics,
        requests=requests,
        attachments=attachments,
        touches=touches,
        tasks=tasks,
        people=people,
        accounts=accounts,
        contacts=contacts,
        members=members,
        tokens=tokens,
        notifications=notifications,
        handoffs=handoffs,
        cover=cover,
    )

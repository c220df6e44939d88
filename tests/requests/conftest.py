import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from orbit.requests import services, sla
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department, Priority, RequestStatus, RequestType
from tests.factories import make_account

MSK = ZoneInfo("Europe/Moscow")


def msk(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MSK)


class Clock:
    """Stands the SLA clock at a chosen moment (services and checks read `sla.now`)."""

    def __init__(self, monkeypatch):
        self.at = None
        monkeypatch.setattr(sla, "now", lambda: self.at or dt.datetime.now(dt.UTC))

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.at = moment
        return moment


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def _reference_data(db):
    # A test with transaction=True elsewhere flushes the tables, and the rows migration 0002 wrote with them.
    ensure_defaults()


@pytest.fixture
def support(db):
    return Department.objects.get(code="support")


@pytest.fixture
def account(org):
    return make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")


@pytest.fixture
def request_(org, account, support, clock):
    """A documents request of am_a's client, registered on a Monday morning (the attachments' tests; a module
    about another kind of request defines its own)."""
    clock.set(msk(2026, 11, 23, 10, 0))
    return services.request_create(
        by=org.am_a,
        account=account,
        request_type=RequestType.DOCUMENTS,
        priority=Priority.NORMAL,
        department=support,
        subject="Акт сверки",
    )


@pytest.fixture
def requests_(org):
    """The boards' requests: a new one, one in work, one closed (off the board)."""
    ensure_defaults()
    account = make_account(org.head, org.am_a, legal_name="ООО «Клиент»", short_name="Клиент")
    department = Department.objects.get(code="support")

    def create(subject):
        return services.request_create(
            by=org.am_a,
            account=account,
            request_type="question",
            priority="normal",
            department=department,
            subject=subject,
        )

    def move(request, status):
        request.refresh_from_db()
        services.request_change_status(
            by=org.am_a, request=request, status=status, version=request.version, comment="Ответили"
        )

    fresh = create("Новый вопрос")
    working = create("В работе")
    move(working, RequestStatus.IN_PROGRESS)
    closed = create("Закрытый")
    for status in (RequestStatus.IN_PROGRESS, RequestStatus.RESOLVED, RequestStatus.CLOSED):
        move(closed, status)
    return {"new": fresh, "working": working, "closed": closed}

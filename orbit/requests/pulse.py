"""The requests' column of the account's pulse (orbit.accounts.pulse): how many requests are open, recomputed
from the requests, for some accounts or (the morning's check) for all."""

from django.db.models import F, Func, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from orbit.accounts import pulse
from orbit.accounts.models import AccountPulse
from orbit.requests.models import OPEN_STATUSES, Request


def _open_requests() -> Coalesce:
    mine = Request.objects.filter(account_id=OuterRef("account_id"), status__in=OPEN_STATUSES).order_by()
    return Coalesce(Subquery(mine.annotate(n=Func(F("id"), function="COUNT")).values("n")), Value(0))


@pulse.register
def refresh_request_columns(account_ids: list[int] | None) -> int:
    rows = AccountPulse.objects.all()
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    else:  # the morning's check writes only the rows that are wrong
        rows = rows.alias(want=_open_requests()).exclude(open_requests=F("want"))
    return rows.update(open_requests=_open_requests())

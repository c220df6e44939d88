"""The activities' columns of the account's pulse (orbit.accounts.pulse): the last done touch and the next
planned one, recomputed from the touches, for some accounts or (the morning's check) for all."""

from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from orbit.accounts import pulse
from orbit.accounts.models import NEVER_TOUCHED, NOTHING_PLANNED, AccountPulse
from orbit.activities.models import Touch, TouchStatus


def _expected() -> dict:
    """The columns as the touches say, for the pulse row at hand (served by the touch_account_done index)."""
    mine = Touch.objects.filter(account_id=OuterRef("account_id")).order_by()
    last = mine.filter(status=TouchStatus.DONE).order_by("-happened_at").values("happened_at")[:1]
    first = mine.filter(status=TouchStatus.PLANNED).order_by("planned_for").values("planned_for")[:1]
    return {
        "last_touch_at": Coalesce(Subquery(last), Value(NEVER_TOUCHED)),
        "next_touch_on": Coalesce(Subquery(first), Value(NOTHING_PLANNED)),
    }


@pulse.register
def refresh_touch_columns(account_ids: list[int] | None) -> int:
    rows = AccountPulse.objects.all()
    expected = _expected()
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    else:  # the morning's check writes only the rows that are wrong
        rows = rows.alias(**{f"want_{k}": v for k, v in expected.items()}).filter(
            ~Q(last_touch_at=F("want_last_touch_at")) | ~Q(next_touch_on=F("want_next_touch_on"))
        )
    return rows.update(**expected)

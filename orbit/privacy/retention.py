"""Retention: contacts of accounts churned more than ORBIT_PERSONAL_DATA_RETENTION_YEARS ago are erased.

152-FZ (art. 5 p. 7) and the GDPR keep personal data no longer than its purpose needs; once a client has left,
Orbit keeps its people's data for this many years (Orbit's default 3, a setting) for claims and a possible
return, then anonymises them. Run by the morning run (`orbit privacy retention`); each run is recorded.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orbit.accounts.models import Account, AccountStatus, Contact
from orbit.privacy import erasure
from orbit.privacy.models import Erasure, ErasureKind, RetentionRun

# Accounts erased in one transaction: the imports' and exports' records are searched once per chunk, not once per
# account (Orbit's default).
ACCOUNTS_PER_TRANSACTION = 100


def cutoff(now: dt.datetime | None = None) -> dt.datetime:
    years = settings.ORBIT_PERSONAL_DATA_RETENTION_YEARS
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def due(now: dt.datetime | None = None):
    """Contacts not yet erased of accounts churned before the cut-off."""
    churned = Account.objects.filter(status=AccountStatus.CHURNED, status_changed_at__lt=cutoff(now))
    return Contact.objects.filter(account__in=churned).exclude(pk__in=Erasure.objects.values("contact_id"))


def run(*, now: dt.datetime | None = None, dry_run: bool = False) -> RetentionRun:
    """Erase what is due, ACCOUNTS_PER_TRANSACTION accounts at a time (a failure leaves the chunks before it
    done; the next run takes the rest); the run is audited."""
    now = now or timezone.now()
    contacts = list(due(now).order_by("account_id", "pk"))
    record = RetentionRun(
        at=now, years=settings.ORBIT_PERSONAL_DATA_RETENTION_YEARS, churned_before=cutoff(now), erased=0
    )
    if dry_run:
        record.erased = len(contacts)
        return record
    accounts = sorted({c.account_id for c in contacts})
    for start in range(0, len(accounts), ACCOUNTS_PER_TRANSACTION):
        chunk = set(accounts[start : start + ACCOUNTS_PER_TRANSACTION])
        with transaction.atomic():
            people = [c for c in contacts if c.account_id in chunk]
            record.erased += len(erasure.erase(contacts=people, kind=ErasureKind.RETENTION, by=None))
    record.save()
    return record

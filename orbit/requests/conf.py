"""Settings of the requests area, read from Django settings (and so from the environment) with safe defaults."""

import os
from decimal import Decimal

from django.conf import settings


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def attachment_max_bytes() -> int:
    """ORBIT_ATTACHMENT_MAX_MB, default 10."""
    mb = getattr(settings, "ORBIT_ATTACHMENT_MAX_MB", None) or _env("ORBIT_ATTACHMENT_MAX_MB", "10")
    return int(Decimal(str(mb)) * 1024 * 1024)


def attachment_max_mb() -> str:
    """The limit for people to read: 10, 2.5 (never 1E+1)."""
    return format((Decimal(attachment_max_bytes()) / (1024 * 1024)).normalize(), "f")


def warning_share() -> Decimal:
    """ORBIT_SLA_WARNING_SHARE: the share of the allowed business time after which the manager is warned."""
    return Decimal(
        str(getattr(settings, "ORBIT_SLA_WARNING_SHARE", None) or _env("ORBIT_SLA_WARNING_SHARE", "0.8"))
    )


def head_escalation_hours() -> Decimal:
    """ORBIT_SLA_HEAD_AFTER_HOURS: business hours after a breach before the head of department is called in."""
    value = getattr(settings, "ORBIT_SLA_HEAD_AFTER_HOURS", None) or _env("ORBIT_SLA_HEAD_AFTER_HOURS", "8")
    return Decimal(str(value))

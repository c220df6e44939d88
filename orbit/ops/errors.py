"""Optional error reporting (issue 16): with SENTRY_DSN set, unhandled errors and ERROR log lines go to Sentry or
a compatible service (GlitchTip, self-hosted). Nothing personal is sent: no cookies, no user details, no request
bodies (send_default_pii off), and no performance tracing unless asked for (SENTRY_TRACES_SAMPLE_RATE)."""

import os


def start_error_reporting(dsn: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        environment=os.environ.get("ORBIT_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

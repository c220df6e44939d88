"""One settings module, configured from the environment with safe defaults.

DATABASE_URL unset -> an SQLite file under ./var (the zero-setup demo default).
Production: set DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL=postgres://...
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ORBIT_DATA_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A fixed, published key would let anyone forge sessions and password-reset links: refuse to start.
        # `make demo` keeps a random key of its own in var/secret-key; the test suite sets one in tests/settings.py.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Orbit refuses to run with DEBUG=false and no SECRET_KEY: set SECRET_KEY "
            "to a long random string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # DEBUG=true (development on one's own machine) only: a fixed key keeps sessions across restarts.
    SECRET_KEY = "orbit-insecure-development-key-change-me-in-production-0123456789"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "simple_history",
    "axes",
    "django_tasks",
    "orbit.ops",  # before django_tasks_db: its db_worker command (with a heartbeat) takes the place of theirs
    "django_tasks_db",
    "orbit.common",
    "orbit.org",
    "orbit.access",
    "orbit.accounts",
    "orbit.handoffs",
    "orbit.worktime",
    "orbit.notifications",
    "orbit.requests",
    "orbit.activities",
    "orbit.revenue",
    "orbit.growth",
    "orbit.analytics",
    "orbit.imports",
    "orbit.staffing",
    "orbit.kpi",
    "orbit.workload",
    "orbit.bonuses",
    "orbit.privacy",
    "orbit.search",
    "orbit.savedviews",
    "orbit.api",
    "django_prometheus",
]

MIDDLEWARE = [
    "orbit.ops.requestid.RequestIdMiddleware",  # first: every later log line of the request carries its id
    "orbit.ops.body_limit.RefuseOversizedBodyMiddleware",  # 413 before anything reads a too-large body
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # times the whole request (with the After one)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files without DEBUG (the demo, a small install)
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "orbit.common.middleware.ActivateUserLanguageMiddleware",
    "orbit.common.middleware.RefuseNulBytesMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "orbit.urls"
WSGI_APPLICATION = "orbit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "orbit.common.context_processors.navigation",
            ],
        },
    },
]
# Every select's empty choice reads "—" (orbit/common/form_renderer.py).
FORM_RENDERER = "orbit.common.form_renderer.OrbitFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'orbit.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request uses it: after a database restart the server recovers
        # by itself instead of failing once per thread (issue 16, faults).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Fail fast when the database is unreachable: 503 after this many seconds, not a hung worker thread
    # (Orbit's default; orbit/ops/unavailable.py).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DB_CONNECT_TIMEOUT", "5")
    )
    # DB_POOL_SIZE > 0: each process shares a pool of at most that many connections among its threads
    # (Django's psycopg pool) instead of one kept connection per thread; docs/deployment.md, "Scale-out".
    if pool_size := int(os.environ.get("DB_POOL_SIZE", "0")):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": pool_size,
            "timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),  # waiting for a free one: then 503
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them (Django refuses both)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # SQLite keeps one writer at a time; wait for it instead of failing at once. WAL lets readers go on while
    # someone writes; IMMEDIATE takes the write lock when a transaction begins, so a second writer waits for
    # it (up to `timeout` seconds) instead of failing with "database is locked" when a read lock cannot be
    # upgraded (Django 5.1+: "transaction_mode" and "init_command").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Scale-out (docs/deployment.md): with DATABASE_REPLICA_URL, pages that tolerate lag read from a streaming
# replica, everything else and every write stays on the primary (orbit/ops/replica.py). After a write, the
# writer's browser reads from the primary for ORBIT_REPLICA_PIN_SECONDS (Orbit's default 5 s).
DATABASE_ROUTERS: list[str] = []
ORBIT_REPLICA_PIN_SECONDS = int(os.environ.get("ORBIT_REPLICA_PIN_SECONDS", "5"))
# A replica further behind than this (Orbit's default 30 s), or unreachable, is not read from; its state is
# asked at most every ORBIT_REPLICA_CHECK_SECONDS (Orbit's default 5 s) per process.
ORBIT_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("ORBIT_REPLICA_MAX_LAG_SECONDS", "30"))
ORBIT_REPLICA_CHECK_SECONDS = float(os.environ.get("ORBIT_REPLICA_CHECK_SECONDS", "5"))
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))  # timeout, pool
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the same test database
    DATABASE_ROUTERS = ["orbit.ops.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
        "orbit.ops.replica.PinAfterWriteMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "activities:agenda"  # the manager starts on his day
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while a username+address pair is locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Brute-force protection: 5 failures for one username from one address lock that pair for 15 minutes.
# Locking by username alone would let anyone lock a colleague out.
AXES_FAILURE_LIMIT = int(os.environ.get("ORBIT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ORBIT_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "orbit.common.views.locked_out"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and env_bool("ORBIT_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # A load balancer's probe over plain HTTP is answered, not redirected.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]

# Content-Security-Policy (django-csp 4): everything from Orbit's own origin, no inline scripts, no eval.
# Inline style attributes stay allowed (style-src-attr: a few templates size things inline, e.g. the depth
# of a holding row); <style> elements and stylesheets only from 'self'. The API docs page (Swagger UI,
# django-ninja's own static files) fits in this policy too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))  # for the file backend (demo)

# Background work (notifications, escalations): rows in the database, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# "progress": what long background work has done so far, readable by the web process while the work's own
# transaction is still open (a row in the database would not be). Files: nothing more to install.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("ORBIT_PROGRESS_CACHE", str(DATA_DIR / "progress")),
    },
}

# Log lines carry the request's id; ORBIT_LOG_FORMAT=json writes one JSON object per line (for a log collector).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "plain_forbidden": {"()": "orbit.common.log.PlainForbidden"},
        "request_id": {"()": "orbit.ops.requestid.RequestIdFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "orbit.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["plain_forbidden", "request_id"],
            "formatter": os.environ.get("ORBIT_LOG_FORMAT", "text"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's own loggers write once, through the root's handler (its default adds a second console in DEBUG).
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Page size of lists in the UI and API; the API lets a client ask for up to ORBIT_MAX_PAGE_SIZE.
ORBIT_PAGE_SIZE = 25
ORBIT_MAX_PAGE_SIZE = 200
# Relative effort of an account by tier, for workload and for spreading a portfolio fairly.
ORBIT_TIER_WEIGHTS = {"key": 8.0, "A": 4.0, "B": 2.0, "C": 1.0}
# Sales figures and bonuses: an invoice in the first this-many calendar months of an account's buying (the month of
# its first invoice counts as the first) is new business, unless its order names another kind; the hunter/farmer time
# split counts work on such an account as hunting. Orbit's default.
ORBIT_NEW_BUSINESS_MONTHS = int(os.environ.get("ORBIT_NEW_BUSINESS_MONTHS", "3"))
# A lead should have at most this many direct reports (the 5–7 rule); more suggests another level.
ORBIT_SPAN_OF_CONTROL = int(os.environ.get("ORBIT_SPAN_OF_CONTROL", "7"))
# Below this many direct reports a lead "could take more" (the lower end of the seeds' 5–7).
ORBIT_SPAN_OF_CONTROL_MIN = int(os.environ.get("ORBIT_SPAN_OF_CONTROL_MIN", "5"))
# Competency levels run from 1 to this (Orbit's default scale, not from the seeds).
ORBIT_COMPETENCY_SCALE = int(os.environ.get("ORBIT_COMPETENCY_SCALE", "5"))
# Handoffs: days given to each step, and the check-up with the client this many weeks after acceptance.
ORBIT_HANDOFF_STEP_DAYS = {"brief": 2, "join_deal": 7, "meeting": 10, "acceptance": 14}
ORBIT_HANDOFF_CHECKUP_WEEKS = int(os.environ.get("ORBIT_HANDOFF_CHECKUP_WEEKS", "4"))
# A portfolio move whose worker gave no sign of life (a heartbeat every few accounts) for this long is marked
# failed: the worker died and, the move being all or nothing, nothing moved. Orbit's own default.
ORBIT_BULK_MOVE_STALE_MINUTES = int(os.environ.get("ORBIT_BULK_MOVE_STALE_MINUTES", "5"))
# A bulk action on the account list ("select all matching the filter") takes at most this many accounts, done in
# the request, in one transaction. Orbit's own default: 1,000 tier changes took 23 s on a busy 2-core test machine,
# too close to a worker's timeout; 500 stays well inside it. There is no background run (yet).
ORBIT_BULK_ACTION_MAX = int(os.environ.get("ORBIT_BULK_ACTION_MAX", "500"))
# An import file larger than this is checked and imported in the background with a progress page (Orbit's
# default: 5 MB, some 60,000 rows of a CRM's accounts export, a minute or more of work).
ORBIT_IMPORT_BACKGROUND_BYTES = int(os.environ.get("ORBIT_IMPORT_BACKGROUND_BYTES", str(5 * 1024 * 1024)))
# Health: not ready when the oldest task waiting for the worker has waited longer than this (Orbit's default).
ORBIT_READY_QUEUE_AGE_MINUTES = int(os.environ.get("ORBIT_READY_QUEUE_AGE_MINUTES", "15"))
# A worker silent longer than this is reported missing by /health/ready (Orbit's default; heartbeats every 30 s).
ORBIT_WORKER_SILENCE_MINUTES = int(os.environ.get("ORBIT_WORKER_SILENCE_MINUTES", "2"))
# The database away or read-only: 503 with this Retry-After, in seconds (orbit/ops/unavailable.py; Orbit's default).
# A task whose worker died is queued again this many times, then marked failed (orbit/ops/stale_tasks.py;
# Orbit's default).
ORBIT_TASK_RETRIES = int(os.environ.get("ORBIT_TASK_RETRIES", "1"))
ORBIT_RETRY_AFTER_SECONDS = int(os.environ.get("ORBIT_RETRY_AFTER_SECONDS", "30"))
# /health/metrics answers the loopback, and others presenting this as a bearer token (unset: loopback only).
ORBIT_METRICS_TOKEN = os.environ.get("ORBIT_METRICS_TOKEN", "")
# API requests a minute per token or signed-in user before 429 (orbit/ops/ratelimit.py; Orbit's default; 0: off).
ORBIT_API_RATE_LIMIT = int(os.environ.get("ORBIT_API_RATE_LIMIT", "1200"))
# Exports (Orbit's defaults): a list longer than this is written by the background worker into a file under
# MEDIA_ROOT, with a progress page and a notification; the file is removed after this many days.
ORBIT_EXPORT_BACKGROUND_ROWS = int(os.environ.get("ORBIT_EXPORT_BACKGROUND_ROWS", "20000"))
ORBIT_EXPORT_KEEP_DAYS = int(os.environ.get("ORBIT_EXPORT_KEEP_DAYS", "7"))
# Contacts of accounts churned more than this many years ago are anonymised by the morning run (orbit/privacy;
# 152-FZ: kept no longer than the purpose needs). Orbit's default.
ORBIT_PERSONAL_DATA_RETENTION_YEARS = int(os.environ.get("ORBIT_PERSONAL_DATA_RETENTION_YEARS", "3"))
# Largest file upload (multipart) a request may carry, in MB (orbit/ops/body_limit.py; Orbit's default, as the
# reverse proxy's client_max_body_size). Other bodies: Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
ORBIT_MAX_UPLOAD_MB = int(os.environ.get("ORBIT_MAX_UPLOAD_MB", "200"))
# Lists count at most this many rows and then show "more than 1,000" (see orbit/common/pagination.py).
ORBIT_COUNT_CAP = int(os.environ.get("ORBIT_COUNT_CAP", "1000"))

# SQLite cannot enforce "one active cadence rule per criteria" with NULLs (PostgreSQL does); the service
# checks the clash on every database, so the warning only adds noise to `make demo`.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# The revenue ledger. The base currency every report is in (Orbit's default RUB; set it once, before the first
# document: stored base amounts are not re-converted). A currency rate is taken from the latest published day on
# or before the document's date, at most ORBIT_RATE_MAX_AGE_DAYS back (Orbit's default 10 covers the Russian New
# Year holidays, when the Bank of Russia publishes nothing); older than that is a missing rate, never 1.0.
ORBIT_BASE_CURRENCY = os.environ.get("ORBIT_BASE_CURRENCY", "RUB")
ORBIT_RATE_MAX_AGE_DAYS = int(os.environ.get("ORBIT_RATE_MAX_AGE_DAYS", "10"))
# Managers' KPIs (docs/managers-kpi.md): the peers' band edges, per scale, override Orbit's defaults
# (orbit/kpi/peers.py DEFAULT_BANDS), e.g. {"accounts": [30, 100], "budget": [10000000, 50000000]}.
ORBIT_KPI_PEER_BANDS: dict = {}

# Optional error reporting to Sentry or a compatible service (orbit/ops/errors.py): off unless SENTRY_DSN is set.
if os.environ.get("SENTRY_DSN"):
    from orbit.ops.errors import start_error_reporting

    start_error_reporting(os.environ["SENTRY_DSN"])

# Company details by INN (docs/account-card.md): DaData's findById/party, off without a key. The timeout is
# Orbit's default: long enough for the service's usual answer, short enough not to hold the person typing.
ORBIT_DADATA_API_KEY = os.environ.get("ORBIT_DADATA_API_KEY", "")
ORBIT_DADATA_URL = os.environ.get(
    "ORBIT_DADATA_URL", "https://suggestions.dadata.ru/suggestions/api/4_1/rs/findById/party"
)
ORBIT_DADATA_TIMEOUT = float(os.environ.get("ORBIT_DADATA_TIMEOUT", "3"))

"""Settings for bankingsystem, read from the environment in one place (12-factor).

Unset variables fall back to the embedded default: SQLite and in-process Celery, so
`make run` works on a machine with nothing but Python. `DATABASE_URL` and `REDIS_URL`
switch to PostgreSQL and Redis (tests, docker-compose, Kubernetes).
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from corsheaders.defaults import default_headers

from bankingsystem import logs

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local, git-ignored .env (written by `make run` with a fresh random SECRET_KEY) is read
# if present; real deployments pass variables directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, not a CDN
    "django_celery_beat",
    "customers",
    "accounts",
    "transactions",
    "loans",
    "interest",
    "risk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bankingsystem.urls"
WSGI_APPLICATION = "bankingsystem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock instead of failing, and take the write
    # lock at BEGIN so two transfers cannot both read a balance before either writes.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
# PostgreSQL's JIT compiles every query the planner costs above jit_above_cost before running
# it: 20 to 390 ms of compiling on history pages that then ran in 10 to 300 ms (docs/performance.md,
# "Reads"). Requests and tasks here are short; DB_JIT=on gives it back to a process that wants it.
#
# Parameters bound by the server, and statements a connection has run DB_PREPARE_THRESHOLD
# times prepared: PostgreSQL then skips parsing a transfer's lock, its one-statement write
# (audit event included) again and again. Every execution is still planned for its own
# values (plan_cache_mode=force_custom_plan): after five runs PostgreSQL may otherwise switch
# a prepared statement to a generic plan, and the generic plan of the statement CSV's keyset
# chunk read 1,800 rows/s instead of 60,000. Behind a pooler in transaction mode that cannot
# carry prepared statements (PgBouncer before 1.21), set DB_PREPARE_THRESHOLD empty.
_PREPARE_THRESHOLD = env.str("DB_PREPARE_THRESHOLD", default="5")
PG_SESSION_OPTIONS = " ".join(
    option
    for option, wanted in (
        ("-c jit=off", not env.bool("DB_JIT", default=False)),
        ("-c plan_cache_mode=force_custom_plan", bool(_PREPARE_THRESHOLD)),
        # Large values (a batch's audit event, the outbox row naming its journals) compressed
        # with lz4 rather than pglz, which took 3% of a 1,000-transfer batch's database CPU.
        ("-c default_toast_compression=lz4", env.bool("DB_TOAST_LZ4", default=True)),
    )
    if wanted
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} {PG_SESSION_OPTIONS}".strip()
    _options["server_side_binding"] = env.bool("DB_SERVER_SIDE_BINDING", default=True)
    _options["prepare_threshold"] = int(_PREPARE_THRESHOLD) if _PREPARE_THRESHOLD else None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)

# --- Locale ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-in"
TIME_ZONE = env("TIME_ZONE", default="Asia/Kolkata")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "customers.authentication.SessionJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["bankingsystem.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "bankingsystem.pagination.NewestFirstCursorPagination",
    "EXCEPTION_HANDLER": "bankingsystem.errors.problem_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "STRICT_JSON": True,
    # `?format=csv` on statements is ours to read, not DRF's renderer override.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": None,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "bankingsystem API",
    "DESCRIPTION": (
        "Core banking API. Money is a decimal string; every money-moving POST accepts an "
        "Idempotency-Key header; errors are RFC 9457 problem details with a stable `code`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AccountStatusEnum": "accounts.models.Account.Status",
        "JournalKindEnum": "transactions.models.Journal.Kind",
    },
}

# --- Celery ---------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without Redis (the embedded default) tasks run in-process as they are sent.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No "task-sent" event: nothing here consumes it (celery_task_sent_total comes from Celery's
# after_task_publish signal, bankingsystem/celery_metrics.py), and publishing it was a second
# broker message on every task a web process sends (the outbox drain, up to twice a second per
# process). Set it for Flower, whose workers' own events (below) still flow.
CELERY_TASK_SEND_SENT_EVENT = env.bool("CELERY_TASK_SEND_SENT_EVENT", default=False)
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- The bank -------------------------------------------------------------------------
# Account numbers begin with BANK_CODE + branch code (the routing code), see accounts.numbers.
BANK_CODE = env("BANK_CODE", default="101")
BANK_NAME = env("BANK_NAME", default="Bankingsystem Bank")
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", default="INR")
# Ceiling on any single customer movement, whatever the account type allows.
MAX_TRANSACTION_AMOUNT = Decimal(env.str("MAX_TRANSACTION_AMOUNT", default="10000000.00"))

# --- Loans ----------------------------------------------------------------------------
# Applications of at least this amount need a second loan officer's approval (maker-checker).
LOAN_MAKER_CHECKER_AMOUNT = Decimal(env.str("LOAN_MAKER_CHECKER_AMOUNT", default="500000.00"))
# Where `train_loan_model` saves the risk model and its card (git-ignored; `make run` trains it).
LOAN_MODEL_DIR = Path(env.str("LOAN_MODEL_DIR", default=str(BASE_DIR / "var" / "loan-model")))
# Currency units per Deutsche Mark-equivalent when feeding amounts to the German Credit
# model: a scaling choice recorded in the model card (see loans/ml/features.py).
LOAN_RISK_CURRENCY_PER_DM = env.str("LOAN_RISK_CURRENCY_PER_DM", default="100")

# --- Logging --------------------------------------------------------------------------
# JSON lines on stdout (structlog), with request_id/user_id/task_id; LOG_FORMAT=console for people.
LOGGING = logs.logging_config(level=env("LOG_LEVEL", default="INFO"), fmt=env("LOG_FORMAT", default="json"))
logs.configure_structlog()
DJANGO_STRUCTLOG_CELERY_ENABLED = True

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
# Production (DEBUG off) is secure by default; `make run` (DEBUG on) serves plain HTTP.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)

# --- Observability (issue 9) ------------------------------------------------------------
INSTALLED_APPS += ["django_prometheus", "django_structlog"]
# django-prometheus times the whole stack: its first middleware opens, its last closes.
# django-structlog binds request_id (X-Request-ID when given) and user_id to every log line.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *MIDDLEWARE,
    "bankingsystem.middleware.RequestLogMiddleware",  # django-structlog's, cheaper (see there)
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Same backend, plus query/error/connection counters per database: django_prometheus's,
    # counted with less work per statement (bankingsystem/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "bankingsystem.postgresql"
PROMETHEUS_EXPORT_MIGRATIONS = False  # /readyz answers for migrations
# /metrics answers only to these networks (see bankingsystem/metrics.py); the default is this host.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
CELERY_BEAT_SCHEDULE = {
    "ledger-integrity-check": {
        "task": "transactions.ledger_integrity_check",
        "schedule": env.float("LEDGER_CHECK_INTERVAL_SECONDS", default=300.0),
    },
}


# --- Identity and security (issue 3) ----------------------------------------------------
INSTALLED_APPS += [
    "corsheaders",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "corsheaders.middleware.CorsMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")

# Throttles live in the cache, which must be shared by every worker process: Redis when
# configured, a per-process memory cache in the embedded default.
CACHES = {
    "default": env.cache_url("CACHE_URL", default=REDIS_URL or "locmemcache://"),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "bankingsystem.cache.RedisCache"  # one client per pool, not per call
REST_FRAMEWORK["TEST_REQUEST_DEFAULT_FORMAT"] = "json"
# DRF's anon, user and scope throttles, checked in one Redis round trip (bankingsystem/throttling.py).
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["bankingsystem.throttling.RequestRateThrottle"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": env("THROTTLE_ANON", default="120/min"),
    "user": env("THROTTLE_USER", default="600/min"),
    "auth": env("THROTTLE_AUTH", default="20/min"),  # login, OTP step, register, password reset (per IP)
    "money": env("THROTTLE_MONEY", default="120/min"),  # deposits, withdrawals, transfers (per user)
    "sensitive": env("THROTTLE_SENSITIVE", default="20/min"),  # PIN, password, OTP set-up (per user)
}
# Reverse proxies (ingress) must set X-Forwarded-For; only then is it trusted for the client IP.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
REST_FRAMEWORK["NUM_PROXIES"] = 1 if TRUST_X_FORWARDED_FOR else 0

# Two-factor: TOTP (RFC 6238) with backup codes. A failed code locks the device for
# FACTOR * 2**(failures - 1) seconds (django-otp's throttling).
OTP_TOTP_ISSUER = BANK_NAME
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
OTP_BACKUP_CODES = env.int("OTP_BACKUP_CODES", default=10)
OTP_LOGIN_CHALLENGE_SECONDS = env.int("OTP_LOGIN_CHALLENGE_SECONDS", default=300)

# Step-up: a transfer of at least this amount needs a fresh OTP (or the PIN).
STEP_UP_TRANSFER_AMOUNT = Decimal(env.str("STEP_UP_TRANSFER_AMOUNT", default="50000.00"))

# The audit trail is this many hash chains side by side; a database session writes to one
# (audit/models.py). More lanes, fewer writers queueing on one chain head. Raising it is
# safe at any time; lowering it leaves the higher lanes' chains as they are (still verified).
AUDIT_CHAIN_LANES = env.int("AUDIT_CHAIN_LANES", default=16)

# Fraud screening of transfers (risk/): scores in 0..1; SAFE below the first threshold,
# SUSPICIOUS (posted, alert raised) up to the second, CRITICAL (held for review) above it.
FRAUD_SCREENING = env.bool("FRAUD_SCREENING", default=True)
FRAUD_SUSPICIOUS_THRESHOLD = env.float("FRAUD_SUSPICIOUS_THRESHOLD", default=0.5)
FRAUD_CRITICAL_THRESHOLD = env.float("FRAUD_CRITICAL_THRESHOLD", default=0.8)
TRANSACTION_PIN_MAX_ATTEMPTS = env.int("TRANSACTION_PIN_MAX_ATTEMPTS", default=5)
TRANSACTION_PIN_LOCK_MINUTES = env.int("TRANSACTION_PIN_LOCK_MINUTES", default=30)

# Lockout: this many failed logins (password or OTP) for one username, or from one IP,
# within the window lock further attempts until the window has passed (or staff lift it).
LOGIN_LOCKOUT_USER_FAILURES = env.int("LOGIN_LOCKOUT_USER_FAILURES", default=5)
LOGIN_LOCKOUT_IP_FAILURES = env.int("LOGIN_LOCKOUT_IP_FAILURES", default=30)
LOGIN_LOCKOUT_WINDOW = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))

# Passwords: Argon2 (first in PASSWORD_HASHERS above); reset links are single-use and short-lived.
AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"] = {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)}
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
PASSWORD_RESET_URL = env("PASSWORD_RESET_URL", default="http://127.0.0.1:8000/reset-password?uid={uid}&token={token}")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@bank.example")

# Hardening: `check --deploy` reports nothing when DEBUG is off (bankingsystem/tests/test_deploy.py).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # kubelet probes speak plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=3600)
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (
    *default_headers,
    "idempotency-key",
    "x-otp",
    "x-transaction-pin",
)
CORS_EXPOSE_HEADERS = ["Retry-After", "Idempotent-Replayed"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],  # admin and Swagger UI set inline styles; scripts stay strict
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}


# --- Account lifecycle, cards, payments, support, notifications, statements, audit (issue 7) ---
INSTALLED_APPS += ["audit", "notifications", "cards", "payments", "support", "statements"]
# An active account with no customer activity (own deposits, withdrawals, transfers out) for
# this long becomes dormant (daily beat task); staff reactivate it.
ACCOUNT_DORMANCY_DAYS = env.int("ACCOUNT_DORMANCY_DAYS", default=730)
# A new beneficiary may receive at most this much in total during its cooling-off period.
BENEFICIARY_COOLING_OFF_HOURS = env.int("BENEFICIARY_COOLING_OFF_HOURS", default=24)
BENEFICIARY_COOLING_OFF_LIMIT = Decimal(env.str("BENEFICIARY_COOLING_OFF_LIMIT", default="25000.00"))
CARD_DAILY_LIMIT_DEFAULT = Decimal(env.str("CARD_DAILY_LIMIT_DEFAULT", default="50000.00"))
CARD_DAILY_LIMIT_MAX = Decimal(env.str("CARD_DAILY_LIMIT_MAX", default="200000.00"))
# A standing order that fails (insufficient funds...) is tried again the next day, this many times in all.
STANDING_ORDER_MAX_ATTEMPTS = env.int("STANDING_ORDER_MAX_ATTEMPTS", default=3)
NOTIFY_LARGE_DEBIT_AMOUNT = Decimal(env.str("NOTIFY_LARGE_DEBIT_AMOUNT", default="10000.00"))
# Money notifications come from an outbox written with the posting (notifications.services):
# a drain runs this long after a posting commits (one per web process per interval, however
# many postings), and the beat drains every OUTBOX_DRAIN_INTERVAL_SECONDS as a safety net.
OUTBOX_DRAIN_DELAY_SECONDS = env.float("OUTBOX_DRAIN_DELAY_SECONDS", default=0.5)
OUTBOX_QUEUE = env.str("OUTBOX_QUEUE", default=None)  # None: Celery's default queue
CELERY_BEAT_SCHEDULE["notifications-outbox-drain"] = {
    "task": "notifications.journal_outbox_drain",
    "schedule": env.float("OUTBOX_DRAIN_INTERVAL_SECONDS", default=30.0),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "CardStatusEnum": "cards.models.Card.Status",
        "CardBlockReasonEnum": "cards.models.Card.BlockReason",
        "CardBlockRequestReasonEnum": ["temporary", "lost", "stolen", "damaged", "bank"],
        "TicketStatusEnum": "support.models.Ticket.Status",
        "BeneficiaryStatusEnum": "payments.models.Beneficiary.Status",
        "StandingOrderStatusEnum": "payments.models.StandingOrder.Status",
        "StandingOrderRunStatusEnum": "payments.models.StandingOrderRun.Status",
    }
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))  # for the filebased email backend
CELERY_BEAT_SCHEDULE.update(
    {
        "accounts-mark-dormant": {"task": "accounts.mark_dormant", "schedule": crontab(minute=15, hour=1)},
        "standing-orders-run": {"task": "payments.standing_orders_run", "schedule": crontab(minute=5)},
        "statements-monthly": {
            "task": "statements.generate_monthly",
            "schedule": crontab(minute=30, hour=2, day_of_month=1),
        },
        "audit-chain-verify": {"task": "audit.chain_verify", "schedule": crontab(minute=45, hour=3)},
    }
)
# --- Customer web app (frontend/) ---------------------------------------------------------
# The Vite build, served by WhiteNoise at the site root; bankingsystem.spa answers other paths.
FRONTEND_DIST_DIR = Path(env.str("FRONTEND_DIST_DIR", default=str(BASE_DIR / "frontend" / "dist")))
if FRONTEND_DIST_DIR.is_dir():
    WHITENOISE_ROOT = FRONTEND_DIST_DIR
# Cached for a year: names that carry a content hash, Django's (name.<12 hex>.ext, from the
# manifest storage) and Vite's (/assets/name-<hash>.ext). WhiteNoise takes a regex here.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/(?:static/.+\.[0-9a-f]{12}\.\w+|assets/.+-[\w-]{8,}\.\w+)$"
# --- Distributed banking (issue 10): partitions, replication, federation -----------------
CELERY_BEAT_SCHEDULE["ledger-partitions-ahead"] = {
    "task": "transactions.partitions_maintain",
    "schedule": env.float("PARTITION_MAINTENANCE_INTERVAL_SECONDS", default=6 * 3600.0),
}
INSTALLED_APPS += ["interbank"]

# Read replica (logical replication subscriber; see README "Distributed banking"). Chosen
# read-only queries (statements, history, integrity report) go there while its lag, read
# from a heartbeat row beat touches on the primary, stays under REPLICA_MAX_LAG_SECONDS.
REPLICA_DATABASE_URL = env("REPLICA_DATABASE_URL", default="")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = env.db_url("REPLICA_DATABASE_URL")
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": env.int("REPLICA_CONNECT_TIMEOUT", default=2)}
    if PG_SESSION_OPTIONS:
        DATABASES["replica"]["OPTIONS"]["options"] = PG_SESSION_OPTIONS
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests of other apps see one database
DATABASE_ROUTERS = ["bankingsystem.replica.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
REPLICA_HEARTBEAT_SECONDS = env.float("REPLICA_HEARTBEAT_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE["replication-heartbeat"] = {
    "task": "interbank.replication_heartbeat",
    "schedule": REPLICA_HEARTBEAT_SECONDS,
}

# Branch nodes (two-phase commit) and other banks (Redis Streams). By default this node
# holds every branch of BANK_CODE and knows no other bank.
NODE_CODE = env("NODE_CODE", default="main")
# Branch code -> node code for branches held elsewhere, e.g. "0002=south,0003=south".
BRANCH_NODES = env.dict("BRANCH_NODES", default={})
# Node code -> base URL of its API, e.g. "south=https://south.bank.internal".
NODE_PEERS = env.dict("NODE_PEERS", default={})
# Shared secret of the bank's nodes: every node-to-node call is HMAC-signed with it.
NODE_SHARED_SECRET = env("NODE_SHARED_SECRET", default="")
NODE_CALL_TIMEOUT_SECONDS = env.float("NODE_CALL_TIMEOUT_SECONDS", default=5.0)
NODE_SIGNATURE_MAX_AGE_SECONDS = env.int("NODE_SIGNATURE_MAX_AGE_SECONDS", default=30)
# Prepared transactions with no decision after this long are resolved by recovery.
TWO_PC_RECOVERY_AFTER_SECONDS = env.float("TWO_PC_RECOVERY_AFTER_SECONDS", default=60.0)
# Bank codes we exchange transfers with, over the broker at INTERBANK_REDIS_URL.
INTERBANK_BANKS = env.list("INTERBANK_BANKS", default=[])
INTERBANK_REDIS_URL = env("INTERBANK_REDIS_URL", default=REDIS_URL)
INTERBANK_STREAM_PREFIX = env("INTERBANK_STREAM_PREFIX", default="interbank:")
# A pending stream entry idle this long belongs to a dead consumer and is reclaimed (XAUTOCLAIM).
INTERBANK_CLAIM_IDLE_MS = env.int("INTERBANK_CLAIM_IDLE_MS", default=30000)
# Named fault points that hang the process there (tests SIGKILL it): never set in production.
FAULT_POINTS = env.list("FAULT_POINTS", default=[])
# Tests: publish every outbox event twice, to prove the inbox drops duplicates.
INTERBANK_PUBLISH_TWICE = env.bool("INTERBANK_PUBLISH_TWICE", default=False)
CELERY_BEAT_SCHEDULE |= {
    "interbank-outbox-relay": {"task": "interbank.outbox_relay", "schedule": 5.0},
    "interbank-inbox-consume": {"task": "interbank.inbox_consume", "schedule": 5.0},
    "two-phase-commit-recovery": {"task": "interbank.two_phase_recovery", "schedule": 30.0},
}

"""Zhibu settings: one module, read from the environment (see .env.example).

ZHIBU_ENV selects the mode: ``development`` (default: SQLite under var/, secrets
generated into var/), ``test`` (what pytest uses) or ``production`` (every secret
required, secure cookies and headers).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from zhibu import config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = config.private_dir(BASE_DIR / "var")

try:
    ENVIRONMENT = config.environment()
    PRODUCTION = ENVIRONMENT == "production"
    TESTING = ENVIRONMENT == "test"
    DEBUG = config.env_bool("ZHIBU_DEBUG", default=ENVIRONMENT == "development")
    SECRET_KEY = config.secret_key(base_dir=BASE_DIR, production=PRODUCTION)
    FIELD_KEY = config.field_key(base_dir=BASE_DIR, production=PRODUCTION)
    DATABASES = {
        "default": config.database(
            config.env_str("DATABASE_URL"), base_dir=BASE_DIR, production=PRODUCTION
        )
    }
    REPLICA_URL = config.env_str("ZHIBU_REPLICA_URL")
    # Route read-only pages to the replica. Off under tests, where most tests keep their
    # data in one uncommitted transaction; tests/core/test_replica.py turns it on.
    REPLICA_READS = bool(REPLICA_URL) and ENVIRONMENT != "test"
    if REPLICA_URL:
        DATABASES["replica"] = config.database(
            REPLICA_URL, base_dir=BASE_DIR, production=PRODUCTION
        )
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    ALLOWED_HOSTS = config.env_list(
        "ZHIBU_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
    )
    if PRODUCTION and not ALLOWED_HOSTS:
        raise config.ConfigError(
            "ZHIBU_ALLOWED_HOSTS is required in production, e.g. zhibu.example.cn."
        )
    if PRODUCTION and DEBUG:
        raise config.ConfigError("ZHIBU_DEBUG must be off in production.")
    SECURE_SSL_REDIRECT = config.env_bool("ZHIBU_SSL_REDIRECT", PRODUCTION)
    HSTS_SECONDS = config.env_int("ZHIBU_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
    EMAIL_HOST = config.env_str("ZHIBU_EMAIL_HOST")
    EMAIL_PORT = config.env_int("ZHIBU_EMAIL_PORT", 465)
    EMAIL_USE_SSL = config.env_bool("ZHIBU_EMAIL_SSL", EMAIL_PORT == 465)
    EMAIL_USE_TLS = config.env_bool("ZHIBU_EMAIL_TLS", EMAIL_PORT == 587)
    SESSION_IDLE_SECONDS = config.env_int("ZHIBU_SESSION_IDLE_MINUTES", 30) * 60
    SESSION_ABSOLUTE_SECONDS = config.env_int("ZHIBU_SESSION_MAX_HOURS", 12) * 3600
except config.ConfigError as exc:
    config.fail(str(exc))

CSRF_TRUSTED_ORIGINS = config.env_list("ZHIBU_CSRF_TRUSTED_ORIGINS", [])

# --- applications -------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    # Well-kept libraries for solved problems (see docs/architecture.md).
    "treebeard",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    # Zhibu's own apps.
    "zhibu.core",
    "zhibu.accounts",
    "zhibu.orgs",
    "zhibu.rulebook",
    "zhibu.members",
    "zhibu.discipline",
    "zhibu.committees",
    "zhibu.meetings",
    "zhibu.duties",
    "zhibu.development",
    "zhibu.dues",
    "zhibu.study",
    "zhibu.integrity",
    "zhibu.accountability",
    "zhibu.assessment",
    "zhibu.reviews",
    "zhibu.census",
    "zhibu.notices",
    "zhibu.insight",
    "zhibu.api",
    # Generators of demo and benchmark data (their management commands); no models.
    "zhibu.demo",
    "zhibu.synth",
]
# django.contrib.admin is deliberately absent: it would read every table unscoped and
# show personal data to platform administrators (see docs/architecture.md).

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhibu.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Messages before the idle timeout, which leaves one for the sign-in page (after it,
    # signing out an idle session was a 500).
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhibu.core.middleware.IdleTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "zhibu.accounts.middleware.TwoFactorMiddleware",
    "zhibu.accounts.middleware.PasswordChangeRequiredMiddleware",
    "zhibu.core.middleware.AccessDecisionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhibu.urls"
WSGI_APPLICATION = "zhibu.wsgi.application"
ASGI_APPLICATION = "zhibu.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_ROUTERS = ["zhibu.core.db.ReplicaRouter"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhibu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhibu.orgs.context_processors.shell",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                "zhibu.core.templatetags.zhibu",
            ],
        },
    }
]

FORM_RENDERER = "zhibu.core.forms.FormRenderer"

# --- authentication and sessions ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first: it refuses locked accounts
    "django.contrib.auth.backends.ModelBackend",
    # Members' first sign-in with a one-time code from their distribution sheet.
    "zhibu.accounts.signin_codes.SignInCodeBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Fast hashing for the thousands of users the suite creates; production uses argon2
    # (tests/test_settings.py checks it in a production-mode process).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "zhibu.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhibu.accounts.validators.CharacterClassValidator"},
    {"NAME": "zhibu.accounts.validators.PinyinPasswordValidator"},
    {"NAME": "zhibu.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
]

# The audit chain's head is appended here by `tick` (outside the database; docs/security.md),
# and to syslog (authpriv) when ZHIBU_AUDIT_ANCHOR_SYSLOG is on.
ZHIBU_AUDIT_ANCHOR_FILE = config.env_str("ZHIBU_AUDIT_ANCHOR_FILE") or str(
    VAR_DIR / "audit-anchors.log"
)
ZHIBU_AUDIT_ANCHOR_SYSLOG = config.env_bool("ZHIBU_AUDIT_ANCHOR_SYSLOG", False)

# Lock an account for 30 minutes after 10 failed logins (django-axes); before that each
# try after the third waits a growing delay, and one address may fail 30 times in 15
# minutes over all accounts (zhibu.accounts.throttle, docs/architecture.md decisions).
AXES_FAILURE_LIMIT = config.env_int("ZHIBU_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=config.env_int("ZHIBU_LOCKOUT_MINUTES", 30))
ZHIBU_LOGIN_BACKOFF_SECONDS = config.env_int("ZHIBU_LOGIN_BACKOFF_SECONDS", 5)
ZHIBU_LOGIN_IP_LIMIT = config.env_int("ZHIBU_LOGIN_IP_LIMIT", 30)
ZHIBU_LOGIN_IP_WINDOW_MINUTES = config.env_int("ZHIBU_LOGIN_IP_WINDOW_MINUTES", 15)
# Platform administrators must change their password after this many days (0: never);
# others' passwords do not expire unless ZHIBU_PASSWORD_MAX_DAYS is set.
ZHIBU_ADMIN_PASSWORD_MAX_DAYS = config.env_int("ZHIBU_ADMIN_PASSWORD_MAX_DAYS", 90)
ZHIBU_PASSWORD_MAX_DAYS = config.env_int("ZHIBU_PASSWORD_MAX_DAYS", 0)
# Two-factor sign-in (TOTP) for the platform administrators and whoever may reveal or
# export personal data: on in production, off elsewhere so `make demo` signs in with the
# password alone. Users with a device are asked for a code whatever the setting.
ZHIBU_REQUIRE_2FA = config.env_bool("ZHIBU_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "Zhibu"
# 双人原则: whoever created an account today may not grant it a role (docs/security.md).
ZHIBU_GRANT_TWO_PERSON_RULE = config.env_bool("ZHIBU_GRANT_TWO_PERSON_RULE", True)
# Days a one-time sign-in code on a member's distribution sheet stays valid.
ZHIBU_SIGN_IN_CODE_DAYS = 14
# Lock the account (等保 2.0: 限制非法登录次数), not the address: a whole office behind one
# NAT address must not be locked out by one colleague's typos. Per-address throttling is
# nginx's limit_req (see the deployment section of the README), hence axes.W006 is silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = config.env_int("ZHIBU_PROXY_COUNT", 0)

# Idle sessions end after 30 minutes (zhibu.core.middleware.IdleTimeoutMiddleware).
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- database, cache, tasks -------------------------------------------------------
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Counters every process must share (sign-in throttling, the API's bad-token counter):
    # in the database, created by migration accounts 0006.
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "zhibu_cache",
    },
}
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "zhibu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
FORMAT_MODULE_PATH = ["zhibu.formats"]  # Chinese month-day without a leading zero
USE_TZ = True

# --- static and uploaded files ---------------------------------------------------------
STATIC_URL = "static/"
# Outside production static files come straight from the finders (WHITENOISE_USE_FINDERS);
# collectstatic fills STATIC_ROOT for production only.
STATIC_ROOT = VAR_DIR / "staticfiles" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "zhibu" / "static"]
MEDIA_ROOT = VAR_DIR / "media"  # never served directly: attachments go through access checks
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads hold personal data (import workbooks carry clear ID numbers): service account only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- security headers --------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_HSTS_SECONDS = HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if PRODUCTION:
    # nginx terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# No inline script or style anywhere (zhibu.core.middleware.SecurityHeadersMiddleware).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI (django-ninja, from static) sets inline styles; scripts stay file-only.
CSP_API_DOCS_PREFIX = "/api/v1/docs"
CSP_API_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# --- email -------------------------------------------------------------------------
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST_USER = config.env_str("ZHIBU_EMAIL_USER")
EMAIL_HOST_PASSWORD = config.env_str("ZHIBU_EMAIL_PASSWORD")
DEFAULT_FROM_EMAIL = config.env_str("ZHIBU_EMAIL_FROM", "zhibu@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- logging -------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (403) is one warning line, not a traceback: it is expected traffic.
    "filters": {"no_forbidden_traceback": {"()": "zhibu.core.logs.ForbiddenWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_forbidden_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO" if not TESTING else "WARNING"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Zhibu ---------------------------------------------------------------------------
# The demo users' password, printed by `make demo`; demo_data refuses to run in production.
ZHIBU_DEMO_PASSWORD = "Zhibu@2026demo"  # noqa: S105

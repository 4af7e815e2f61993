"""Settings for tanhua, read from the environment.

DATABASE_URL          default: SQLite at var/tanhua.sqlite3 (the embedded default)
TANHUA_SECRET_KEY     required when TANHUA_DEBUG is off; a random per-install key otherwise
TANHUA_DEBUG          1/true to enable debug pages (never in production)
TANHUA_ALLOWED_HOSTS  comma-separated host names
TANHUA_VAR_DIR        where the SQLite file, uploads and generated files live (default ./var)
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("TANHUA_VAR_DIR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    return int(os.environ.get(name, str(default)))


def _secret_key():
    key = os.environ.get("TANHUA_SECRET_KEY")
    if key:
        return key
    # An install without a configured key keeps a random one under var/, so sessions
    # survive restarts but no key is ever shared between installations.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("TANHUA_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("TANHUA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "tanhua",
    "tanhua.accounts",
    "tanhua.audit",
    "tanhua.registry",
    "tanhua.clues",
    "tanhua.talks",
    "tanhua.rectification",
    "tanhua.api",
    "tanhua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tanhua.i18n.TraditionalChineseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "tanhua.text.ControlCharacterMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tanhua.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "tanhua.accounts.middleware.SecurityHeadersMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After login is known: sends users who owe a second factor or a new password there first.
    "tanhua.accounts.middleware.LoginGateMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tanhua.urls"
WSGI_APPLICATION = "tanhua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["tanhua.templatetags.cn"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'tanhua.sqlite3'}",
        conn_max_age=env_int("TANHUA_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE transactions
        # avoid "database is locked" on lock upgrades under concurrent writers.
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=10000;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA mmap_size=134217728;"
            "PRAGMA cache_size=-20000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TANHUA_TEST_SQLITE_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user name or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "tanhua.accounts.backends.RoleBackend",
]
# Days a password stays valid before the user must change it; 0 turns expiry off.
TANHUA_PASSWORD_MAX_AGE_DAYS = env_int("TANHUA_PASSWORD_MAX_AGE_DAYS", 90)

# Lockout (等保 level 3): 5 failures lock the user name, and separately the address, for 15 minutes.
AXES_FAILURE_LIMIT = env_int("TANHUA_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TANHUA_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tanhua.accounts.views.locked_out"
# The login log is our own (accounts.LoginEvent); axes keeps only its attempt counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For entries are trusted.
AXES_IPWARE_PROXY_COUNT = env_int("TANHUA_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else [
    "REMOTE_ADDR"
]

OTP_TOTP_ISSUER = "谈话监督管理系统"

# Encryption of reporters' identity at rest (tanhua.crypto): a base64 32-byte key; aes-gcm or sm4-gcm.
TANHUA_FIELD_KEY = os.environ.get("TANHUA_FIELD_KEY", "")
TANHUA_FIELD_OLD_KEYS = os.environ.get("TANHUA_FIELD_OLD_KEYS", "")
TANHUA_FIELD_CIPHER = os.environ.get("TANHUA_FIELD_CIPHER", "aes-gcm")
# Days (working days) a cadre has to answer a written inquiry (函询).
TANHUA_INQUIRY_REPLY_WORKDAYS = env_int("TANHUA_INQUIRY_REPLY_WORKDAYS", 15)
# Default time limit of a clue's handling, in calendar days from receipt.
TANHUA_CLUE_TIME_LIMIT_DAYS = env_int("TANHUA_CLUE_TIME_LIMIT_DAYS", 30)

# Argon2id first: new and changed passwords use it; older hashes are upgraded at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tanhua.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "tanhua.accounts.validators.CharacterClassesValidator", "OPTIONS": {"minimum": 3}},
    {"NAME": "tanhua.accounts.validators.NotContainingUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm at build time (node_modules) and are served by the app.
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded and generated files: outside any web root, served only through permission checks.
UPLOAD_DIR = VAR_DIR / "uploads"
EXPORT_DIR = VAR_DIR / "exports"
CLUE_FILE_DIR = VAR_DIR / "clue-files"
RECTIFICATION_FILE_DIR = VAR_DIR / "rectification-files"
# Reminders (tanhua run-reminders): days before the time limit, and how often while overdue.
TANHUA_REMIND_DAYS_BEFORE = int(os.environ.get("TANHUA_REMIND_DAYS_BEFORE", "7"))
TANHUA_REMIND_OVERDUE_EVERY = int(os.environ.get("TANHUA_REMIND_OVERDUE_EVERY", "7"))
# An overdue item may be escalated to a deadline order after this many days overdue.
TANHUA_ESCALATE_AFTER_DAYS = int(os.environ.get("TANHUA_ESCALATE_AFTER_DAYS", "15"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# The reader holds a whole sheet in memory (about 2 KB a row): 30 MB is about 230,000 rows.
TANHUA_MAX_IMPORT_BYTES = env_int("TANHUA_MAX_IMPORT_BYTES", 30 * 1024 * 1024)
# Uploads larger than this (about 2,000 roster rows) run in the background worker with a progress bar.
TANHUA_BACKGROUND_IMPORT_BYTES = env_int("TANHUA_BACKGROUND_IMPORT_BYTES", 200 * 1024)
# Exports of more cadres than this are written by the background worker (about 10 s here).
TANHUA_BACKGROUND_EXPORT_ROWS = env_int("TANHUA_BACKGROUND_EXPORT_ROWS", 10000)
TANHUA_EXPORT_TTL_HOURS = env_int("TANHUA_EXPORT_TTL_HOURS", 24)

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TANHUA_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Import progress and other short-lived values. A file cache works for the single-machine
# default; several app servers share Redis (TANHUA_REDIS_URL=redis://127.0.0.1:6379/0).
if os.environ.get("TANHUA_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TANHUA_REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Sessions end after 30 idle minutes (accounts.middleware.IdleTimeoutMiddleware) and with the browser.
SESSION_COOKIE_AGE = env_int("TANHUA_SESSION_IDLE_MINUTES", 30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# TANHUA_HTTPS=1 when users reach the system over HTTPS (directly or through a proxy that sets
# X-Forwarded-Proto): cookies only travel encrypted, HTTP is redirected, browsers remember (HSTS).
HTTPS = env_bool("TANHUA_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("TANHUA_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
if env_bool("TANHUA_BEHIND_PROXY") or AXES_IPWARE_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # Preloading HSTS is a decision for the domain's owner, not the application's.
    "security.W021",
]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: every asset is a file served by the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TANHUA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The audit log's hash chain: sha256 by default, "sm3" (国密 SM3) where the deployment requires it.
TANHUA_AUDIT_HASH = os.environ.get("TANHUA_AUDIT_HASH", "sha256")

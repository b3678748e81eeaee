"""Settings for the Regional development website, read from environment variables.

With nothing set, the site runs locally on SQLite with a disk cache beside it.
Every variable is listed in .env.example and in the README.
"""

import datetime
import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core ---------------------------------------------------------------

DEBUG = env_bool("DEBUG")

# Required whenever DEBUG is off: the WSGI and ASGI applications refuse to start without it,
# and Django refuses anything that signs or hashes. Management commands that need no key
# (migrate, makemigrations, collectstatic) still run, so deploy steps work before it is set.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so it can patch it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "django_prose_editor",
    "reversion",
    "reversion_compare",
    "axes",
    "csp",
    "raise_site",
    "contacts",
    "pages",
]

MIDDLEWARE = [
    # Before anything reads them: forwarding headers count only from TRUSTED_PROXIES.
    "raise_site.clients.TrustedProxyMiddleware",
    # Outermost but for that, so that it times and logs every response, page-cache hits
    # included, and its per-request id never ends up in a cached page.
    "raise_site.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The same headers for every visitor, added outside the page cache so that a changed
    # policy applies to cached pages at once.
    # Outside the CSP middleware, so that it sees the policy it adds the editor's hashes to.
    "raise_site.headers.AdminImportMapCSPMiddleware",
    "raise_site.headers.StableCSPMiddleware",
    "raise_site.headers.AdminNoIndexMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers If-None-Match / If-Modified-Since with 304, for cached and fresh pages alike.
    "django.middleware.http.ConditionalGetMiddleware",
    "pages.cache.PageCacheMiddleware",
    # Inside the page cache, so cached pages are stored compressed. CSRF tokens are masked
    # per response, which keeps compressed admin pages safe from BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, except that the admin's 404s stay in the admin.
    "raise_site.errors.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "raise_site.urls"
WSGI_APPLICATION = "raise_site.wsgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections: opening one per request halves PostgreSQL throughput.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
USING_LOCAL_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if USING_LOCAL_SQLITE:
    DATABASES["default"]["OPTIONS"] = {
        # WAL: visitors keep reading while an editor writes. IMMEDIATE: a transaction takes
        # the write lock when it begins, so a writer that finds another at work waits (up to
        # `timeout` seconds) instead of failing with "database is locked" halfway through.
        "init_command": "PRAGMA journal_mode=WAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------

# Cached pages, the state of what they show, and rate limits live in one store that every
# process which sees the database also sees, so that an edit shows on the next request to
# any worker of any app server: Redis when REDIS_URL is set; otherwise the database itself
# on PostgreSQL (Django's database cache, in a table `migrate` makes), or, when the database
# is a local SQLite file that only this machine's processes can open anyway, a disk cache
# (diskcache) in CACHE_DIR. With Redis, the other of the two is its fallback: it answers
# while Redis does not, and every invalidation is written to both.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "raise")
CACHE_DIR = Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache"))
# Room for the whole site without eviction: every page in both languages, compressed and
# plain, with the tags of what they show (README: The page cache).
CACHE_MAX_ENTRIES = int(os.environ.get("CACHE_MAX_ENTRIES", "50000"))  # the database cache
CACHE_SIZE_LIMIT_MB = int(os.environ.get("CACHE_SIZE_LIMIT_MB", "2048"))  # the disk cache
# A Redis that is down or slow costs a request at most REDIS_TIMEOUT seconds, and then for
# REDIS_CIRCUIT_SECONDS costs the process's requests nothing: they use the fallback at once.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.1"))
REDIS_CIRCUIT_SECONDS = float(os.environ.get("REDIS_CIRCUIT_SECONDS", "5"))

if USING_LOCAL_SQLITE:
    SHARED_CACHE = {
        "BACKEND": "pages.cache_backends.DiskCache",
        "LOCATION": str(CACHE_DIR),
        "SHARDS": 4,
        "DATABASE_TIMEOUT": 0.1,
        "OPTIONS": {"size_limit": CACHE_SIZE_LIMIT_MB * 1024 * 1024},
    }
else:
    SHARED_CACHE = {
        "BACKEND": "pages.cache_backends.DatabaseCache",
        "LOCATION": "pages_cache",
        "OPTIONS": {"MAX_ENTRIES": CACHE_MAX_ENTRIES, "CULL_FREQUENCY": 10},
    }
SHARED_CACHE["KEY_PREFIX"] = CACHE_KEY_PREFIX
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "pool_class": "pages.cache_backends.CircuitBreakerPool",
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        },
        "fallback": SHARED_CACHE,
    }
else:
    CACHES = {"default": SHARED_CACHE}

# --- Page cache -----------------------------------------------------------

# Seconds a whole rendered page is kept for visitors; 0 turns the page cache off. Content
# changes take effect on the next request whatever this says.
PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "3600"))
# The site's public address, e.g. https://utveckling.regionorebrolan.se: canonical links,
# hreflang, Open Graph, JSON-LD, the sitemap and calendar feeds use it. Without it they use
# the request's scheme and host, and the page cache stores pages per scheme and host.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if SITE_URL and not re.fullmatch(r"https?://[^/?#\s]+", SITE_URL):
    raise ImproperlyConfigured("SITE_URL must look like https://utveckling.example.se")
# Renders the page cache cannot spare (searches, new filter values, the feedback comment
# form) that one client may cause per window (seconds); more get a 429 page.
PAGE_RENDER_RATE_LIMIT = int(os.environ.get("PAGE_RENDER_RATE_LIMIT", "60"))
PAGE_RENDER_RATE_WINDOW = int(os.environ.get("PAGE_RENDER_RATE_WINDOW", "60"))

# --- Authentication and the admin ---------------------------------------

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out login is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The admin's address below the site root, e.g. "redaktion/"; a less obvious one keeps most
# password-guessing robots away from the login form.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip().strip("/") + "/"
# Addresses the admin must not take: the language prefixes and the site's own endpoints.
RESERVED_PREFIXES = {"sv", "en", "feedback", "health", "static", "media"}
if ADMIN_URL == "/" or ADMIN_URL.split("/")[0] in RESERVED_PREFIXES:
    raise ImproperlyConfigured(f"ADMIN_URL cannot be {ADMIN_URL!r}.")

# An editor's login lasts a working day, and ends sooner when the browser is closed.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# After logging in at the admin's login page with a `next` address that is refused (another
# site's), editors land on the admin's start page.
LOGIN_REDIRECT_URL = "admin:index"

# Login throttling (django-axes, raise_site/logins.py). LOGIN_FAILURE_LIMIT failed logins in
# a row for one user name from one client lock that pair for LOGIN_LOCKOUT_MINUTES, even
# with the right password; the same name from another client is not locked, so nobody can
# lock an editor out from elsewhere. LOGIN_CLIENT_FAILURE_LIMIT failures from one client
# across all user names lock that client (password spraying). Clients are counted by
# address, IPv6 ones by their /64. Attempts live in the database, so every server sees them.
AXES_HANDLER = "raise_site.logins.LoginThrottle"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_CLIENT_FAILURE_LIMIT = int(os.environ.get("LOGIN_CLIENT_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked out are not counted, so the time the lock-out page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Successful logins are not recorded: that would be a register of editors' addresses.
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "raise_site.clients.client_network"
AXES_LOCKOUT_CALLABLE = "raise_site.logins.lockout_response"
AXES_LOCKOUT_TEMPLATE = "lockout.html"

# --- Languages and time -------------------------------------------------

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "sv"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("sv",)

# --- Static files and uploads -------------------------------------------

STATIC_URL = "/static/"
# Uploaded media: on this machine's disk, or in an S3-compatible bucket when one is set, so
# that several app servers share them.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # Photos and logos are public; plain addresses can be cached by browsers.
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    # Compressed, fingerprinted files served by WhiteNoise with far-future cache headers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Photos and logos larger than this are refused (contacts/uploads.py); the proxy in front
# should refuse request bodies much larger than it, too.
IMAGE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024

# --- Security -----------------------------------------------------------

# The proxies in front of the site (addresses or networks, e.g. "127.0.0.1,10.0.0.0/24").
# Only requests from them may say, in X-Forwarded-For and X-Forwarded-Proto, which client
# they carry and whether it came over HTTPS (raise_site/clients.py); from anywhere else those
# headers are removed. Empty: visitors reach the site directly.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
try:
    for _proxy in TRUSTED_PROXIES:
        ipaddress.ip_network(_proxy, strict=False)
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if env_bool("BEHIND_TLS_PROXY") and not TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "BEHIND_TLS_PROXY is replaced by TRUSTED_PROXIES: list the proxy's addresses, "
        "e.g. TRUSTED_PROXIES=127.0.0.1."
    )
# Plain HTTP is redirected to HTTPS in production. `make serve`, `make bench` and
# `make loadtest` turn this off to run on http://127.0.0.1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers check the health endpoint over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Sent over HTTPS only. includeSubDomains covers hosts below this site's own host name.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading binds the whole registrable domain (regionorebrolan.se) and is decided by
    # its owner, not by one site below it; `check --deploy` would otherwise remind us of it.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)

# --- Health -------------------------------------------------------------

# Functions /health/ calls besides its own checks; each returns False while the site's
# content is not there, and /health/ then reports the database as failing.
HEALTH_CHECKS = ["pages.health.home_page_published"]

# --- Calendar and search engines ------------------------------------------

# The domain in iCalendar UIDs: it must never change, or calendars duplicate every event.
ICALENDAR_UID_DOMAIN = os.environ.get("ICALENDAR_UID_DOMAIN", "utveckling.regionorebrolan.se")


def _media_origins() -> list[str]:
    """Where uploaded images are served from when that is not this site: the bucket."""
    if not AWS_STORAGE_BUCKET_NAME:
        return []
    if domain := os.environ.get("AWS_S3_CUSTOM_DOMAIN"):
        return [f"https://{domain}"]
    if endpoint := os.environ.get("AWS_S3_ENDPOINT_URL"):
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    return [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]


# The same policy for every page and every visitor (the page cache replays it), so no nonces:
# the site has no inline scripts or styles, the admin included. The feedback script posts to
# this site only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, *_media_origins()],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Nothing on the site needs these browser features; saying so stops embedded or injected
# code from asking visitors for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# --- Feedback ("Hade du nytta av innehållet på denna sida?") ------------

# Posts one client (an address, or an IPv6 /64) may send per window of seconds, counted in
# the database (raise_site/limits.py) so that every worker and server shares the count.
FEEDBACK_RATE_LIMIT = int(os.environ.get("FEEDBACK_RATE_LIMIT", "10"))
FEEDBACK_RATE_WINDOW = int(os.environ.get("FEEDBACK_RATE_WINDOW", "600"))
FEEDBACK_MAX_BODY_BYTES = 16 * 1024
FEEDBACK_RETENTION_DAYS = int(os.environ.get("FEEDBACK_RETENTION_DAYS", "730"))
PERSONAL_DATA_URL = os.environ.get("PERSONAL_DATA_URL", "https://www.regionorebrolan.se/")

# --- E-mail -------------------------------------------------------------

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# --- Benchmark -----------------------------------------------------------

# Adds /bench/bare/, a view that returns fixed bytes, for `make bench` only.
BENCH_VIEWS = env_bool("BENCH_VIEWS")
BENCH_BARE_FILE = os.environ.get("BENCH_BARE_FILE", "")

# --- Logging ------------------------------------------------------------

# One JSON object per line on standard error, each with the request's id; one line per
# request from raise_site.requestlog (method, path without the query, status, duration). No IP
# addresses: `make serve` runs gunicorn without its access log for that reason.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "raise_site.requestlog.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every login and start-up at INFO; lock-outs still show as warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

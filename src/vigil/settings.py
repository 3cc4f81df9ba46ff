"""Django settings. Everything that differs per installation comes from the environment.

VIGIL_SECRET_KEY   secret key (default: generated once into $VIGIL_DATA_DIR/secret_key)
VIGIL_DEBUG        '1' for development error pages (default off)
VIGIL_ALLOWED_HOSTS comma-separated (default 127.0.0.1,localhost)
DATABASE_URL       any PostgreSQL server; unset = embedded server in $VIGIL_DATA_DIR/pgdata
VIGIL_DATA_DIR     where the embedded database, uploads and checkpoints live (default ./var)
VIGIL_LOG_FORMAT   'json' (default) or 'console'
VIGIL_LOG_LEVEL    default INFO
VIGIL_DEFAULT_OWNER slug of the organisation that owns imported signals nobody else claims (default emm)
VIGIL_READER       '0' reads signals with the catalogue's patterns only, without the learned reader (default on;
                   off under pytest, where the reader's own tests switch it on)
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from vigil.logconfig import logging_config
from vigil.pgserver import data_dir, ensure_database_url

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parents[1]
DATA_DIR = data_dir()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("VIGIL_SECRET_KEY"):
        return os.environ["VIGIL_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("VIGIL_DEBUG", "") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("VIGIL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
if os.environ.get("VIGIL_TESTING"):
    ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.admin",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "vigil.core",
    "vigil.organisations",
    "vigil.audit",
    "vigil.register",
    "vigil.assessment",
    "vigil.intake",
    "vigil.demo",
    "vigil.public",
    "vigil.ads",
    "vigil.linking",
    "vigil.cases",
    "vigil.protection",
    "vigil.statistics",
    "vigil.api",
]

MIDDLEWARE = [
    "vigil.public.middleware.PublicPrivacyMiddleware",
    "vigil.public.lane.PublicLaneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "vigil.public.middleware.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vigil.logconfig.RequestLogMiddleware",
]

ROOT_URLCONF = "vigil.urls"
WSGI_APPLICATION = "vigil.wsgi.application"

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
                "vigil.core.context_processors.capabilities",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(ensure_database_url(), conn_max_age=60)}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "nl"
# The public site speaks all of these; the staff workspace only the first two.
LANGUAGES = [("nl", _("Dutch")), ("en", _("English")), ("pl", _("Polish")), ("ro", _("Romanian")),
             ("bg", _("Bulgarian")), ("es", _("Spanish")), ("pt", _("Portuguese")), ("hu", _("Hungarian")),
             ("uk", _("Ukrainian"))]
STAFF_LANGUAGE_CODES = ("nl", "en")
PUBLIC_LANGUAGE_CODES = tuple(code for code, _name in LANGUAGES)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
_npm = REPO_DIR / "node_modules"
for _name, _folder in (("htmx", "htmx.org/dist"), ("altcha", "altcha/dist"), ("leaflet", "leaflet/dist"),
                       ("cytoscape", "cytoscape/dist"), ("chartjs", "chart.js/dist")):
    if (_npm / _folder).is_dir():
        STATICFILES_DIRS.append((f"vendor/{_name}", _npm / _folder))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = logging_config(
    fmt=os.environ.get("VIGIL_LOG_FORMAT", "json"), level=os.environ.get("VIGIL_LOG_LEVEL", "INFO")
)

# Background jobs (django-tasks, database worker: `vigil worker`, started by `vigil serve`). Test runs
# (pytest sets PYTEST_VERSION) execute tasks at once, so every test sees their effect directly.
_DB_TASKS = {"BACKEND": "django_tasks_db.DatabaseBackend"}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"} if os.environ.get("PYTEST_VERSION")
         else _DB_TASKS, "database": _DB_TASKS}

VIGIL_DEFAULT_OWNER = os.environ.get("VIGIL_DEFAULT_OWNER", "emm")
# the learned reader beside the patterns (assessment); the test suite reads with the patterns unless a test asks for it
VIGIL_READER = os.environ.get("VIGIL_READER", "0" if os.environ.get("PYTEST_VERSION") else "1") == "1"
# The background of the maps on the ads pages (static/vigil/map.js): an XYZ tile URL in web mercator, by default
# the Dutch government's public base map (PDOK BRT achtergrondkaart); empty = no tiles, points on a blank map.
# The tile host must be allowed by the CSP's img-src (vigil.public.middleware.CSP) or the browser blocks the tiles.
VIGIL_MAP_TILES = os.environ.get(
    "VIGIL_MAP_TILES", "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png")
VIGIL_MAP_ATTRIBUTION = os.environ.get("VIGIL_MAP_ATTRIBUTION", "Kaartgegevens © Kadaster")
VIGIL_PUBLIC_OWNER = os.environ.get("VIGIL_PUBLIC_OWNER", "emm")  # receives the public web reports
VIGIL_PUBLIC_SUBMITS_PER_HOUR = float(os.environ.get("VIGIL_PUBLIC_SUBMITS_PER_HOUR", "20"))
VIGIL_PUBLIC_BURST = int(os.environ.get("VIGIL_PUBLIC_BURST", "5"))
VIGIL_PUBLIC_NOJS_PER_HOUR = float(os.environ.get("VIGIL_PUBLIC_NOJS_PER_HOUR", "6"))  # reports without proof of work
VIGIL_PUBLIC_POW_COST = int(os.environ.get("VIGIL_PUBLIC_POW_COST", "2000"))  # ALTCHA SHA-256 iterations per try
VIGIL_PUBLIC_POW_SECONDS = int(os.environ.get("VIGIL_PUBLIC_POW_SECONDS", "1800"))
VIGIL_PUBLIC_CONCURRENCY = int(os.environ.get("VIGIL_PUBLIC_CONCURRENCY", "1"))  # public requests at once per process
# Public requests run on their own threads at a lower CPU priority (vigil.public.lane). Tests work inline, so the
# views share the test's database transaction.
VIGIL_PUBLIC_LANE = os.environ.get("VIGIL_PUBLIC_LANE", "0" if os.environ.get("PYTEST_VERSION") else "1") == "1"
VIGIL_PUBLIC_NICENESS = int(os.environ.get("VIGIL_PUBLIC_NICENESS", "10"))
VIGIL_PUBLIC_QUEUE_SECONDS = float(os.environ.get("VIGIL_PUBLIC_QUEUE_SECONDS", "20"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024  # text fields; files are limited one by one
DATA_UPLOAD_MAX_NUMBER_FILES = 6

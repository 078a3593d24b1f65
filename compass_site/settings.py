"""One settings module, driven by environment variables.

Development needs no environment at all (SQLite, console email, DEBUG on). Production sets
``DJANGO_ENV=production``: DEBUG is then off, ``SECRET_KEY`` is required and cookies are secure.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"

DEBUG = envbool("DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105 (dev only)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# Absolute links in emails (rater links, invitations) are built from this.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin: the compass's texts in four languages (compass/translation.py).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "axes",
    "compass",
    "assessments",
    # Demo data (`seed_demo`) and the benchmark (`benchmark`, `/loadrun/bare`): see the README.
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "compass_site.middleware.IdleSessionTimeoutMiddleware",
    "compass_site.oidc.PasswordSignInSwitchMiddleware",
    "compass_site.middleware.PrivatePagesNoStoreMiddleware",
    "compass_site.middleware.UserLanguageMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "compass_site.urls"

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
                "django.template.context_processors.csp",
            ],
            # |bdi isolates names, dates and numbers inside translated sentences (RTL).
            "builtins": ["compass_site.templatetags.bidi"],
        },
    },
]

WSGI_APPLICATION = "compass_site.wsgi.application"

# SQLite when DATABASE_URL is unset; PostgreSQL (the production database) when it names one.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The compass and other reference data: `manage.py loaddata compass`.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_USER_MODEL = "assessments.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Argon2 first: new and changed passwords are hashed with it; older hashes upgrade at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Sign-in through the organisation's OpenID Connect provider (compass_site/oidc.py, built on
# mozilla-django-oidc). Off unless the discovery URL and the client id are set; the endpoints,
# the issuer and the signing keys come from the discovery document at run time.
OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_ENABLED = bool(OIDC_DISCOVERY_URL and OIDC_RP_CLIENT_ID)
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
OIDC_BUTTON_LABEL = os.environ.get("OIDC_BUTTON_LABEL", "") or _(
    "Sign in with your organisation's account"
)
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
OIDC_TOKEN_USE_BASIC_AUTH = envbool("OIDC_TOKEN_USE_BASIC_AUTH", False)
# People unknown to the app get no account by signing in, unless this allows it.
OIDC_CREATE_UNKNOWN_USERS = envbool("OIDC_CREATE_UNKNOWN_USERS", False)
OIDC_EMAIL_VERIFIED_CLAIM = os.environ.get("OIDC_EMAIL_VERIFIED_CLAIM", "email_verified")
# HR admins follow the provider: member when the claim (e.g. "groups") holds the value.
OIDC_HR_GROUP_CLAIM = os.environ.get("OIDC_HR_GROUP_CLAIM", "").strip()
OIDC_HR_GROUP_VALUE = os.environ.get("OIDC_HR_GROUP_VALUE", "").strip()
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", 10)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the hint the provider's end-session endpoint asks for
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
if PRODUCTION and OIDC_ENABLED and not OIDC_DISCOVERY_URL.startswith("https://"):
    raise ImproperlyConfigured("OIDC_DISCOVERY_URL must be an https:// URL in production.")
if OIDC_HR_GROUP_CLAIM and not OIDC_HR_GROUP_VALUE:
    raise ImproperlyConfigured("OIDC_HR_GROUP_CLAIM needs OIDC_HR_GROUP_VALUE.")

# PASSWORD_SIGN_IN=false once the provider is in place: the sign-in page shows only the
# provider's button, password reset and change are gone, and no password is checked anywhere.
PASSWORD_SIGN_IN = envbool("PASSWORD_SIGN_IN", True)
if not PASSWORD_SIGN_IN and not OIDC_ENABLED:
    raise ImproperlyConfigured(
        "PASSWORD_SIGN_IN=false needs OIDC_DISCOVERY_URL and OIDC_CLIENT_ID: nobody could sign in."
    )

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if PASSWORD_SIGN_IN else []),
    *(["compass_site.oidc.ProviderBackend"] if OIDC_ENABLED else []),
]
# Repeated failed sign-ins lock the account name and, separately, the address. Unknown and
# known accounts get the same answer, so the lockout reveals nothing about who has an account.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Failures count per account however its email is spelled (case, surrounding spaces).
AXES_USERNAME_CALLABLE = "compass_site.accounts.normalised_username"
AXES_IPWARE_PROXY_COUNT = envint("AXES_PROXY_COUNT", 0)
# Failed attempts are kept while they count; successful sign-ins are not logged (personal data
# we do not need).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The compass's texts (compass/translation.py) read in the active language, English when a
# text has no translation.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# The header's language choice before sign-in (after it, the account's): a cookie of our own
# pages only, never read by scripts.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console in development (messages are printed), SMTP in production.
EMAIL_BACKEND_NAME = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_NAME, "OPTIONS": {}}}
if EMAIL_BACKEND_NAME.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": envint("EMAIL_PORT", 587),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": envbool("EMAIL_USE_TLS", True),
        "timeout": envint("EMAIL_TIMEOUT", 30),
    }
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Leadership Compass 360 <noreply@localhost>"
)

# Sessions: an absolute limit (SESSION_COOKIE_AGE, counted from sign-in because the session
# is not re-saved on every request) and an idle limit enforced by compass_site.middleware.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Rater links carry their token in the path: it must never leave in a Referer header.
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (Django's own): everything from this site, no inline script.
# Inline style attributes stay allowed (progress bars, server-drawn SVG charts).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # Signing out through the provider is a redirect after the sign-out form's POST.
    "form-action": [CSP.SELF, *([_origin(OIDC_DISCOVERY_URL)] if OIDC_ENABLED else [])],
    "frame-ancestors": [CSP.NONE],
}

# One cache shared by every web process (in the database: no extra service to run). It holds
# the per-address counters that slow down guessing of rater links, the compass's content
# version, and the team and cohort figures worked out once per release (issue 20).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "compass_cache",
        # Team figures are kept one entry per supervisor: room for an organisation's worth
        # before culling (which could drop the compass version and rebuild questionnaires).
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
# Days a released cycle keeps answers traceable to their raters; `manage.py apply_retention`
# (daily) erases rater names and emails after that. Answers and reports stay.
RATER_RETENTION_DAYS = envint("RATER_RETENTION_DAYS", 365)

# Rater links are HMACs of a per-rater secret under this key (assessments/answering/tokens.py).
# Rotating it changes every link: each rater's next email carries the new one, and the one before
# keeps working until the key rotates again. Defaults to a key derived from SECRET_KEY.
RATER_LINK_KEY = os.environ.get("RATER_LINK_KEY", "") or f"rater-link:{SECRET_KEY}"

# Whom people write to when no cycle names a contact (e.g. on the "link does not work" page).
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")

# Organisation norms in the individual report (issue 18) rest on at least this many leaders of
# the same level; assessments.reporting.insight never goes below 30, whatever is set here.
INSIGHT_NORM_MIN_LEADERS = envint("INSIGHT_NORM_MIN_LEADERS", 30)

# Wrong rater links allowed per client address before it must wait (after a miss only: a valid
# link is never refused). Password reset requests allowed per address and per account.
PASSWORD_RESET_ATTEMPTS = envint("PASSWORD_RESET_ATTEMPTS", 5)
PASSWORD_RESET_WINDOW = envint("PASSWORD_RESET_WINDOW", 60 * 60)
RATER_LINK_ATTEMPTS = envint("RATER_LINK_ATTEMPTS", 20)
RATER_LINK_WINDOW = envint("RATER_LINK_WINDOW", 15 * 60)
# Only bench/loadrun.sh turns this on: /loadrun/bare then answers without the database.
LOADRUN_BARE_VIEW = os.environ.get("LOADRUN_BARE_VIEW", "").lower() in ("1", "on", "true", "yes")
# Seconds a process serves its questionnaires before checking whether the compass was reloaded.
COMPASS_VERSION_CHECK_SECONDS = envint("COMPASS_VERSION_CHECK_SECONDS", 30)

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)

# Slow work (sending hundreds of emails) runs as tasks, never inside a request. Development and
# tests run them at once; production queues them in the database (whether TASKS_BACKEND says so
# or not) for `manage.py db_worker` beside the web server.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend"
            if PRODUCTION
            else "django.tasks.backends.immediate.ImmediateBackend",
        ),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "compass_site.logging.RedactFilter"}},
    "formatters": {"json": {"()": "compass_site.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact"],
            "formatter": "json" if PRODUCTION else None,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own loggers print request paths (rater links among them): through our
        # redacting handler only.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Axes would log each attempt's account name and address: both are personal data.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The library logs token endpoint errors with the response body: warnings only, and
        # our own module says what failed, without tokens (compass_site/oidc.py).
        "mozilla_django_oidc": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

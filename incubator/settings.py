"""Settings, read from the environment.

With no variable at all the site runs on its embedded default: SQLite, Celery tasks run in-process,
e-mail printed to the console. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
REDIS_URL and EMAIL_URL (see README.md).
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-embedded-default-for-local-use-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "incubator.apps.JournalConfig",  # django-auditlog
    "csp",
    "incubator",
    "cohorts",
    "outbox",
    "projects",
    "trainings",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "incubator.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The audit trail (django-auditlog, see incubator/audit.py) keeps no IP address.
AUDITLOG_DISABLE_REMOTE_ADDR = True

ROOT_URLCONF = "incubator.urls"
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
WSGI_APPLICATION = "incubator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

# Several web processes must share the cache (rate limits, login lockouts): Redis when there is one.
# CACHE_URL may point at another Redis database than the task queue's (e.g. redis://host:6379/1).
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
# A cache that does not answer within half a second is taken as gone (see security.py: the limits let people
# through), so that a frozen Redis never holds a page for long; no retry on a timeout for the same reason.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry_on_timeout": False}
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- People -------------------------------------------------------------------------------------

AUTH_USER_MODEL = "incubator.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # three days: people far from town read mail rarely

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Repeated wrong passwords lock that e-mail address from that network address for a while.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=8)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form keeps Django's field name for the e-mail
AXES_USERNAME_CALLABLE = "incubator.security.login_username"
AXES_LOCKOUT_CALLABLE = "incubator.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "incubator.security.client_ip"
AXES_VERBOSE = False
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: trust only REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Language and time --------------------------------------------------------------------------

LANGUAGE_CODE = "fr"
# Each language is named in itself in the switch.
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (candidacy attachments) go through the storage API and are never served as static files.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail -------------------------------------------------------------------------------------

# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587 (django-environ's documented pattern).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Programme d'incubation <ne-pas-repondre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Addresses at domains reserved for examples (RFC 2606, RFC 6761; the demo's people live there) can receive
# nothing: a real SMTP server would only bounce them, so they are left out, with a log line. Where mail is only
# printed or kept (the embedded default, the demo), they are written like any other, for a newcomer to read.
OUTBOX_SKIP_RESERVED_DOMAINS = env.bool(
    "OUTBOX_SKIP_RESERVED_DOMAINS",
    default=EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend",
)
# Each read or write of an SMTP conversation waits at most this long...
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=60)
# ...and a whole conversation (connecting, then one mail) at most this long, and never more than half of
# OUTBOX_SENDING_TIMEOUT: the outbox never mistakes a slow worker for a dead one (outbox/smtp.py).
OUTBOX_SMTP_DEADLINE = env.int("OUTBOX_SMTP_DEADLINE", default=120)
# A row claimed by a worker and not marked sent after this many seconds is sent again (the worker died).
OUTBOX_SENDING_TIMEOUT = env.int("OUTBOX_SENDING_TIMEOUT", default=600)
# A row still waiting this many seconds after it was written is handed to the workers again.
OUTBOX_QUEUED_GRACE = env.int("OUTBOX_QUEUED_GRACE", default=120)

# --- Background work ----------------------------------------------------------------------------

# Without Redis, tasks run in-process as soon as they are sent (a newcomer's first run, unit tests).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Several deployments (or test runs) may share one Redis: each names its queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# A user's request never waits long on a broker that does not answer (the outbox keeps the mail): one second
# to connect, one second for an answer, one quick retry (a pooled connection Redis dropped while restarting);
# and after a failure, the other mails of the moment are left to the sweeper (outbox/emails.py, `enqueue`).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# How long, after the broker failed to take a mail, a process leaves new mails to the sweeper without trying.
OUTBOX_BROKER_PAUSE = env.int("OUTBOX_BROKER_PAUSE", default=10)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "incubator.tasks.record_heartbeat", "schedule": crontab(minute="*/5")},
    "tidy-report-exports": {"task": "reports.exports.tidy_report_exports", "schedule": crontab(hour=3, minute=45)},
    "anonymise-candidacies": {
        "task": "projects.tasks.anonymise_expired_candidacies",
        "schedule": crontab(hour=3, minute=30),
    },
    "requeue-stalled-mail": {"task": "outbox.emails.requeue_stalled_mail", "schedule": crontab(minute="*/5")},
    "send-due-reminders": {"task": "trainings.tasks.send_due_reminders", "schedule": crontab(minute="*/15")},
    "send-due-surveys": {"task": "trainings.tasks.send_due_surveys", "schedule": crontab(minute="5,35")},
    "notify-conversation-answers": {
        "task": "projects.tasks.notify_conversation_answers",
        "schedule": crontab(minute="*/10"),
    },
    "send-due-follow-ups": {"task": "projects.tasks.send_due_follow_ups", "schedule": crontab(minute=20)},
}
# Every periodic task is wrapped by incubator.periodic.periodic: a second beat's copies do nothing.
# For trying beat itself (tests of two beats), every periodic task may run this often instead, in seconds.
if BEAT_EVERY_SECONDS := env.int("BEAT_EVERY_SECONDS", default=0):
    for _entry in CELERY_BEAT_SCHEDULE.values():
        _entry["schedule"] = datetime.timedelta(seconds=BEAT_EVERY_SECONDS)

# --- Security (behind a TLS-terminating proxy in production) ------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]  # monitoring may call gunicorn directly
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only our own files run or style a page: no inline script, no eval, no inline style, nothing framed or framing,
# forms post here only. The charts are inline SVG, styled by attributes and static CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# No page asks for the camera, the microphone, where the person is, or a payment.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# --- The programme's own rules ------------------------------------------------------------------

# Links in e-mails point here (no request at hand in a background task).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CANDIDACY_DRAFT_LINK_DAYS = env.int("CANDIDACY_DRAFT_LINK_DAYS", default=60)
CANDIDACY_STATUS_LINK_DAYS = env.int("CANDIDACY_STATUS_LINK_DAYS", default=3 * 365)
# Candidacies that were not accepted are anonymised this long after their season ends.
CANDIDACY_RETENTION_MONTHS = env.int("CANDIDACY_RETENTION_MONTHS", default=24)
# Drafts nobody touched for this long are deleted.
CANDIDACY_DRAFT_RETENTION_DAYS = env.int("CANDIDACY_DRAFT_RETENTION_DAYS", default=90)
# Anti-abuse that real people do not notice: a form sent faster than this is a robot's...
APPLY_MIN_FILL_SECONDS = env.int("APPLY_MIN_FILL_SECONDS", default=8)
# ...and one network address sends at most this many candidacies (django-ratelimit's notation).
APPLY_RATE = env.str("APPLY_RATE", default="5/h")
# ...and starts at most this many new drafts (each one mails its link).
APPLY_DRAFT_RATE = env.str("APPLY_DRAFT_RATE", default="10/h")
# ...and one contact address receives at most this many links (draft or confirmation), per hour and per day,
# whichever network addresses the posts come from: the form cannot be turned against someone's inbox.
APPLY_ADDRESS_RATES = env.list("APPLY_ADDRESS_RATES", default=["4/h", "10/d"])
# Asking for a new password: this many requests per e-mail address, and per network address, whether the
# address has an account or not.
PASSWORD_RESET_ADDRESS_RATE = env.str("PASSWORD_RESET_ADDRESS_RATE", default="3/h")
PASSWORD_RESET_CLIENT_RATE = env.str("PASSWORD_RESET_CLIENT_RATE", default="10/h")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 5
# What one post may add, and what one candidacy may keep in all (the documents' sizes summed).
ATTACHMENT_MAX_REQUEST_BYTES = 20 * 1024 * 1024
ATTACHMENT_MAX_TOTAL_BYTES = 25 * 1024 * 1024
# A request's typed answers (files aside) may weigh this much, and have this many fields; an uploaded file
# bigger than FILE_UPLOAD_MAX_MEMORY_SIZE waits in a temporary file rather than in memory. The proxy in
# front caps the whole body (README, "Deployment"): ATTACHMENT_MAX_COUNT × ATTACHMENT_MAX_BYTES and a margin.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Season reports: above this many rows an XLSX or PDF export is built by a worker, with a progress page.
REPORT_BACKGROUND_ROWS = env.int("REPORT_BACKGROUND_ROWS", default=20_000)
# A background export still unfinished after this many hours failed; its file is kept this many days.
REPORT_STALE_HOURS = env.int("REPORT_STALE_HOURS", default=2)
REPORT_FILE_DAYS = env.int("REPORT_FILE_DAYS", default=7)
# Members' signed links (their page, their answers) last a season and a bit.
MEMBER_LINK_DAYS = env.int("MEMBER_LINK_DAYS", default=600)
# The link to the word after a day works this many days after its mail (an answer stays changeable a week).
SURVEY_LINK_DAYS = env.int("SURVEY_LINK_DAYS", default=30)
# Conversations: how many answers one signed link may post (an applicant's, a member's), per hour and per day.
CONVERSATION_ANSWER_RATES = env.list("CONVERSATION_ANSWER_RATES", default=["6/h", "20/d"])
# The link of a follow-up 6, 12 or 24 months after a season works this many days after its mail (or its
# reminder, two weeks later, which carries a new one); an answer stays changeable 30 days.
FOLLOW_UP_LINK_DAYS = env.int("FOLLOW_UP_LINK_DAYS", default=90)
# The public page that checks an attestation's code: this many codes per network address.
ATTESTATION_CHECK_RATE = env.str("ATTESTATION_CHECK_RATE", default="20/h")
# A season report's link for funders works at most this many days after it is made...
REPORT_SHARE_MAX_DAYS = env.int("REPORT_SHARE_MAX_DAYS", default=365)
# ...and one network address opens such links (their page or files) this many times at most.
REPORT_SHARE_RATE = env.str("REPORT_SHARE_RATE", default="120/h")

# --- Forms --------------------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's markup for widgets and error lists, the common ones drawn without a template (see the module).
FORM_RENDERER = "incubator.form_rendering.FormRenderer"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

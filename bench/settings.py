"""The site's settings plus the bench's reference pages (bench/urls.py); production never loads this module."""

from incubator.settings import *  # noqa: F403
from incubator.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# The bench logs in over plain HTTP on 127.0.0.1.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
# Pages are measured, not their static files: no collectstatic needed with DEBUG off.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# whitenoise looks for collected files here; the bench serves the source folder rather than collecting.
STATIC_ROOT = BASE_DIR / "static"

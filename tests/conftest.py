"""Shared fixtures, and the rule for tests that need a real service.

A test marked `postgres`, `redis` or `browser` skips with its reason on a newcomer's laptop, and fails
instead when REQUIRE_SERVICES=1 (CI), so that nothing is silently left untested there.
"""

import os
from functools import cache

import pytest
from django.conf import settings
from django.core.cache import cache as django_cache

from incubator.celery import app as celery_app
from outbox import emails as outbox_emails
from tests.factories import CoachFactory, PartnerStructureFactory, ProgrammeFactory, StaffFactory

CHROMIUM = "/usr/bin/chromium"


@cache
def _postgres_missing():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://… to run it"
    return None


@cache
def _redis_missing():
    if not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://… to run it"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at {settings.REDIS_URL} does not answer: {error}"
    return None


@cache
def _browser_missing():
    if not os.path.exists(CHROMIUM):
        return f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package (pip install -e '.[dev]')"
    return None


def pytest_runtest_setup(item):
    checks = {"postgres": _postgres_missing, "redis": _redis_missing, "browser": _browser_missing}
    for marker, missing in checks.items():
        if item.get_closest_marker(marker) and (reason := missing()):
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    django_cache.clear()


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _broker_answers():
    """A broker failure seen by one test does not make the next one leave its mails to the sweeper."""
    yield
    outbox_emails._broker_failed_at = None


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks run in-process in unit tests, even where REDIS_URL is set; `celery_worker` tests opt out."""
    celery_app.conf.task_always_eager = True
    yield celery_app
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture
def structure(db):
    return PartnerStructureFactory(name="CAE Prisme")


@pytest.fixture
def programme(structure):
    return ProgrammeFactory(partners=[structure])


@pytest.fixture
def staff(structure):
    return StaffFactory(partner_structure=structure)


@pytest.fixture
def coach(structure):
    return CoachFactory(partner_structure=structure)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright, shared by the whole run."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are plain.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):
    """A fresh phone-sized page, in French."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()

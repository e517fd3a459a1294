"""Settings come from the environment: each case loads them afresh in a child process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG_VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "kq3v-0d7w!pz9s8f2m#x1c6b4n5j7h8g9t0r1e2w3q4a5s6d7f8g9h0j",
    "ALLOWED_HOSTS": "incubateur.example.org",
}


def _run(code, **variables):
    environment = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    environment.update(variables, DJANGO_SETTINGS_MODULE="incubator.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def _settings(**variables):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'db': str(s.DATABASES['default']['NAME']),"
        " 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL,"
        " 'cache': s.CACHES['default']['BACKEND'], 'email': s.EMAIL_BACKEND, 'email_host': s.EMAIL_HOST,"
        " 'email_port': s.EMAIL_PORT, 'email_tls': s.EMAIL_USE_TLS, 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS,"
        " 'language': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE}))"
    )
    result = _run(code, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_gives_the_embedded_default():
    s = _settings()
    assert s["engine"] == "django.db.backends.sqlite3" and s["db"].endswith("db.sqlite3")
    assert s["eager"] is True
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["cache"].endswith("LocMemCache")
    assert (s["language"], s["tz"]) == ("fr", "Europe/Paris")


def test_database_url_switches_to_postgresql():
    s = _settings(DATABASE_URL="postgres://incubateur:secret@db.internal:5432/incubateur")
    assert s["engine"] == "django.db.backends.postgresql" and s["db"] == "incubateur"


def test_redis_url_switches_celery_to_a_real_broker_and_the_cache_to_redis():
    s = _settings(REDIS_URL="redis://cache.internal:6379/0")
    assert s["eager"] is False and s["broker"] == "redis://cache.internal:6379/0"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_email_url_configures_smtp():
    s = _settings(EMAIL_URL="smtp+tls://robot:secret@smtp.example.org:587")
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["email_host"], s["email_port"], s["email_tls"]) == ("smtp.example.org", 587, True)


def test_production_settings():
    s = _settings(**PRODUCTION)
    assert s["debug"] is False and s["hosts"] == ["incubateur.example.org"]


def test_production_refuses_to_start_without_a_secret_key():
    result = _run("import django; django.setup()", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("extra", [{}, {"DATABASE_URL": "postgres://u@db.internal/incubateur"}])
def test_deploy_check_is_clean_with_production_variables(extra):
    result = _run(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **PRODUCTION,
        **extra,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_default_delivers_its_mail(tmp_path):
    # `make run`: SQLite, Celery eager, mail to the console; its worker claims and sends each mail as on PostgreSQL.
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from django.db import transaction; "
        "from outbox.emails import send_after_commit; from outbox.models import OutgoingMail; "
        "\nwith transaction.atomic():\n"
        "    send_after_commit(to=['lea@exemple.fr'], subject='Bonjour', body='Le texte du courriel.')\n"
        "mail = OutgoingMail.objects.get(); print(mail.status, mail.attempts)"
    )
    result = _run(code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")  # the default engine, elsewhere
    assert result.returncode == 0, result.stderr
    assert "Le texte du courriel." in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "sent 1"

"""The Celery application: configured from Django's settings (CELERY_ namespace).

A beat process signs every task it sends with its identity (host:pid), so that the tasks can tell a second
beat's copies apart and the health page can report two beats (`incubator/periodic.py`).
"""

import os
import socket
import time

from celery import Celery
from celery.signals import beat_init, before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incubator.settings")

app = Celery("incubator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BEAT_HEADER = "incubator_beat"  # read by incubator.periodic, which this module cannot import before Django is set up
_beat_identity = ""


@beat_init.connect
def _remember_beat_identity(sender=None, **kwargs):
    global _beat_identity
    _beat_identity = f"{socket.gethostname()}:{os.getpid()}"


@before_task_publish.connect
def _sign_with_beat_identity(sender=None, headers=None, **kwargs):
    if _beat_identity and headers is not None:
        headers[BEAT_HEADER] = {"identity": _beat_identity, "sent_at": time.time()}

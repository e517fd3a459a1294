"""Signed links that let an applicant come back without an account or a password."""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Candidacy

DRAFT = "projects.candidacy.draft"
STATUS = "projects.candidacy.status"
FORM_STARTED = "projects.candidacy.form-started"


def make_token(candidacy: Candidacy, purpose: str) -> str:
    return signing.dumps(str(candidacy.public_id), salt=purpose)


def read_token(token: str, purpose: str) -> Candidacy | None:
    """The candidacy a link is for, or None when the link is forged, damaged or too old."""
    days = settings.CANDIDACY_DRAFT_LINK_DAYS if purpose == DRAFT else settings.CANDIDACY_STATUS_LINK_DAYS
    try:
        public_id = signing.loads(token, salt=purpose, max_age=datetime.timedelta(days=days))
    except signing.BadSignature:
        return None
    return Candidacy.objects.filter(public_id=public_id, anonymised_at__isnull=True).first()


def draft_url(candidacy: Candidacy) -> str:
    return reverse("projects:apply_resume", kwargs={"token": make_token(candidacy, DRAFT)})


def status_url(candidacy: Candidacy) -> str:
    return reverse("projects:candidacy_status", kwargs={"token": make_token(candidacy, STATUS)})


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"

"""Links for project members: no account, no password.

- The member page and its answers use a signed token that names the member and expires with time.
- The calendar feed uses the member's `calendar_key`, a random secret that calendar apps keep polling;
  giving the member a new key revokes the old address.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from projects.models import ProjectMember

MEMBER = "trainings.member"


def member_token(member: ProjectMember) -> str:
    return signing.dumps(member.pk, salt=MEMBER)


def member_from_token(token: str) -> ProjectMember | None:
    """The member a link is for, or None when it is forged, damaged or too old."""
    try:
        pk = signing.loads(token, salt=MEMBER, max_age=datetime.timedelta(days=settings.MEMBER_LINK_DAYS))
    except signing.BadSignature:
        return None
    return ProjectMember.objects.select_related("project__cohort__programme").filter(pk=pk).first()


def member_page_url(member: ProjectMember) -> str:
    return reverse("trainings:member_page", kwargs={"token": member_token(member)})


def calendar_feed_url(member: ProjectMember) -> str:
    return reverse("trainings:calendar_feed", kwargs={"key": member.calendar_key})


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"

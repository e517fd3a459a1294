"""Calendar files for project members: no account, the secret is in the address.

- One day, by the session's UID (unguessable), linked from e-mails.
- A member's whole season, by their `calendar_key`, which calendar apps keep polling.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from projects.models import ProjectMember

from .. import calendars
from ..models import TrainingSession

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _sessions():
    return TrainingSession.objects.select_related("venue").prefetch_related("trainers")


def _calendar_response(body: bytes, *, filename: str, as_attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    # The address is a secret: keep it out of search engines.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def session_ics(request, uid):
    session = get_object_or_404(_sessions(), uid=uid)
    return _calendar_response(
        calendars.session_calendar(session), filename=calendars.session_filename(session), as_attachment=True
    )


@require_safe
def calendar_feed(request, key):
    member = get_object_or_404(ProjectMember.objects.select_related("project__cohort__programme"), calendar_key=key)
    sessions = _sessions().filter(cohort=member.project.cohort_id)
    # A calendar app fetches the feed, not the member's browser: its language says nothing about them.
    with translation.override(settings.LANGUAGE_CODE):
        body = calendars.member_feed(member, sessions)
    return _calendar_response(body, filename="calendrier.ics", as_attachment=False)

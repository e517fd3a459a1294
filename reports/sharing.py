"""Links that let a funder or a partner read a season's report without an account, and the log of their use.

The page and the files behind a link are the funders' version of the report: no participant's comment, no
coach's note, no table of people, no column naming someone or typed by an applicant (`funder_datasets`).
"""

import datetime
import ipaddress
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from incubator.security import client_ip, over_rate_limit, record_rate_limit

from .datasets import funder_datasets
from .exports import render_pdf, stream_csv_zip, write_xlsx
from .figures import season_report
from .models import ReportShare, ReportShareVisit

SALT = "reports.share"
RATE_GROUP = "reports.share"
What = ReportShareVisit.What


def share_token(share: ReportShare) -> str:
    return signing.dumps(share.key, salt=SALT)


def share_url(share: ReportShare) -> str:
    return reverse("reports:shared_report", kwargs={"token": share_token(share)})


def share_from_token(token: str, today: datetime.date | None = None) -> ReportShare | None:
    """The link's share with its season ready for the report, or None when the address is forged, damaged,
    made for another page, revoked or past its last day. One query, and two for the season's partners and
    territories."""
    try:
        key = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(key, str):
        return None
    return (
        ReportShare.objects.valid(today)
        .filter(key=key)
        .select_related("cohort__programme")
        .prefetch_related("cohort__territories", "cohort__programme__partners")
        .first()
    )


def last_day_allowed(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=settings.REPORT_SHARE_MAX_DAYS)


@transaction.atomic
def create_share(*, cohort: Cohort, label: str, expires_on: datetime.date, user) -> ReportShare:
    """A new link to the season's report; the audit trail records who made it for whom.

    The form explains a wrong last day or an empty label to the person; a caller skipping it gets an error.
    """
    today = timezone.localdate()
    if not today < expires_on <= last_day_allowed(today) or not label.strip():
        raise ValueError(f"A share link needs a label and a last day after today, up to {last_day_allowed(today)}")
    return ReportShare.objects.create(cohort=cohort, label=label.strip(), expires_on=expires_on, created_by=user)


@transaction.atomic
def revoke_share(*, share: ReportShare) -> bool:
    """Stop the link now. False when it was already revoked (a second click, or a colleague was quicker)."""
    share = ReportShare.objects.select_for_update().get(pk=share.pk)
    if share.revoked_at is not None:
        return False
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])  # through save(): the audit trail records who revoked it
    return True


def network_of(address: str | None) -> str:
    """The visitor's network, never their address: IPv4 cut to /24, IPv6 to /48."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def record_view(request, *, share: ReportShare, what: str) -> ReportShareVisit:
    return ReportShareVisit.objects.create(share=share, what=what, network=network_of(client_ip(request)))


def too_many_views(request) -> bool:
    """Whether this network address opened share links (valid or not) more than `REPORT_SHARE_RATE`; each
    call counts one. A funder's team reading the report never reaches it; a script trying addresses does."""
    if over_rate_limit(request, group=RATE_GROUP, rate=settings.REPORT_SHARE_RATE):
        return True
    record_rate_limit(request, group=RATE_GROUP, rate=settings.REPORT_SHARE_RATE)
    return False


@dataclass(frozen=True)
class FunderFile:
    content: Iterator[bytes] | bytes | object  # bytes, a stream of bytes, or an open file
    content_type: str
    extension: str


def funder_file(cohort: Cohort, what: str) -> FunderFile:
    """The funders' report as a file, made while they wait (a share link has nobody to follow a background job).

    PDF: the report without comments; XLSX: its summary and the funders' datasets; CSV: those datasets, zipped.
    """
    if what == What.CSV:
        return FunderFile(stream_csv_zip(funder_datasets(cohort)), "application/zip", "zip")
    report = season_report(cohort)
    if what == What.XLSX:
        target = tempfile.TemporaryFile()  # closed by FileResponse once sent
        write_xlsx(report, funder_datasets(cohort), target)
        target.seek(0)
        return FunderFile(target, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    return FunderFile(render_pdf(report), "application/pdf", "pdf")


__all__ = [
    "FunderFile",
    "create_share",
    "funder_file",
    "last_day_allowed",
    "network_of",
    "record_view",
    "revoke_share",
    "share_from_token",
    "share_token",
    "share_url",
    "too_many_views",
]

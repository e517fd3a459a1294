"""Demo links for funders on the demo programme's current season: one a foundation can still open (opened a
few times already), one the team revoked. Safe to run again: each is looked up by its season and label.

Nothing secret is printed: staff find the links, and copy them, on the season report's « Partager » page.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, Programme
from incubator.models import User
from reports import services
from reports.models import ReportShare, ReportShareVisit

PROGRAMME = "Accompagnement partagé Drôme-Ardèche"
ACTIVE = "Fondation Rhône-Alpes Solidaire (démo)"
REVOKED = "Département de la Drôme — service ESS (démo)"


@transaction.atomic
def seed_share_links(*, staff_email: str) -> int:
    """The demo season's share links; returns how many were added."""
    programme = Programme.objects.filter(name=PROGRAMME).first()
    cohort = Cohort.objects.filter(programme=programme).current().first() if programme else None
    staff = User.objects.filter(email=staff_email).first()
    if cohort is None or staff is None:
        return 0
    today = timezone.localdate()
    added = 0
    if not ReportShare.objects.filter(cohort=cohort, label=ACTIVE).exists():
        share = services.create_share(
            cohort=cohort, label=ACTIVE, expires_on=today + datetime.timedelta(days=90), user=staff
        )
        now = timezone.now()
        ReportShareVisit.objects.bulk_create(
            [
                ReportShareVisit(share=share, what=what, viewed_at=now - datetime.timedelta(days=days), network=network)
                for what, days, network in [
                    (ReportShareVisit.What.PAGE, 6, "192.0.2.0/24"),
                    (ReportShareVisit.What.PDF, 6, "192.0.2.0/24"),
                    (ReportShareVisit.What.PAGE, 2, "198.51.100.0/24"),
                ]
            ]
        )
        added += 1
    if not ReportShare.objects.filter(cohort=cohort, label=REVOKED).exists():
        share = services.create_share(
            cohort=cohort, label=REVOKED, expires_on=today + datetime.timedelta(days=30), user=staff
        )
        services.revoke_share(share=share)
        added += 1
    return added

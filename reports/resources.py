"""Resources each partner structure committed to a season, against what it delivered.

Delivered means measured from the season's own records: the hours of the meetings its coaches held, the held
days at its venues, and its coaches who followed a project (the season's assignments, ended ones included).
Money is only committed: the programme keeps no accounts. One query, whatever the number of structures.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cohorts.models import PartnerCommitment, Programme
from incubator.models import PartnerStructure
from projects.models import CoachAssignment, CoachingSession
from trainings.models import TrainingSession


@dataclass(frozen=True)
class ResourceLine:
    structure: str
    committed_hours: Decimal | None  # None: nothing recorded for this structure
    delivered_hours: Decimal
    committed_days: int | None
    held_days: int
    committed_coaches: int | None
    coaches: int
    committed_money: Decimal | None


def _per_structure(queryset, structure_field: str, aggregate):
    """One value per outer structure from `queryset`, 0 when it has none: a grouped subquery."""
    rows = (
        queryset.filter(**{structure_field: OuterRef("pk")})
        .order_by()
        .values(structure_field)
        .annotate(value=aggregate)
        .values("value")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def season_resources(cohort) -> list[ResourceLine]:
    """Per structure of the programme (and any other that committed or delivered something to the season), by
    name: what it committed and what it delivered. One query."""
    meetings = CoachingSession.objects.filter(project__cohort=cohort)
    held = TrainingSession.objects.filter(cohort=cohort, status=TrainingSession.Status.HELD)
    assignments = CoachAssignment.objects.filter(cohort=cohort)
    concerned = (
        Q(pk__in=Programme.partners.through.objects.filter(programme=cohort.programme_id).values("partnerstructure"))
        | Q(pk__in=PartnerCommitment.objects.filter(cohort=cohort).values("partner_structure"))
        | Q(pk__in=meetings.values("coach__partner_structure"))
        | Q(pk__in=held.values("venue__partner_structure"))
        | Q(pk__in=assignments.values("coach__partner_structure"))
    )
    rows = (
        PartnerStructure.objects.filter(concerned)
        .annotate(
            commitment=FilteredRelation("commitments", condition=Q(commitments__cohort=cohort)),
            minutes=_per_structure(meetings, "coach__partner_structure", Sum("duration_minutes")),
            days=_per_structure(held, "venue__partner_structure", Count("pk")),
            coach_count=_per_structure(assignments, "coach__partner_structure", Count("coach", distinct=True)),
        )
        .order_by("name", "pk")
        .values_list(
            "name",
            "commitment__coaching_hours",
            "minutes",
            "commitment__days_hosted",
            "days",
            "commitment__coaches",
            "coach_count",
            "commitment__money",
        )
    )
    return [
        ResourceLine(
            name,
            hours,
            (Decimal(minutes) / 60).quantize(Decimal("0.01")),
            days_committed,
            days,
            coaches_committed,
            coaches,
            money,
        )
        for name, hours, minutes, days_committed, days, coaches_committed, coaches, money in rows
    ]


__all__ = ["ResourceLine", "season_resources"]

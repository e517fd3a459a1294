"""Writes about seasons that touch several rows at once."""

from dataclasses import dataclass

from django.db import transaction

from .models import Cohort, PartnerCommitment

COMMITTED_FIELDS = ("coaching_hours", "days_hosted", "coaches", "money")


def season_commitments(cohort: Cohort) -> list[PartnerCommitment]:
    """One row per structure of the season's programme, and per structure that already committed something to it
    (a former partner keeps its word on record), by name; rows not yet saved have no pk. Two queries."""
    saved = {row.partner_structure_id: row for row in cohort.commitments.select_related("partner_structure")}
    rows = list(saved.values())
    for structure in cohort.programme.partners.all():
        if structure.pk not in saved:
            rows.append(PartnerCommitment(cohort=cohort, partner_structure=structure))
    return sorted(rows, key=lambda row: (row.partner_structure.name, row.partner_structure_id))


@dataclass(frozen=True)
class CommitmentsSaved:
    created: int
    changed: int
    unchanged: int


@transaction.atomic
def record_commitments(*, cohort: Cohort, commitments: list[PartnerCommitment]) -> CommitmentsSaved:
    """Save what each structure commits for the season: every row, touched or not (a row left as the page showed
    it still says what the structure gives). Returns how many rows were created, changed and left as they were."""
    created = changed = unchanged = 0
    current = {
        row.partner_structure_id: row
        for row in PartnerCommitment.objects.select_for_update().filter(
            cohort=cohort, partner_structure__in=[commitment.partner_structure_id for commitment in commitments]
        )
    }
    for commitment in commitments:
        values = {name: getattr(commitment, name) for name in COMMITTED_FIELDS}
        row = current.get(commitment.partner_structure_id)
        if row is None:
            # A colleague saving the same new row at the same moment: get_or_create reads theirs instead of failing.
            row, was_created = PartnerCommitment.objects.get_or_create(
                cohort=cohort, partner_structure_id=commitment.partner_structure_id, defaults=values
            )
            if was_created:
                created += 1
                continue
        if any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=[*COMMITTED_FIELDS, "updated_at"])
            changed += 1
        else:
            unchanged += 1
    return CommitmentsSaved(created, changed, unchanged)

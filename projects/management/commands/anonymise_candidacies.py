"""The retention sweep the nightly task runs, by hand: to catch up, or to see first what it would do."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from projects import services


def _count(number: int, singular: str, plural: str) -> str:
    """« 1 candidature », « 2 candidatures »: French keeps 0 and 1 singular."""
    return f"{number} {singular if number < 2 else plural}"


class Command(BaseCommand):
    help = (
        "Anonymise les candidatures non retenues ou retirées dont la durée de conservation est passée, "
        "et supprime les brouillons abandonnés."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait fait, sans rien modifier.",
        )

    def handle(self, *args, dry_run=False, **options):
        if not dry_run:
            count = services.anonymise_expired_candidacies()
            self.stdout.write(
                self.style.SUCCESS(
                    _count(count, "candidature anonymisée ou supprimée", "candidatures anonymisées ou supprimées") + "."
                )
            )
            return

        expired = services.expired_candidacies()
        to_anonymise = list(expired.to_anonymise.select_related("cohort"))
        drafts = list(expired.drafts_to_delete.select_related("cohort"))
        self.stdout.write("Simulation : rien n'est modifié.")
        self.stdout.write(
            _count(len(to_anonymise), "candidature", "candidatures") + " à anonymiser "
            f"(plus de {settings.CANDIDACY_RETENTION_MONTHS} mois après la fin de leur saison) :"
        )
        for candidacy in to_anonymise:
            self.stdout.write(
                f"  {candidacy.reference} — {candidacy.cohort.name} — {candidacy.get_status_display()} "
                f"(saison terminée le {candidacy.cohort.end_date:%d/%m/%Y})"
            )
        self.stdout.write(
            _count(len(drafts), "brouillon", "brouillons") + " à supprimer "
            f"(sans modification depuis plus de {settings.CANDIDACY_DRAFT_RETENTION_DAYS} jours) :"
        )
        for draft in drafts:
            # Drafts have no reference yet. Nothing personal is printed: this output may end up in logs.
            self.stdout.write(
                f"  brouillon n°{draft.pk} — {draft.cohort.name} — modifié le {timezone.localtime(draft.updated_at):%d/%m/%Y}"
            )

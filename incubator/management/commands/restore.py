from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from incubator import backups


class Command(BaseCommand):
    help = (
        "Restore a backup (manage.py backup) into this site's database and MEDIA_ROOT, which must be empty "
        "unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar file written by manage.py backup")
        parser.add_argument(
            "--force", action="store_true", help="replace a database and uploaded files that already hold data"
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            outcome = backups.restore(archive_path=archive, force=force)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Sauvegarde du %(date)s restaurée : %(rows)d lignes, %(files)d fichiers envoyés.")
            % {
                "date": outcome.manifest["created_at"],
                "rows": sum(outcome.counts.values()),
                "files": outcome.media_files,
            }
        )
        for label, (expected, found) in outcome.differences.items():
            self.stderr.write(
                _("%(table)s : %(expected)d lignes dans la sauvegarde, %(found)d après la restauration.")
                % {"table": label, "expected": expected, "found": found}
            )
        if outcome.differences:
            raise CommandError(_("La restauration ne retrouve pas toutes les lignes de la sauvegarde."))

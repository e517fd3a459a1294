from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import backups


class Command(BaseCommand):
    help = "Back up the whole site into one archive: the PostgreSQL database (pg_dump) and the uploaded files."

    def add_arguments(self, parser):
        parser.add_argument(
            "archive",
            nargs="?",
            help="the .tar file to write (default: backups/incubator-<date>.tar)",
        )

    def handle(self, *args, archive=None, **options):
        target = Path(archive or f"backups/incubator-{timezone.localtime():%Y-%m-%d-%H%M%S}.tar")
        try:
            outcome = backups.back_up(target=target)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Sauvegarde écrite : %(path)s (%(rows)d lignes, %(files)d fichiers envoyés, %(bytes)d octets).")
            % {
                "path": outcome.path,
                "rows": sum(outcome.counts.values()),
                "files": outcome.media_files,
                "bytes": outcome.media_bytes,
            }
        )

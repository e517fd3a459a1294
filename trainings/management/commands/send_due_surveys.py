from django.core.management.base import BaseCommand

from trainings.services import surveys


class Command(BaseCommand):
    help = "Queue the word after each held day for everyone present and not asked yet (what beat runs twice an hour)."

    def handle(self, *args, **options):
        queued = surveys.send_due_surveys()
        self.stdout.write(f"{queued} survey(s) queued.")

from django.core.management.base import BaseCommand

from trainings.services import reminders


class Command(BaseCommand):
    help = "Queue the collective days' reminders that are due (what beat runs every 15 minutes)."

    def handle(self, *args, **options):
        queued = reminders.send_due_reminders()
        self.stdout.write(f"{queued} reminder(s) queued.")

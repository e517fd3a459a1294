from django.core.management.base import BaseCommand

from projects.services import send_due_follow_ups


class Command(BaseCommand):
    help = "Queue the follow-ups due 6, 12 and 24 months after a season, and their reminders (what beat runs hourly)."

    def handle(self, *args, **options):
        sweep = send_due_follow_ups()
        self.stdout.write(f"{sweep.asked} follow-up(s) and {sweep.reminded} reminder(s) queued.")

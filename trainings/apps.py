from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Journées collectives")

    def ready(self):
        # Imported here because Django needs the apps loaded first: trainings, above projects in the house's
        # order, hands projects what only it knows (see projects.services.hooks).
        from projects.services import hooks

        from .services import attendance_rates_by_project, erase_person, invite_members, mailings_received
        from .tokens import absolute, member_page_url

        hooks.install(
            invite_members=invite_members,
            attendance_rates=attendance_rates_by_project,
            erase_person=erase_person,
            mailings_received=mailings_received,
            member_link=lambda member: absolute(member_page_url(member)),
        )

        from incubator.audit import track

        from .models import Attendance, Mailing, Trainer, TrainingSession, Venue

        track(Venue)
        # The login a trainer takes attendance with is the accounts' business, not the address book's.
        track(Trainer, exclude=["user"])
        # uid and sequence are the calendar's bookkeeping, changed by every move of the day.
        track(TrainingSession, exclude=["uid", "sequence"], m2m=["trainers"])
        # Marks are written in bulk: record_attendance records them itself.
        track(Attendance)
        # Each mailing sent is one entry: who wrote what, to which audience. The key is bookkeeping.
        track(Mailing, exclude=["key"])

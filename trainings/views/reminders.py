"""Staff: a day's reminders — which are planned, which went out, which failed."""

from collections import Counter

from django.views.generic import DetailView

from incubator.access import StaffRequiredMixin
from outbox.models import OutgoingMail

from ..models import Reminder, TrainingSession
from ..services import reminders

MailStatus = OutgoingMail.Status


class SessionRemindersView(StaffRequiredMixin, DetailView):
    template_name = "trainings/session_reminders.html"
    context_object_name = "session"

    def get_queryset(self):
        return TrainingSession.objects.for_user(self.request.user).select_related("cohort__programme")

    def get_context_data(self, **kwargs):
        rows = list(
            Reminder.objects.filter(session=self.object)
            .select_related("mail")
            .order_by("date", "kind", "audience", "email")
        )
        counts = Counter()
        for row in rows:
            status = row.mail.status if row.mail else None
            counts["sent" if status == MailStatus.SENT else "failed" if status == MailStatus.FAILED else "pending"] += 1
        return super().get_context_data(
            reminders=rows,
            planned=reminders.planned_reminders(self.object),
            counts={"sent": counts["sent"], "failed": counts["failed"], "pending": counts["pending"]},
            **kwargs,
        )

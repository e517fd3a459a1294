from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipients", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject", "to"]
    readonly_fields = ["attempts", "claimed_at", "next_attempt_at", "sent_at", "created_at", "last_error"]

    @admin.display(description=_("destinataires"))
    def recipients(self, mail):
        return ", ".join(mail.to)

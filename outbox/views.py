"""Staff: the mails that could not be delivered, and sending them again."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import ListView

from incubator.access import StaffRequiredMixin

from . import emails
from .forms import ResendForm
from .models import OutgoingMail


class FailedMailListView(StaffRequiredMixin, ListView):
    """Mails that could not be delivered, each of which can be sent again.

    Programme staff see their programmes' mails; superusers see every mail, including those that belong
    to no programme (written before mails recorded theirs, or about nothing programme-specific).
    """

    template_name = "outbox/failed_mail_list.html"
    context_object_name = "mails"
    paginate_by = 50

    def get_queryset(self):
        return OutgoingMail.objects.failed_for_user(self.request.user).defer("body", "html_body", "attachments")

    def post(self, request):
        form = ResendForm(request.POST)
        if not form.is_valid():
            # Only a forged or truncated post gets here: the page's buttons always carry a mail's number.
            messages.error(request, _("Choisissez un e-mail de la liste, puis « Renvoyer »."))
            return redirect("outbox:failed")
        mail = get_object_or_404(self.get_queryset(), pk=form.cleaned_data["mail"])
        emails.resend(mail=mail)
        messages.success(request, _("L'e-mail « %(subject)s » repart.") % {"subject": mail.subject})
        return redirect("outbox:failed")

"""Staff write to a season's people: the message, a preview (how many, one example), then the confirmation."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from incubator.access import StaffRequiredMixin

from .. import services
from ..forms import MailingForm
from ..models import Mailing
from .planning import SeasonMixin


def past_mailings(cohort):
    return services.with_results(Mailing.objects.filter(cohort=cohort)).select_related("session", "sent_by")


class MailingView(StaffRequiredMixin, SeasonMixin, View):
    """GET: the form and the season's past mailings. POST: "preview" (or "edit" to go back), then "send"."""

    template_name = "trainings/mailing.html"

    def get(self, request, cohort_pk):
        cohort = self.get_cohort()
        form = MailingForm(cohort=cohort)
        # From a day's page (?journee=<pk>): its invitees, that day chosen; a day of another season is ignored.
        journee = request.GET.get("journee", "")
        days = form.fields["session"].queryset
        if journee.isascii() and journee.isdigit() and len(journee) < 12 and (day := days.filter(pk=journee).first()):
            form = MailingForm(cohort=cohort, initial={"audience": Mailing.Audience.DAY_ALL, "session": day.pk})
        return self.render_page(cohort, form)

    def post(self, request, cohort_pk):
        cohort = self.get_cohort()
        form = MailingForm(request.POST, cohort=cohort)
        if not form.is_valid():
            return self.render_page(cohort, form, status=400)
        data = form.cleaned_data
        what = {
            "audience": data["audience"],
            "session": data["session"] if data["audience"] in Mailing.DAY_AUDIENCES else None,
            "subject": data["subject"],
            "body": data["body"],
        }
        if "send" in request.POST and data["key"]:
            sent = services.send_mailing(cohort=cohort, key=data["key"], sent_by=request.user, **what)
            if sent.created:
                messages.success(
                    request,
                    ngettext(
                        "Le message part vers %(count)s personne.",
                        "Le message part vers %(count)s personnes.",
                        sent.queued,
                    )
                    % {"count": sent.queued},
                )
            else:
                messages.info(request, _("Ce message était déjà parti : il n'a pas été envoyé une seconde fois."))
            return redirect(sent.mailing.get_absolute_url())
        if "edit" in request.POST:
            return self.render_page(cohort, form)
        preview = services.preview_mailing(cohort=cohort, **what)
        # What "send" posts back: exactly what was previewed, with the key that makes it go once.
        confirmed = MailingForm({**request.POST.dict(), "key": str(preview.key)}, cohort=cohort, auto_id=False)
        return self.render_page(cohort, form, preview=preview, confirmed=confirmed)

    def render_page(self, cohort, form, preview=None, confirmed=None, status=200):
        context = {
            "cohort": cohort,
            "form": form,
            "preview": preview,
            "confirmed": confirmed,
            "mailings": past_mailings(cohort),
        }
        return render(self.request, self.template_name, context, status=status)


class MailingDetailView(StaffRequiredMixin, SeasonMixin, TemplateView):
    """One mailing: what was written, to whom, and where each mail stands (sent, waiting, failed)."""

    template_name = "trainings/mailing_detail.html"

    def get_context_data(self, **kwargs):
        cohort = self.get_cohort()
        mailing = get_object_or_404(past_mailings(cohort), pk=self.kwargs["mailing_pk"])
        return super().get_context_data(
            cohort=cohort, mailing=mailing, recipients=services.mailing_recipients(mailing), **kwargs
        )

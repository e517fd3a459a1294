"""Staff: a person's request about their data (access, copy, erasure).

Everything goes by POST so that the person's e-mail address never ends up in a URL, a browser history
or a proxy's access log. Each export and erasure is logged (who, when, which address; never the data).
"""

import json
import logging

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from cohorts.models import Cohort
from incubator.access import StaffRequiredMixin

from .. import services
from ..forms.personal_data import PersonalDataForm

logger = logging.getLogger(__name__)

ERASURE_LABELS = {
    services.Erasure.DELETE: _("Brouillon supprimé, avec ses documents."),
    services.Erasure.WITHDRAW_AND_ANONYMISE: _("Candidature retirée puis anonymisée."),
    services.Erasure.ANONYMISE: _("Candidature anonymisée."),
    services.Erasure.KEEP_PROJECT: _(
        "Projet retenu : le projet et ses réponses restent, les coordonnées de la personne sont effacées."
    ),
    services.Erasure.LEAVE_TEAM: _("La personne est retirée de l'équipe ; la candidature reste."),
}


@method_decorator(never_cache, name="dispatch")
class PersonalDataView(StaffRequiredMixin, TemplateView):
    template_name = "projects/personal_data.html"

    def post(self, request, *args, **kwargs):
        form = PersonalDataForm(request.POST, action=request.POST.get("action"))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        email = form.cleaned_data["email"]
        # A superuser runs every programme; other staff only act on the seasons of theirs.
        cohorts = Cohort.objects.for_user(request.user)

        if form.action == form.EXPORT:
            data = services.export_personal_data(email=email, cohorts=cohorts)
            self._log("export", email)
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
            )
            filename = f"donnees-personnelles-{timezone.localdate():%Y-%m-%d}.json"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response

        if form.action == form.ERASE:
            count = services.erase_personal_data(email=email, cohorts=cohorts)
            self._log("erasure", email)
            if count:
                messages.success(
                    request,
                    ngettext(
                        "Données de %(email)s effacées : %(count)d enregistrement modifié.",
                        "Données de %(email)s effacées : %(count)d enregistrements modifiés.",
                        count,
                    )
                    % {"email": email, "count": count},
                )
            else:
                messages.info(request, _("Rien à effacer pour %(email)s.") % {"email": email})
            return redirect("projects:personal_data")

        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, form=None, **kwargs):
        form = form or PersonalDataForm()
        context = super().get_context_data(form=form, **kwargs)
        # Shown again when only the erase box was forgotten, so that staff still see what they erase.
        email = getattr(form, "cleaned_data", {}).get("email")
        if not email:
            return context
        cohorts = Cohort.objects.for_user(self.request.user)
        candidacies = (
            services.candidacies_of(email=email, cohorts=cohorts)
            .select_related("cohort__programme")
            .order_by("-created_at", "-pk")
        )
        memberships = (
            services.project_memberships_of(email=email, cohorts=cohorts)
            .select_related("project__cohort__programme")
            .order_by("-project__cohort__start_date", "pk")
        )
        context.update(
            email=email,
            candidacies=[
                (candidacy, ERASURE_LABELS[services.erasure_outcome(candidacy=candidacy, email=email)])
                for candidacy in candidacies
            ],
            memberships=list(memberships),
            staff_notes=services.staff_notes_about(email=email, cohorts=cohorts),
        )
        return context

    def _log(self, what: str, email: str) -> None:
        user = self.request.user
        logger.info(
            "Personal data %s for %s by user #%s (%s) at %s",
            what,
            email,
            user.pk,
            user.email,
            timezone.now().isoformat(),
        )

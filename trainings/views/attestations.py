"""Attestations de participation: each member's own, from their page; all of a season's for staff, as one ZIP;
and the public page where anyone holding one checks its code.
"""

import tempfile
import zipfile

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from incubator.access import StaffRequiredMixin

from .. import services, tokens
from ..forms import AttestationCheckForm
from .attendance import css_string, css_string_with_page_counters, render_pdf
from .members import _invalid_link
from .planning import SeasonMixin


def attestation_pdf(attestation: services.Attestation) -> bytes:
    """The A4 attestation, made with local files only."""
    check_url = tokens.absolute(reverse("trainings:attestation_check", kwargs={"code": attestation.code}))
    html = render_to_string(
        "trainings/attestation.html",
        {
            "attestation": attestation,
            "member": attestation.member,
            "cohort": attestation.cohort,
            "programme": attestation.programme,
            "partners": attestation.partners,
            "check_url": check_url,
            "check_page": tokens.absolute(reverse("trainings:attestation_check")),
            "issued_on": timezone.localdate(),
            "page_counter": css_string_with_page_counters(_("Page %(page)s sur %(pages)s")),
            "page_footer": css_string(_("Code de vérification : %(code)s") % {"code": attestation.code}),
        },
    )
    return render_pdf(html)


def attestation_filename(attestation: services.Attestation) -> str:
    parts = ["attestation", slugify(attestation.member.name), slugify(attestation.cohort.name)]
    return "-".join(part for part in parts if part) + ".pdf"


@never_cache
@require_safe
def member_attestation(request, token):
    member = tokens.member_from_token(token)
    if member is None:
        return _invalid_link(request)
    attestation = services.member_attestation(member)
    if not attestation.has_content:
        return render(request, "trainings/attestation_empty.html", {"member": member, "token": token}, status=404)
    response = HttpResponse(attestation_pdf(attestation), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, attestation_filename(attestation))
    return response


class SeasonAttestationsView(StaffRequiredMixin, SeasonMixin, View):
    """Every attestation of a season in one ZIP, one PDF per person, built in a temporary file."""

    def get(self, request, cohort_pk):
        cohort = self.get_cohort()
        found = services.season_attestations(cohort)
        if not found:
            messages.info(
                request,
                _(
                    "Pas encore d'attestation pour cette saison : aucune présence n'est notée et aucun rendez-vous d'accompagnement n'est enregistré."
                ),
            )
            return redirect("trainings:session_list", cohort_pk=cohort.pk)
        target = tempfile.TemporaryFile()  # closed by FileResponse once sent
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for attestation in found:
                folder = slugify(attestation.project.name) or str(attestation.project.pk)
                name = f"{folder}/{attestation.member.pk}-{attestation_filename(attestation)}"
                archive.writestr(name, attestation_pdf(attestation))
        target.seek(0)
        filename = "-".join(["attestations", slugify(cohort.programme.name), slugify(cohort.name)]) + ".zip"
        return FileResponse(target, as_attachment=True, filename=filename, content_type="application/zip")


STATUS_CODES = {"genuine": 200, "unknown": 404, "too_many": 429}


@never_cache
@require_safe
def attestation_check(request, code=None):
    """Anyone may check a code; the page shows no more than the attestation itself says."""
    code = code if code is not None else request.GET.get("code")
    form = AttestationCheckForm(data=None if code is None else {"code": code})
    context = {"form": form}
    if not form.is_bound:
        return render(request, "trainings/attestation_check.html", context)
    if not form.is_valid():
        return render(request, "trainings/attestation_check.html", context, status=400)
    check = services.check_attestation(request, code=form.cleaned_data["code"])
    if check.status == "too_many":
        form.add_error(
            None,
            _(
                "Beaucoup de codes ont été vérifiés depuis votre connexion dans la dernière heure. Réessayez un peu plus tard."
            ),
        )
    elif check.status == "unknown":
        form.add_error(
            "code",
            _(
                "Ce code ne correspond à aucune attestation. Vérifiez-le caractère par caractère : il ne contient ni 0, ni 1, ni O, ni I."
            ),
        )
    context["attestation"] = check.attestation
    return render(request, "trainings/attestation_check.html", context, status=STATUS_CODES[check.status])

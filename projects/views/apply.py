"""Applicants: the application form, the draft link, the status page. No account, no password."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cohorts.models import Cohort

from .. import services, tokens
from ..forms.apply import CandidacyForm, MemberFormSet
from ..forms.conversations import TOO_MANY_MESSAGES, MessageForm
from ..models import Candidacy


def apply(request, cohort_pk=None, token=None):
    candidacy = None
    if token is not None:
        candidacy = tokens.read_token(token, tokens.DRAFT)
        if candidacy is None:
            return _invalid_link(request)
        if candidacy.status != Candidacy.Status.DRAFT:
            return redirect(tokens.status_url(candidacy))
        cohort = candidacy.cohort
    else:
        cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=cohort_pk)
    if not cohort.call_is_open():
        return render(request, "projects/apply/call_closed.html", {"cohort": cohort, "candidacy": candidacy})

    submitting = request.method == "POST" and "submit" in request.POST
    form_kwargs = {"instance": candidacy, "cohort": cohort, "submitting": submitting}
    member_kwargs = {"instance": candidacy or Candidacy(), "prefix": "members", "submitting": submitting}
    if request.method != "POST":
        return _render_form(request, cohort, CandidacyForm(**form_kwargs), MemberFormSet(**member_kwargs))

    form = CandidacyForm(request.POST, request.FILES, **form_kwargs)
    members = MemberFormSet(request.POST, **member_kwargs)
    received = services.receive_application(
        client=request, form=form, members=members, cohort=cohort, candidacy=candidacy, sending=submitting
    )
    candidacy = received.candidacy
    Outcome = services.ApplicationOutcome
    if received.outcome == Outcome.SENT:
        messages.success(
            request,
            _(
                "Votre candidature est envoyée. Sa référence : %(reference)s. Un e-mail de confirmation part à %(email)s."
            )
            % {"reference": candidacy.reference, "email": candidacy.contact_email},
        )
        return redirect(tokens.status_url(candidacy))
    if received.outcome == Outcome.SAVED:
        messages.success(
            request,
            _(
                "Brouillon enregistré. Le lien pour le reprendre est envoyé à %(email)s ; l'adresse de cette page "
                "permet aussi d'y revenir."
            )
            % {"email": candidacy.contact_email},
        )
        return redirect(tokens.draft_url(candidacy))
    if received.outcome == Outcome.CALL_CLOSED:
        return render(request, "projects/apply/call_closed.html", {"cohort": cohort, "candidacy": candidacy})
    if received.outcome == Outcome.TOO_MANY_DRAFTS:
        form.add_error(
            None,
            _(
                "Beaucoup de brouillons ont été créés depuis votre connexion dans la dernière heure. "
                "Réessayez un peu plus tard ; ce que vous avez écrit reste sur cette page."
            ),
        )
    elif received.outcome == Outcome.TOO_MANY_MAILS:
        form.add_error(
            "contact_email",
            _(
                "Nous ne pouvons pas envoyer d'e-mail à cette adresse pour l'instant. Réessayez dans quelques "
                "heures ; ce que vous avez écrit reste sur cette page."
            ),
        )
    elif received.outcome == Outcome.TOO_MANY_SENT and candidacy is not None:
        form.add_error(
            None,
            _(
                "Beaucoup de candidatures sont parties de votre connexion dans la dernière heure. Votre brouillon "
                "est enregistré : vous pourrez l'envoyer un peu plus tard, avec le lien reçu par e-mail."
            ),
        )
    elif received.outcome == Outcome.TOO_MANY_SENT:
        form.add_error(
            None,
            _(
                "Beaucoup de candidatures sont parties de votre connexion dans la dernière heure. Rien n'est "
                "enregistré pour l'instant : réessayez un peu plus tard ; ce que vous avez écrit reste sur cette page."
            ),
        )
    if candidacy is not None:
        form.fields["remove_documents"].queryset = candidacy.attachments.all()
    return _render_form(request, cohort, form, members, candidacy=candidacy)


def _render_form(request, cohort, form, members, candidacy=None):
    candidacy = candidacy or (form.instance if form.instance.pk else None)
    return render(
        request,
        "projects/apply/candidacy_form.html",
        {
            "cohort": cohort,
            "form": form,
            "members": members,
            "candidacy": candidacy,
            "draft_url": tokens.draft_url(candidacy) if candidacy else None,
        },
    )


def _invalid_link(request):
    return render(request, "projects/apply/invalid_link.html", status=404)


def candidacy_status(request, token):
    candidacy = tokens.read_token(token, tokens.STATUS)
    if candidacy is None or candidacy.status == Candidacy.Status.DRAFT:
        return _invalid_link(request)
    return _render_status(request, candidacy, token)


def _render_status(request, candidacy, token, message_form=None):
    candidacy = (
        Candidacy.objects.select_related("cohort__programme", "territory")
        .prefetch_related("members", "attachments", "history")
        .get(pk=candidacy.pk)
    )
    context = {
        "candidacy": candidacy,
        "token": token,
        "conversation": services.conversation(candidacy=candidacy),
        "conversation_title": _("Vos échanges avec l'équipe"),
        "conversation_intro": _(
            "Une question, une précision ? Écrivez ici à l'équipe du programme : elle vous répond sur cette page, "
            "et un e-mail vous prévient."
        ),
        "message_form": message_form or MessageForm(label=_("Écrire à l'équipe")),
        "message_action": reverse("projects:candidacy_reply", args=[token]),
        "viewer": "applicant",
    }
    return render(request, "projects/apply/candidacy_status.html", context)


@never_cache
@require_POST
def candidacy_reply(request, token):
    """The applicant writes to the team from their status page."""
    candidacy = tokens.read_token(token, tokens.STATUS)
    if candidacy is None or candidacy.status == Candidacy.Status.DRAFT:
        return _invalid_link(request)
    form = MessageForm(request.POST, label=_("Écrire à l'équipe"))
    if not form.is_valid():
        return _render_status(request, candidacy, token, message_form=form)
    answered = services.answer_as_applicant(client=request, candidacy=candidacy, body=form.cleaned_data["body"])
    if answered.outcome == services.Answer.TOO_MANY:
        form.add_error(None, TOO_MANY_MESSAGES)
        return _render_status(request, candidacy, token, message_form=form)
    messages.success(request, _("Votre message est envoyé à l'équipe du programme. Merci !"))
    return redirect(reverse("projects:candidacy_status", args=[token]) + "#conversation")


@require_POST
def candidacy_withdraw(request, token):
    candidacy = tokens.read_token(token, tokens.STATUS)
    if candidacy is None or candidacy.status == Candidacy.Status.DRAFT:
        return _invalid_link(request)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Cochez la case de confirmation pour retirer votre candidature."))
    else:
        try:
            services.withdraw_candidacy(candidacy=candidacy, note=request.POST.get("note", "")[:2000])
            messages.success(request, _("Votre candidature est retirée. Merci de nous avoir prévenus."))
        except services.TransitionNotAllowed:
            messages.error(request, _("Cette candidature ne peut plus être retirée : une décision a déjà été prise."))
    return redirect("projects:candidacy_status", token=token)

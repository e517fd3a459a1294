"""Project members, without an account: their season's calendar and their answers, by signed links.

A GET never changes anything: mail scanners and link previews open every link of an e-mail, and a
"decline" link must not decline on their behalf. The answer is recorded by a POST, from a button.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from incubator.dates import format_date
from projects import services as project_services
from projects.forms.conversations import TOO_MANY_MESSAGES, MessageForm

from .. import services, tokens
from ..models import Attendance, TrainingSession

# In links and forms: ?reponse=oui / reponse=non.
ANSWERS = {"oui": Attendance.Response.CONFIRMED, "non": Attendance.Response.DECLINED}


def _invalid_link(request):
    return render(request, "trainings/member_link_invalid.html", status=404)


@never_cache
@require_safe
def member_page(request, token):
    member = tokens.member_from_token(token)
    if member is None:
        return _invalid_link(request)
    return _render_member_page(request, member, token)


def _render_member_page(request, member, token, message_form=None):
    attendances = (
        Attendance.objects.filter(member=member)
        .select_related("session__venue")
        .prefetch_related("session__trainers")
        .order_by("session__date", "session__pk")
    )
    today = timezone.localdate()
    coming, past = [], []
    for attendance in attendances:
        attendance.open = services.can_answer(attendance.session)
        (past if attendance.session.date < today else coming).append(attendance)
    # The page opens on the first day still open that has no answer yet.
    next_to_answer = next((a for a in coming if a.open and a.response == Attendance.Response.INVITED), None)
    # Present at one of the season's held days (the attestation also counts coaching: it says so once opened).
    has_attestation = any(
        attendance.session.status == TrainingSession.Status.HELD
        and attendance.session.cohort_id == member.project.cohort_id
        and Attendance.Presence.PRESENT in (attendance.morning, attendance.afternoon)
        for attendance in attendances
    )
    return render(
        request,
        "trainings/member_page.html",
        {
            "member": member,
            "cohort": member.project.cohort,
            "coming": coming,
            "past": past,
            "next_to_answer": next_to_answer,
            "has_attestation": has_attestation,
            "token": token,
            "calendar_feed_url": tokens.absolute(tokens.calendar_feed_url(member)),
            "conversation": project_services.conversation(project=member.project),
            "conversation_title": _("Les échanges du projet avec l'équipe"),
            "conversation_intro": _(
                "L'équipe du programme écrit ici aux membres du projet ; chacun·e peut répondre. "
                "Ce que vous écrivez est lu par l'équipe et les autres membres du projet."
            ),
            "message_form": message_form or MessageForm(label=_("Écrire à l'équipe")),
            "message_action": reverse("trainings:member_reply", args=[token]),
            "viewer": "member",
            "viewer_member": member,
        },
    )


@never_cache
@require_POST
def member_reply(request, token):
    """A member writes to the team, on their project's conversation."""
    member = tokens.member_from_token(token)
    if member is None:
        return _invalid_link(request)
    form = MessageForm(request.POST, label=_("Écrire à l'équipe"))
    if not form.is_valid():
        return _render_member_page(request, member, token, message_form=form)
    answered = project_services.answer_as_member(client=request, member=member, body=form.cleaned_data["body"])
    if answered.outcome == project_services.Answer.TOO_MANY:
        form.add_error(None, TOO_MANY_MESSAGES)
        return _render_member_page(request, member, token, message_form=form)
    messages.success(request, _("Votre message est envoyé à l'équipe du programme. Merci !"))
    return redirect(reverse("trainings:member_page", args=[token]) + "#conversation")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def member_answer(request, token, session_pk):
    member = tokens.member_from_token(token)
    if member is None:
        return _invalid_link(request)
    attendance = (
        Attendance.objects.filter(member=member, session_id=session_pk)
        .select_related("session__venue", "session__cohort")
        .first()
    )
    context = {"member": member, "token": token, "attendance": attendance}
    if attendance is None:
        # Someone else's day, or a day of another season: say so plainly, and show the way back.
        return render(request, "trainings/member_answer.html", {**context, "problem": "unknown"}, status=404)
    session = attendance.session
    if session.status == TrainingSession.Status.CANCELLED:
        context["problem"] = "cancelled"
    elif not services.can_answer(session):
        context["problem"] = "past"
    if context.get("problem"):
        return render(request, "trainings/member_answer.html", context, status=200 if request.method == "GET" else 409)

    if request.method == "POST":
        response = ANSWERS.get(request.POST.get("reponse", ""))
        if response is None:
            context["error"] = _("Choisissez « Je viendrai » ou « Je ne pourrai pas venir ».")
            return render(request, "trainings/member_answer.html", context, status=400)
        try:
            services.answer(attendance=attendance, response=response)
        except services.AnswerClosed:  # cancelled or over between the page and the click
            context["problem"] = "past"
            return render(request, "trainings/member_answer.html", context, status=409)
        if response == Attendance.Response.CONFIRMED:
            messages.success(request, _("C'est noté : vous venez le %(date)s. À bientôt !") % {"date": _day(session)})
        else:
            messages.success(
                request,
                _("C'est noté : vous ne venez pas le %(date)s. Merci d'avoir prévenu.") % {"date": _day(session)},
            )
        return redirect("trainings:member_page", token=token)

    context["selected"] = request.GET.get("reponse", "")
    return render(request, "trainings/member_answer.html", context)


def _day(session):
    return format_date(session.date, "l j F Y")

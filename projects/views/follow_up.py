"""Where a project stands months after its season: the contact's answer (signed link, no account)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms.follow_up import FollowUpForm
from ..services import follow_ups

TEMPLATE = "projects/follow_up_form.html"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up(request, token):
    follow_up = services.follow_up_from_token(token)
    if follow_up is None:
        return render(request, "projects/follow_up_invalid.html", status=404)
    context = {
        "follow_up": follow_up,
        "project": follow_up.project,
        "deadline": follow_ups.change_deadline(follow_up),
        "change_days": follow_ups.CHANGE_DAYS,
    }
    if not follow_ups.can_change(follow_up):
        context["closed"] = True
        return render(request, TEMPLATE, context, status=200 if request.method != "POST" else 409)

    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if not form.is_valid():
            context["form"] = form
            return render(request, TEMPLATE, context, status=400)
        try:
            answered = services.answer_follow_up(follow_up=follow_up, **form.cleaned_data)
        except services.FollowUpClosed:  # the 30 days ended between the page and the click
            context["closed"] = True
            return render(request, TEMPLATE, context, status=409)
        if answered.first_time:
            messages.success(
                request, _("Merci ! Votre réponse est bien reçue. Vous pouvez la modifier pendant 30 jours.")
            )
        else:
            messages.success(request, _("C'est noté : votre réponse est modifiée."))
        return redirect("projects:follow_up", token=token)

    context["form"] = FollowUpForm(initial=FollowUpForm.initial_from(follow_up))
    return render(request, TEMPLATE, context)

"""The word after a day: the participant's three questions (signed link, no account), and the answers for staff."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from incubator.access import StaffRequiredMixin

from .. import services
from ..forms import SurveyForm
from .members import _invalid_link
from .planning import SeasonMixin


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request, token):
    survey = services.survey_from_token(token)
    if survey is None:
        return _invalid_link(request)
    context = {"survey": survey, "session": survey.session, "deadline": services.change_deadline(survey)}
    if not services.can_change(survey):
        context["closed"] = True
        return render(request, "trainings/survey_form.html", context, status=200 if request.method != "POST" else 409)

    if request.method == "POST":
        form = SurveyForm(request.POST)
        if not form.is_valid():
            context["form"] = form
            return render(request, "trainings/survey_form.html", context, status=400)
        try:
            answered = services.answer_survey(survey=survey, **form.cleaned_data)
        except services.SurveyClosed:  # the week ended between the page and the click
            context["closed"] = True
            return render(request, "trainings/survey_form.html", context, status=409)
        if answered.first_time:
            messages.success(
                request, _("Merci ! Votre avis est bien reçu. Vous pouvez le modifier pendant une semaine.")
            )
        else:
            messages.success(request, _("C'est noté : votre avis est modifié."))
        return redirect("trainings:survey", token=token)

    initial = {}
    if survey.is_answered:
        initial = {"usefulness": survey.usefulness, "organisation": survey.organisation, "comment": survey.comment}
    context["form"] = SurveyForm(initial=initial)
    return render(request, "trainings/survey_form.html", context)


class SurveyResultsView(StaffRequiredMixin, SeasonMixin, TemplateView):
    """A season's answers per day, per trainer and per venue, with what people wrote."""

    template_name = "trainings/survey_results.html"

    def get_context_data(self, **kwargs):
        cohort = self.get_cohort()
        return super().get_context_data(
            cohort=cohort, satisfaction=services.season_satisfaction(cohort, with_comments=True), **kwargs
        )

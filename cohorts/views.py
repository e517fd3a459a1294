from django.contrib import messages
from django.contrib.messages.views import SuccessMessageMixin
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from incubator.access import StaffRequiredMixin

from . import services
from .forms import CohortForm, ProgrammeForm, commitment_formset
from .models import Cohort, Criterion, Programme


class CallView(DetailView):
    """Public: a season's call for applications, what it asks and what it brings."""

    template_name = "cohorts/call_detail.html"
    context_object_name = "cohort"
    queryset = Cohort.objects.select_related("programme").prefetch_related("territories", "programme__partners")

    def get_context_data(self, **kwargs):
        cohort = self.object
        next_call = None
        if not cohort.call_is_open():
            next_call = Cohort.objects.filter(programme=cohort.programme).call_upcoming().first()
        return super().get_context_data(criteria=Criterion.labels, next_call=next_call, **kwargs)


class ProgrammeListView(StaffRequiredMixin, ListView):
    """The staff's home: their programmes, each with its seasons."""

    template_name = "cohorts/cohort_list.html"
    context_object_name = "programmes"

    def get_queryset(self):
        # Lists rather than related managers: a manager and its queryset built for each programme and season
        # cost more than the page's queries together.
        seasons = Cohort.objects.prefetch_related(Prefetch("territories", to_attr="territory_list"))
        return Programme.objects.for_user(self.request.user).prefetch_related(
            Prefetch("partners", to_attr="partner_list"),
            Prefetch("cohorts", queryset=seasons, to_attr="cohort_list"),
        )


class UserFormMixin(SuccessMessageMixin):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class ProgrammeCreateView(StaffRequiredMixin, UserFormMixin, CreateView):
    model = Programme
    form_class = ProgrammeForm
    template_name = "cohorts/programme_form.html"
    success_message = _("Le programme a été créé.")

    def get_initial(self):
        structure = self.request.user.partner_structure
        return {"partners": [structure]} if structure else {}

    success_url = reverse_lazy("cohorts:cohort_list")


class ProgrammeUpdateView(StaffRequiredMixin, UserFormMixin, UpdateView):
    form_class = ProgrammeForm
    template_name = "cohorts/programme_form.html"
    success_message = _("Le programme a été enregistré.")

    def get_queryset(self):
        return Programme.objects.for_user(self.request.user)

    success_url = reverse_lazy("cohorts:cohort_list")


class CohortCreateView(StaffRequiredMixin, UserFormMixin, CreateView):
    form_class = CohortForm
    template_name = "cohorts/cohort_form.html"
    success_message = _("La saison a été créée.")

    def get_initial(self):
        # "New season" links from a programme pre-select it.
        return {"programme": self.request.GET.get("programme")}


class CohortUpdateView(StaffRequiredMixin, UserFormMixin, UpdateView):
    form_class = CohortForm
    template_name = "cohorts/cohort_form.html"
    success_message = _("La saison a été enregistrée.")

    def get_queryset(self):
        return Cohort.objects.for_user(self.request.user)


class CommitmentsView(StaffRequiredMixin, View):
    """Staff: what each partner structure commits to bring to a season, one row per structure."""

    template_name = "cohorts/commitments_form.html"

    def get_cohort(self):
        cohorts = Cohort.objects.for_user(self.request.user).select_related("programme")
        return get_object_or_404(cohorts, pk=self.kwargs["pk"])

    def render_page(self, cohort, formset):
        return render(self.request, self.template_name, {"cohort": cohort, "formset": formset})

    def get(self, request, pk):
        cohort = self.get_cohort()
        return self.render_page(cohort, commitment_formset(commitments=services.season_commitments(cohort)))

    def post(self, request, pk):
        cohort = self.get_cohort()
        formset = commitment_formset(commitments=services.season_commitments(cohort), data=request.POST)
        if not formset.is_valid():
            return self.render_page(cohort, formset)
        saved = services.record_commitments(cohort=cohort, commitments=[form.instance for form in formset])
        touched = saved.created + saved.changed
        if touched:
            text = ngettext(
                "Moyens enregistrés : %(count)d structure mise à jour.",
                "Moyens enregistrés : %(count)d structures mises à jour.",
                touched,
            ) % {"count": touched}
        else:
            text = _("Rien n'a changé : les moyens engagés restent ceux déjà enregistrés.")
        messages.success(request, text)
        return redirect(cohort)

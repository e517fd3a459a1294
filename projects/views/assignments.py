"""Staff: who coaches which project in a season, within each coach's cap."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from cohorts.models import Cohort
from incubator.access import StaffRequiredMixin
from incubator.models import User

from .. import services
from ..forms.assignments import AssignmentForm
from ..models import CoachAssignment, Project


class AssignmentBoardView(StaffRequiredMixin, View):
    def get(self, request, cohort_pk):
        cohort = self.get_cohort(cohort_pk)
        return self.render_board(cohort, AssignmentForm(cohort=cohort))

    def post(self, request, cohort_pk):
        cohort = self.get_cohort(cohort_pk)
        form = AssignmentForm(request.POST, cohort=cohort)
        if not form.is_valid():
            return self.render_board(cohort, form, status=400)
        project, coach = form.cleaned_data["project"], form.cleaned_data["coach"]
        try:
            services.assign_coach(project=project, coach=coach, by=request.user)
        except services.CoachAtCapacity:
            messages.error(
                request,
                _(
                    "%(coach)s accompagne déjà %(max)s projets dans cette saison, le maximum prévu. "
                    "Confiez d'abord un de ses projets à quelqu'un d'autre, ou choisissez une autre personne."
                )
                % {"coach": coach, "max": cohort.max_projects_per_coach},
            )
        else:
            messages.success(request, _("%(project)s est confié à %(coach)s.") % {"project": project, "coach": coach})
        return redirect("projects:assignment_board", cohort_pk=cohort.pk)

    def get_cohort(self, pk):
        return get_object_or_404(Cohort.objects.for_user(self.request.user).select_related("programme"), pk=pk)

    def render_board(self, cohort, form, status=200):
        active = CoachAssignment.objects.active().select_related("coach")
        projects = (
            Project.objects.filter(cohort=cohort)
            .select_related("territory")
            .prefetch_related(Prefetch("assignments", queryset=active, to_attr="current"))
            .annotate(assigned=Count("assignments", filter=Q(assignments__ended_on__isnull=True)))
            .order_by("assigned", "name")  # unassigned projects first
        )
        coaches = (
            User.objects.coaches_of(cohort.programme_id)
            .select_related("partner_structure")
            .annotate(
                load=Count("assignments", filter=Q(assignments__cohort=cohort, assignments__ended_on__isnull=True))
            )
        )
        # Time spent so far, per project and per coach, for the season report and for balancing loads.
        totals = services.season_coaching_totals(cohort=cohort)
        projects, coaches = list(projects), list(coaches)
        for project in projects:
            project.coaching = totals.by_project.get(project.pk, services.CoachingTotals())
        for coach in coaches:
            coach.coaching = totals.by_coach.get(coach.pk, services.CoachingTotals())
        chosen_project, chosen_coach = self.chosen(form, projects)
        return render(
            self.request,
            "projects/assignment_board.html",
            {
                "cohort": cohort,
                "projects": projects,
                "coaches": coaches,
                "form": form,
                "totals": totals.total,
                "chosen_project": chosen_project,
                "chosen_coach": chosen_coach,
            },
            status=status,
        )

    def chosen(self, form, projects) -> tuple[int | None, int | None]:
        """What the form shows chosen: what was just sent, else the project whose row was pressed (or the first
        waiting for somebody) with its current coach."""
        by_pk = {project.pk: project for project in projects}
        if form.is_bound:
            return _int(form.data.get("project")), _int(form.data.get("coach"))
        if not projects:
            return None, None
        project = by_pk.get(_int(self.request.GET.get("projet"))) or projects[0]
        return project.pk, next((assignment.coach_id for assignment in project.current), None)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

"""Staff: who coaches which project in a season (its lead coach and its second), within each coach's cap."""

from collections import defaultdict

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from cohorts.models import Cohort
from incubator.access import StaffRequiredMixin
from incubator.models import User

from .. import services
from ..forms.assignments import AssignmentForm
from ..models import CoachAssignment, Project

LEAD, SECOND = CoachAssignment.Role.LEAD, CoachAssignment.Role.SECOND
# What the board reads of a project's current assignments and of their coach (whose name is first, last or e-mail).
HOLDER_FIELDS = [
    "project",
    "coach",
    "role",
    "started_on",
    "ended_on",
    "coach__first_name",
    "coach__last_name",
    "coach__email",
]

# What the board shows of a project (its name, where it is, its page) and of a coach (their name, their structure):
# a big season's projects carry long presentations the board never prints.
PROJECT_FIELDS = ["name", "commune", "territory__name", "territory__department_code"]
COACH_FIELDS = ["first_name", "last_name", "email", "partner_structure__name"]


class AssignmentBoardView(StaffRequiredMixin, View):
    def get(self, request, cohort_pk):
        cohort = self.get_cohort(cohort_pk)
        return self.render_board(cohort, AssignmentForm(cohort=cohort))

    def post(self, request, cohort_pk):
        cohort = self.get_cohort(cohort_pk)
        if "end" in request.POST:
            return self.end_second(cohort)
        form = AssignmentForm(request.POST, cohort=cohort)
        if not form.is_valid():
            return self.render_board(cohort, form, status=400)
        project, coach, role = form.cleaned_data["project"], form.cleaned_data["coach"], form.cleaned_data["role"]
        try:
            services.assign_coach(project=project, coach=coach, role=role, by=request.user)
        except services.CoachAtCapacity:
            messages.error(
                request,
                _(
                    "%(coach)s accompagne déjà %(max)s projets dans cette saison, le maximum prévu. "
                    "Confiez d'abord un de ses projets à quelqu'un d'autre, ou choisissez une autre personne."
                )
                % {"coach": coach, "max": cohort.max_projects_per_coach},
            )
        except services.SameCoachTwice:
            messages.error(
                request,
                _("%(coach)s est déjà référent·e de %(project)s : choisissez une autre personne en second.")
                % {"coach": coach, "project": project},
            )
        else:
            if role == CoachAssignment.Role.SECOND:
                message = _("%(coach)s suit %(project)s en second.")
            else:
                message = _("%(project)s est confié à %(coach)s.")
            messages.success(request, message % {"project": project, "coach": coach})
        return redirect("projects:assignment_board", cohort_pk=cohort.pk)

    def end_second(self, cohort):
        """The « Retirer » button of a project's second coach: the project keeps its lead."""
        assignment = get_object_or_404(
            CoachAssignment.objects.active().seconds().filter(cohort=cohort).select_related("coach", "project"),
            pk=_int(self.request.POST.get("end")),
        )
        services.end_assignment(assignment=assignment)
        messages.success(
            self.request,
            _("%(coach)s ne suit plus %(project)s en second.")
            % {"coach": assignment.coach, "project": assignment.project},
        )
        return redirect("projects:assignment_board", cohort_pk=cohort.pk)

    def get_cohort(self, pk):
        return get_object_or_404(Cohort.objects.for_user(self.request.user).select_related("programme"), pk=pk)

    def render_board(self, cohort, form, status=200):
        projects = (
            Project.objects.filter(cohort=cohort)
            .select_related("territory")
            .annotate(
                assigned=Count("assignments", filter=Q(assignments__ended_on__isnull=True, assignments__role=LEAD))
            )
            .order_by("assigned", "name")  # projects without a lead coach first
            .only(*PROJECT_FIELDS)
        )
        # Who holds each project now, in one query read by hand: a prefetch costs more than the query for 150 projects.
        current = defaultdict(list)
        holders = CoachAssignment.objects.active().filter(project__cohort=cohort).select_related("coach")
        for assignment in holders.only(*HOLDER_FIELDS):
            current[assignment.project_id].append(assignment)
        in_season = Q(assignments__cohort=cohort, assignments__ended_on__isnull=True)
        coaches = (
            User.objects.coaches_of(cohort.programme_id)
            .select_related("partner_structure")
            .only(*COACH_FIELDS)
            .annotate(
                leads=Count("assignments", filter=in_season & Q(assignments__role=LEAD)),
                seconds=Count("assignments", filter=in_season & Q(assignments__role=SECOND)),
            )
        )
        # Time spent so far, per project and per coach, for the season report and for balancing loads.
        totals = services.season_coaching_totals(cohort=cohort)
        projects, coaches = list(projects), list(coaches)
        for project in projects:
            project.coaching = totals.by_project.get(project.pk, services.CoachingTotals())
            roles = {assignment.role: assignment for assignment in current[project.pk]}
            project.lead, project.second = roles.get(LEAD), roles.get(SECOND)
        counts_seconds = cohort.programme.second_coach_counts_in_cap
        for coach in coaches:
            coach.coaching = totals.by_coach.get(coach.pk, services.CoachingTotals())
            # What the cap counts, as `services.counted_load` does.
            coach.load = coach.leads + (coach.seconds if counts_seconds else 0)
        chosen_project, chosen_coach, chosen_role = self.chosen(form, projects)
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
                "chosen_role": chosen_role,
                # The second coach the form may take off the project, when that project and role are chosen.
                "removable": next(
                    (p.second for p in projects if p.pk == chosen_project and p.second and chosen_role == SECOND), None
                ),
                "roles": CoachAssignment.Role.choices,
                "counts_seconds": counts_seconds,
            },
            status=status,
        )

    def chosen(self, form, projects) -> tuple[int | None, int | None, str]:
        """What the form shows chosen: what was just sent, else the project and role whose row button was pressed
        (or the first project waiting for somebody, as lead) with whoever holds that role now."""
        by_pk = {project.pk: project for project in projects}
        if form.is_bound:
            return _int(form.data.get("project")), _int(form.data.get("coach")), form.data.get("role", "")
        role = SECOND if self.request.GET.get("role") == SECOND else LEAD
        if not projects:
            return None, None, role
        project = by_pk.get(_int(self.request.GET.get("projet"))) or projects[0]
        holder = project.second if role == SECOND else project.lead
        return project.pk, holder.coach_id if holder else None, role


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

"""A project's page and what its coach records: meetings and next steps, milestones, outcome, actors met.

Every page fetches the project through `Project.objects.for_user`: a coach reaches only the projects they
coach now, staff those of their programmes; anything else is a 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from cohorts.models import Programme
from incubator import audit
from incubator.access import StaffRequiredMixin

from .. import services
from ..forms.actors import ActorMetForm
from ..forms.coaching import (
    MeetingForm,
    OutcomeForm,
    milestone_formset,
    milestone_template_formset,
    next_step_formset,
)
from ..forms.conversations import MessageForm
from ..forms.notes import StaffNoteForm
from ..models import (
    ActorMet,
    CoachAssignment,
    CoachingSession,
    Milestone,
    Outcome,
    Project,
    StaffNote,
)
from ..services.coaching import DEFAULT_MILESTONES


def project_url(project_pk, anchor=""):
    url = reverse("projects:project_detail", args=[project_pk])
    return f"{url}#{anchor}" if anchor else url


class ProjectMixin(LoginRequiredMixin):
    """Anonymous visitors go to the login page; the project is looked up among those the person may open."""

    def projects(self):
        return Project.objects.for_user(self.request.user)

    def get_project(self):
        return get_object_or_404(self.projects().select_related("cohort__programme"), pk=self.kwargs["pk"])

    def render_page(self, template_name, project, **context):
        context = {"project": project, "is_staff": self.request.user.is_programme_staff, **context}
        return render(self.request, template_name, context)


class ProjectDetailView(ProjectMixin, View):
    """The project's page: staff and the project's coaches (lead and second) read and edit it; in a programme
    whose coaches read each other's projects, the season's other coaches read it, without editing it nor
    reading its staff notes."""

    def get(self, request, pk):
        return self.render_detail(pk)

    def render_detail(self, pk, message_form=None):
        request = self.request
        today = timezone.localdate()
        # Its figures (where it stands, its coaching time) are counted from these rows, which the page lists.
        project = get_object_or_404(
            Project.objects.readable_by(request.user)
            .select_related("cohort__programme", "territory", "candidacy__territory", "outcome")
            .prefetch_related(
                "members",
                "candidacy__members",
                "candidacy__attachments",
                Prefetch(
                    "meetings",
                    queryset=CoachingSession.objects.select_related("coach").prefetch_related("participants"),
                ),
                "next_steps",
                # In their order within the project: Milestone's own ordering starts with the project's, a join.
                Prefetch("milestones", queryset=Milestone.objects.order_by("order", "pk")),
                Prefetch(
                    "actors_met",
                    queryset=ActorMet.objects.select_related("actor", "introduced_by_actor", "introduced_by_project"),
                ),
                Prefetch("assignments", queryset=CoachAssignment.objects.select_related("coach")),
            ),
            pk=pk,
        )
        steps = list(project.next_steps.all())
        is_staff = request.user.is_programme_staff
        # Staff reach only their programmes' projects; a coach edits the projects they coach now, in either role.
        can_edit = is_staff or any(
            assignment.coach_id == request.user.pk and assignment.ended_on is None
            for assignment in project.assignments.all()
        )
        notes = candidacy_notes = None
        if can_edit:
            # The notes on the project and on its candidacy, in one query, each list newest first.
            about = Q(project=project)
            if project.candidacy_id:
                about |= Q(candidacy=project.candidacy_id)
            written = list(StaffNote.objects.filter(about).select_related("author"))
            notes = [note for note in written if note.project_id == project.pk]
            if project.candidacy_id:
                candidacy_notes = [note for note in written if note.candidacy_id == project.candidacy_id]
        return self.render_page(
            "projects/project_detail.html",
            project,
            progress=services.loaded_progress(project, today=today),
            totals=services.loaded_coaching_totals(project.meetings.all()),
            open_steps=[step for step in steps if step.done_at is None],
            done_steps=[step for step in steps if step.done_at is not None],
            outcome=getattr(project, "outcome", None),
            today=today,
            trail=project_history(project) if is_staff else None,
            can_edit=can_edit,
            notes=notes,
            candidacy_notes=candidacy_notes,
            note_form=StaffNoteForm(),
            # Where the project stands months after its season, as its contact said: for the programme's staff.
            follow_ups=services.project_follow_ups(project) if is_staff else None,
            # Documents stay with the programme's staff; coaches read the answers.
            attachment_url_name="projects:attachment_download" if is_staff else None,
            # Whoever edits the project (its staff, its coaches) reads and writes its conversation; a season's
            # other coaches reading it do not.
            conversation=services.conversation(project=project) if can_edit else None,
            conversation_title=_("Messages avec les membres du projet"),
            message_form=message_form or MessageForm(label=_("Écrire aux membres du projet")),
            message_action=reverse("projects:project_message", args=[project.pk]),
            message_note=_(
                "Chaque membre qui a une adresse e-mail est prévenu qu'un message l'attend sur sa page personnelle "
                "(le texte n'y est pas recopié)."
            ),
            viewer="staff",
        )


class ProjectMessageView(ProjectDetailView):
    """POST: staff or the project's coach write to its members; the page comes back with the text to correct."""

    http_method_names = ["post"]

    def post(self, request, pk):
        project = self.get_project()
        form = MessageForm(request.POST, label=_("Écrire aux membres du projet"))
        if not form.is_valid():
            messages.error(request, _("Votre message n'est pas envoyé : corrigez ce qui est signalé."))
            return self.render_detail(pk, message_form=form)
        written = services.write_to_members(project=project, author=request.user, body=form.cleaned_data["body"])
        if written.told:
            messages.success(
                request,
                ngettext(
                    "Votre message est envoyé : un e-mail prévient %(count)s membre.",
                    "Votre message est envoyé : un e-mail prévient %(count)s membres.",
                    len(written.told),
                )
                % {"count": len(written.told)},
            )
        else:
            messages.warning(
                request,
                _(
                    "Votre message est enregistré, mais aucun membre n'a d'adresse e-mail : ils le liront sur leur "
                    "page personnelle."
                ),
            )
        return redirect(project_url(project.pk, "conversation"))


class MeetingCreateView(ProjectMixin, View):
    template_name = "projects/meeting_form.html"

    def form(self, project, data=None):
        author = services.meeting_coach(project=project, user=self.request.user)
        return MeetingForm(data, coaches=project_coaches(project), author=author), author

    def get(self, request, pk):
        project = self.get_project()
        form, _author = self.form(project)
        return self.render_page(self.template_name, project, form=form, steps=next_step_formset())

    def post(self, request, pk):
        project = self.get_project()
        (form, author), steps = self.form(project, request.POST), next_step_formset(data=request.POST)
        if not (form.is_valid() and steps.is_valid()):
            return self.render_page(self.template_name, project, form=form, steps=steps)
        new_steps, _removed = steps.changes()
        services.log_meeting(
            project=project,
            coach=author,
            participants=form.participants(),
            next_steps=new_steps,
            **form.meeting_fields(),
        )
        messages.success(request, _("Le rendez-vous est noté."))
        return redirect(project_url(project.pk, "rendez-vous"))


class MeetingUpdateView(ProjectMixin, View):
    template_name = "projects/meeting_form.html"

    def get_meeting(self):
        meetings = CoachingSession.objects.filter(project__in=self.projects()).select_related("project__cohort")
        return get_object_or_404(meetings, pk=self.kwargs["pk"])

    def get(self, request, pk):
        meeting = self.get_meeting()
        return self.render_page(
            self.template_name,
            meeting.project,
            meeting=meeting,
            form=MeetingForm(instance=meeting, coaches=project_coaches(meeting.project, meeting)),
            steps=next_step_formset(meeting=meeting),
        )

    def post(self, request, pk):
        meeting = self.get_meeting()
        form = MeetingForm(request.POST, instance=meeting, coaches=project_coaches(meeting.project, meeting))
        steps = next_step_formset(data=request.POST, meeting=meeting)
        if not (form.is_valid() and steps.is_valid()):
            return self.render_page(self.template_name, meeting.project, meeting=meeting, form=form, steps=steps)
        changed, removed = steps.changes()
        services.update_meeting(
            meeting=meeting,
            participants=form.participants(),
            next_steps=changed,
            removed_steps=removed,
            **form.meeting_fields(),
        )
        messages.success(request, _("Le rendez-vous est enregistré."))
        return redirect(project_url(meeting.project_id, "rendez-vous"))


class NextStepToggleView(ProjectMixin, View):
    """POST: tick a next step off, or back on (`done` is 1 or 0)."""

    http_method_names = ["post"]

    def post(self, request, pk, step_pk):
        project = self.get_project()
        step = get_object_or_404(project.next_steps, pk=step_pk)
        done = request.POST.get("done") == "1"
        services.tick_next_step(step=step, done=done)
        if done:
            messages.success(request, _("« %(step)s » est faite.") % {"step": step})
        else:
            messages.success(request, _("« %(step)s » est de nouveau à faire.") % {"step": step})
        return redirect(project_url(project.pk, "etapes"))


class MilestonesUpdateView(ProjectMixin, View):
    template_name = "projects/milestones_form.html"

    def get(self, request, pk):
        project = self.get_project()
        return self.render_page(self.template_name, project, formset=milestone_formset(project=project))

    def post(self, request, pk):
        project = self.get_project()
        formset = milestone_formset(project=project, data=request.POST)
        if not formset.is_valid():
            return self.render_page(self.template_name, project, formset=formset)
        with transaction.atomic():
            formset.save()
        messages.success(request, _("Les étapes clés sont enregistrées."))
        return redirect(project_url(project.pk, "jalons"))


class OutcomeUpdateView(ProjectMixin, View):
    template_name = "projects/outcome_form.html"

    def get_outcome(self, project):
        return Outcome.objects.filter(project=project).first() or Outcome(project=project)

    def get(self, request, pk):
        project = self.get_project()
        return self.render_page(self.template_name, project, form=OutcomeForm(instance=self.get_outcome(project)))

    def post(self, request, pk):
        project = self.get_project()
        form = OutcomeForm(request.POST, instance=self.get_outcome(project))
        if not form.is_valid():
            return self.render_page(self.template_name, project, form=form)
        # Two people saving the first outcome at once update the same row rather than clash.
        Outcome.objects.update_or_create(project=project, defaults=form.cleaned_data)
        messages.success(request, _("Le bilan de fin de saison est enregistré."))
        return redirect(project_url(project.pk, "bilan"))


class ActorCreateView(ProjectMixin, View):
    template_name = "projects/actor_form.html"

    def get(self, request, pk):
        project = self.get_project()
        return self.render_page(self.template_name, project, form=ActorMetForm(project=project))

    def post(self, request, pk):
        project = self.get_project()
        form = ActorMetForm(request.POST, project=project)
        if not form.is_valid():
            return self.render_page(self.template_name, project, form=form)
        meeting = services.record_actor_met(project=project, new_actor=form.new_actor(), **form.meeting_fields())
        messages.success(request, _("La rencontre avec %(organisation)s est notée.") % {"organisation": meeting.actor})
        return redirect(project_url(project.pk, "acteurs"))


class MilestoneTemplatesView(StaffRequiredMixin, View):
    """Staff: a programme's default milestones, copied to each project when its candidacy is accepted."""

    template_name = "projects/milestone_templates_form.html"

    def get_programme(self):
        return get_object_or_404(Programme.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def formset(self, programme, data=None):
        defaults = [
            {"name": name, "order": index + 1, "target_month": month}
            for index, (name, month) in enumerate(DEFAULT_MILESTONES)
        ]
        return milestone_template_formset(programme=programme, data=data, defaults=defaults)

    def render_page(self, programme, formset):
        context = {"programme": programme, "formset": formset, "uses_defaults": not formset.get_queryset()}
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        programme = self.get_programme()
        return self.render_page(programme, self.formset(programme))

    def post(self, request, pk):
        programme = self.get_programme()
        formset = self.formset(programme, data=request.POST)
        if not formset.is_valid():
            return self.render_page(programme, formset)
        with transaction.atomic():
            formset.save_for(programme)
        messages.success(
            request, _("Les étapes clés par défaut sont enregistrées : elles s'appliqueront aux prochains projets.")
        )
        return redirect("projects:milestone_templates", pk=programme.pk)


def project_coaches(project, meeting=None) -> list:
    """Who may have taken part in a meeting: the project's coaches now (lead first), and whoever took part
    already or held the meeting (a coach since replaced stays in their meetings)."""
    active = project.assignments.active().select_related("coach").order_by("role")
    people = {assignment.coach.pk: assignment.coach for assignment in active}
    if meeting is not None:
        for person in [meeting.coach, *meeting.participants.all()]:
            people.setdefault(person.pk, person)
    return list(people.values())


def project_history(project):
    """The project's trail and its coaching's: assignments, meetings, milestones, the outcome, the team's requests.

    Read from the rows the page fetched with the project (its relations listed by `prefetch_related`); the
    same rows its querysets would give, fetched again otherwise.
    """
    outcome = getattr(project, "outcome", None)
    return audit.history(
        project,
        list(project.assignments.all()),
        list(project.meetings.all()),
        list(project.milestones.all()),
        [outcome] if outcome is not None else [],
        list(project.actors_met.all()),
        list(project.members.all()),
    )

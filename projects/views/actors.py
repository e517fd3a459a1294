"""The programme's directory of territorial actors: staff and the programme's coaches share it.

The programme and its actors are fetched through `for_user` querysets: another programme's directory is a 404.
Reuniting duplicate cards is the staff's, who keep the directory tidy.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from cohorts.models import Programme
from incubator import audit
from incubator.access import StaffRequiredMixin

from .. import services
from ..filters import ActorFilter
from ..forms.actors import ActorForm, ActorMergeForm
from ..models import Actor, ActorMet, Project


class ProgrammeDirectoryMixin(LoginRequiredMixin):
    def get_programme(self):
        return get_object_or_404(Programme.objects.for_user(self.request.user), pk=self.kwargs["programme_pk"])


class ActorListView(ProgrammeDirectoryMixin, ListView):
    template_name = "projects/actor_list.html"
    context_object_name = "actors"
    paginate_by = 50

    def get_queryset(self):
        self.programme = self.get_programme()
        actors = Actor.objects.filter(programme=self.programme).with_counts().select_related("territory")
        self.filter = ActorFilter(self.request.GET or None, queryset=actors)
        return self.filter.qs if self.filter.is_bound and self.filter.is_valid() else actors

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            programme=self.programme,
            filter=self.filter,
            can_merge=self.request.user.is_programme_staff,
            **kwargs,
        )


class ActorCreateView(ProgrammeDirectoryMixin, View):
    template_name = "projects/actor_card_form.html"

    def get(self, request, programme_pk):
        programme = self.get_programme()
        context = {"programme": programme, "actor": None, "form": ActorForm(programme=programme)}
        return render(request, self.template_name, context)

    def post(self, request, programme_pk):
        programme = self.get_programme()
        form = ActorForm(request.POST, programme=programme, instance=Actor(programme=programme))
        if not form.is_valid():
            return render(request, self.template_name, {"programme": programme, "actor": None, "form": form})
        actor = form.save()
        messages.success(request, _("« %(name)s » est dans l'annuaire.") % {"name": actor})
        return redirect("projects:actor_detail", pk=actor.pk)


class ActorMixin(LoginRequiredMixin):
    def get_actor(self, queryset=None):
        actors = Actor.objects.for_user(self.request.user).select_related("programme", "territory")
        return get_object_or_404(queryset or actors, pk=self.kwargs["pk"])


class ActorDetailView(ActorMixin, View):
    def get(self, request, pk):
        actor = self.get_actor()
        links = ActorMet.objects.select_related("project__cohort", "introduced_by_actor", "introduced_by_project")
        meetings = list(links.filter(actor=actor).order_by("-met_on", "pk"))
        introductions = list(
            ActorMet.objects.filter(introduced_by_actor=actor).select_related("project", "actor").order_by("-met_on")
        )
        # A project's name links to its page only for those who may open it (a coach, their own projects).
        shown = {meeting.project_id for meeting in meetings} | {meeting.project_id for meeting in introductions}
        shown |= {meeting.introduced_by_project_id for meeting in meetings if meeting.introduced_by_project_id}
        openable = set(Project.objects.for_user(request.user).filter(pk__in=shown).values_list("pk", flat=True))
        context = {
            "actor": actor,
            "programme": actor.programme,
            "meetings": meetings,
            "projects_count": len({meeting.project_id for meeting in meetings}),
            "introductions": introductions,
            "openable": openable,
            "trail": audit.history(actor) if request.user.is_programme_staff else None,
            # Reuniting cards is the staff's: they alone are shown the cards that look like this one.
            "duplicates": services.possible_duplicates(actor) if request.user.is_programme_staff else [],
        }
        return render(request, "projects/actor_detail.html", context)


class ActorUpdateView(ActorMixin, View):
    template_name = "projects/actor_card_form.html"

    def render_form(self, actor, form):
        return render(self.request, self.template_name, {"programme": actor.programme, "actor": actor, "form": form})

    def get(self, request, pk):
        actor = self.get_actor()
        return self.render_form(actor, ActorForm(instance=actor, programme=actor.programme))

    def post(self, request, pk):
        actor = self.get_actor()
        form = ActorForm(request.POST, instance=actor, programme=actor.programme)
        if not form.is_valid():
            return self.render_form(actor, form)
        form.save()
        messages.success(request, _("La fiche de « %(name)s » est enregistrée.") % {"name": actor})
        return redirect("projects:actor_detail", pk=actor.pk)


class ActorMergeView(StaffRequiredMixin, ProgrammeDirectoryMixin, View):
    """GET with the cards ticked on the list (`actors`): pick the one to keep; POST: reunite them."""

    template_name = "projects/actor_merge.html"

    def render_form(self, programme, form):
        return render(self.request, self.template_name, {"programme": programme, "actor": None, "form": form})

    def get(self, request, programme_pk):
        programme = self.get_programme()
        selected = request.GET.getlist("actors")
        form = ActorMergeForm(programme=programme, selected=selected, initial={"actors": selected})
        chosen = list(form.fields["actors"].queryset)
        if len(chosen) < 2:
            messages.error(request, _("Cochez au moins deux fiches à réunir dans la liste."))
            return redirect("projects:actor_list", programme_pk=programme.pk)
        # The card met most often is the likeliest to keep.
        form.initial["keep"] = max(chosen, key=lambda actor: actor.meetings_count).pk
        return self.render_form(programme, form)

    def post(self, request, programme_pk):
        programme = self.get_programme()
        form = ActorMergeForm(request.POST, programme=programme, selected=request.POST.getlist("actors"))
        if not form.is_valid():
            return self.render_form(programme, form)
        keep = form.cleaned_data["keep"]
        merged = services.merge_actors(keep=keep, others=list(form.cleaned_data["actors"]))
        messages.success(
            request,
            _("%(names)s réunies dans « %(kept)s » : %(meetings)s rencontre(s) rattachée(s).")
            % {
                "names": ", ".join(f"« {name} »" for name in merged.removed),
                "kept": merged.kept,
                "meetings": merged.meetings_moved,
            },
        )
        return redirect("projects:actor_detail", pk=merged.kept.pk)


__all__ = ["ActorCreateView", "ActorDetailView", "ActorListView", "ActorMergeView", "ActorUpdateView"]

"""Staff notes on a candidacy's page and a project's page: add, change or delete one's own.

Targets are fetched through `services.note_candidacies` / `services.note_projects`, notes through
`services.own_notes`: anyone else (an applicant, a member, a coach who only reads the project, another
programme's staff) gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from .. import services
from ..forms.notes import StaffNoteForm

TEMPLATE = "projects/note_form.html"


def notes_url(note_or_target) -> str:
    """Where a note is read: the notes section of its candidacy's page or its project's page."""
    candidacy_id = getattr(note_or_target, "candidacy_id", None)
    project_id = getattr(note_or_target, "project_id", None)
    if candidacy_id:
        return reverse("projects:candidacy_detail", args=[candidacy_id]) + "#notes"
    return reverse("projects:project_detail", args=[project_id]) + "#notes"


class NoteCreateView(LoginRequiredMixin, View):
    """POST from the notes section of a candidacy's or a project's page."""

    http_method_names = ["post"]
    on = None  # "candidacy" or "project"

    def get_target(self):
        if self.on == "candidacy":
            targets = services.note_candidacies(self.request.user).select_related("cohort")
        else:
            targets = services.note_projects(self.request.user).select_related("cohort")
        return get_object_or_404(targets, pk=self.kwargs["pk"])

    def post(self, request, pk):
        target = self.get_target()
        form = StaffNoteForm(request.POST)
        if not form.is_valid():
            # What was typed comes back in the form, with the reason it was not saved.
            return render(
                request, TEMPLATE, {"form": form, "target": target, "back": _back(self.on, target)}, status=400
            )
        services.add_note(author=request.user, text=form.cleaned_data["text"], **{self.on: target})
        messages.success(request, _("La note est enregistrée."))
        return redirect(_back(self.on, target))


class NoteUpdateView(LoginRequiredMixin, View):
    def get_note(self):
        notes = services.own_notes(self.request.user).select_related("candidacy", "project")
        return get_object_or_404(notes, pk=self.kwargs["pk"])

    def render_form(self, note, form, status=200):
        target = note.candidacy or note.project
        return render(
            self.request,
            TEMPLATE,
            {"form": form, "note": note, "target": target, "back": notes_url(note)},
            status=status,
        )

    def get(self, request, pk):
        note = self.get_note()
        return self.render_form(note, StaffNoteForm(initial={"text": note.text}))

    def post(self, request, pk):
        note = self.get_note()
        # Not bound to the note: the service compares what was typed with what is stored.
        form = StaffNoteForm(request.POST, initial={"text": note.text})
        if not form.is_valid():
            return self.render_form(note, form, status=400)
        change = services.update_note(note=note, text=form.cleaned_data["text"])
        if change.action == "changed":
            messages.success(request, _("La note est modifiée."))
        return redirect(notes_url(note))


class NoteDeleteView(LoginRequiredMixin, View):
    """POST: delete one's own note."""

    http_method_names = ["post"]

    def post(self, request, pk):
        note = get_object_or_404(services.own_notes(request.user), pk=pk)
        back = notes_url(note)
        services.delete_note(note=note)
        messages.success(request, _("La note est supprimée."))
        return redirect(back)


def _back(on, target) -> str:
    name = "projects:candidacy_detail" if on == "candidacy" else "projects:project_detail"
    return reverse(name, args=[target.pk]) + "#notes"

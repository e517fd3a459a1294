"""Staff notes on candidacies and projects: written by the programme's staff and the project's coaches, for
each other. Each person edits and deletes their own notes only."""

from dataclasses import dataclass

from django.db import transaction

from ..models import Candidacy, Project, StaffNote


@dataclass(frozen=True)
class NoteChange:
    note: StaffNote
    action: str  # "added", "changed", "unchanged" or "deleted"


def note_candidacies(user):
    """Candidacies whose notes a person may read and add to: staff, those of their programmes; a coach, the
    candidacy of a project they coach now (lead or second)."""
    if user.is_authenticated and user.is_programme_staff:
        return Candidacy.objects.for_user(user)
    return Candidacy.objects.filter(project__in=Project.objects.for_user(user))


def note_projects(user):
    """Projects whose notes a person may read and add to: exactly those they may edit."""
    return Project.objects.for_user(user)


def own_notes(user):
    """Notes a person may change or delete: their own, while they may still read them."""
    if not user.is_authenticated:
        return StaffNote.objects.none()
    return StaffNote.objects.for_user(user).filter(author=user)


@transaction.atomic
def add_note(*, author, text: str, candidacy: Candidacy | None = None, project: Project | None = None) -> NoteChange:
    note = StaffNote.objects.create(author=author, text=text.strip(), candidacy=candidacy, project=project)
    return NoteChange(note, "added")


@transaction.atomic
def update_note(*, note: StaffNote, text: str) -> NoteChange:
    text = text.strip()
    if text == note.text:
        return NoteChange(note, "unchanged")
    note.text = text
    note.save(update_fields=["text", "updated_at"])
    return NoteChange(note, "changed")


@transaction.atomic
def delete_note(*, note: StaffNote) -> NoteChange:
    note.delete()
    return NoteChange(note, "deleted")

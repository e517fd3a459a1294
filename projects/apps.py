from django.apps import AppConfig
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Candidatures et projets")

    def ready(self):
        # Imported here because Django needs the apps loaded first.
        from cohorts.models import Criterion
        from incubator.audit import track

        from .models import (
            Actor,
            ActorMet,
            Candidacy,
            CoachAssignment,
            CoachingSession,
            DecisionMessage,
            Message,
            Milestone,
            Outcome,
            Project,
            Review,
            StaffNote,
            Topic,
        )
        from .services.personal_data import FREE_TEXT_FIELDS

        # What applicants typed is theirs: the trail says it changed, never what it said.
        track(Candidacy, exclude=["public_id", "language"], hidden=[*FREE_TEXT_FIELDS, "project_name"])
        # A review's scores are recorded by save_review on the review itself (they are written in bulk);
        # the conflict note is the reviewer's private word and is blanked at anonymisation.
        score_labels = {f"score_{value}": label for value, label in Criterion.choices}
        comment_labels = {
            f"comment_{value}": format_lazy(_("Commentaire : {criterion}"), criterion=label)
            for value, label in Criterion.choices
        }
        track(Review, exclude=["conflict_note"], hidden=list(comment_labels), labels=score_labels | comment_labels)
        track(DecisionMessage)
        track(Project)
        track(CoachAssignment)
        # A meeting's notes stay between the programme's staff and coaches: only its metadata is recorded.
        track(CoachingSession, exclude=["notes"], choices={"topics": dict(Topic.choices)})
        track(Milestone)
        track(Outcome)
        # A staff note's words are about people, and go with them: the trail knows a note was written, by whom,
        # on what, never what it said.
        track(StaffNote, exclude=["text"])
        # A conversation's words are between the team and the person: the trail knows a message was written,
        # by whom and when, never what it said (nothing to find there when the person is erased).
        track(Message, exclude=["body", "notified_at"])
        track(Actor, exclude=["name_key"], labels={"merged_from": _("Fiches réunies dans celle-ci")})
        track(ActorMet)

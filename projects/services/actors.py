"""The programme's directory of actors: meetings noted from a project, duplicates merged into one card."""

import datetime
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db import transaction

from incubator import audit

from ..models import Actor, ActorMet, Project, actor_key

# An actor's fields a merge completes on the kept card when it has none.
COMPLETED_FIELDS = ["commune", "territory_id", "contact"]


@transaction.atomic
def record_actor_met(
    *,
    project: Project,
    actor: Actor | None,
    new_actor: dict | None = None,
    met_on: datetime.date,
    introduced_by_actor: Actor | None = None,
    introduced_by_project: Project | None = None,
    note: str = "",
) -> ActorMet:
    """Note that the project met `actor`, or the actor described by `new_actor`, which joins the directory.

    Two people typing the same new name at once get one card: the name is unique per programme, and the
    second finds the first's.
    """
    if actor is None:
        fields = dict(new_actor or {})
        organisation = " ".join(fields.pop("organisation").split())
        actor, _created = Actor.objects.get_or_create(
            programme_id=project.cohort.programme_id,
            name_key=actor_key(organisation),
            defaults={"organisation": organisation, **fields},
        )
    return ActorMet.objects.create(
        project=project,
        actor=actor,
        met_on=met_on,
        introduced_by_actor=introduced_by_actor,
        introduced_by_project=introduced_by_project,
        note=note,
    )


# How alike two names must be (difflib's ratio, 0 to 1) for the cards to be offered for reuniting.
SIMILAR_NAMES = 0.8


def possible_duplicates(actor: Actor, *, limit: int = 5) -> list[Actor]:
    """The programme's cards whose name looks like this one's: one holds the other (« Mission locale » and
    « Mission locale de Die »), or they differ by a few letters. One query; a directory holds hundreds of
    actors at most, compared in memory."""
    key = actor.name_key
    others = (
        Actor.objects.filter(programme_id=actor.programme_id)
        .exclude(pk=actor.pk)
        .only("pk", "organisation", "name_key")
    )
    alike = []
    for other in others:
        contained = key in other.name_key or other.name_key in key
        ratio = SequenceMatcher(None, key, other.name_key).ratio()
        if contained or ratio >= SIMILAR_NAMES:
            alike.append((not contained, -ratio, other.organisation, other))
    return [other for *_rank, other in sorted(alike, key=lambda item: item[:3])[:limit]]


@dataclass
class Merged:
    kept: Actor
    removed: list[str] = field(default_factory=list)  # the merged cards' names
    meetings_moved: int = 0
    introductions_moved: int = 0
    completed: list[str] = field(default_factory=list)  # the kept card's fields filled from the others


@transaction.atomic
def merge_actors(*, keep: Actor, others: list[Actor]) -> Merged:
    """Make `others` one with `keep`: their meetings and the introductions they made move to it, its empty
    fields take their values (contacts are all kept), then their cards go. The trail records each move.

    The rows are locked first, in primary-key order, so that two merges of overlapping cards wait for each
    other instead of losing a meeting.
    """
    others = [other for other in others if other.pk != keep.pk]
    pks = sorted([keep.pk, *(other.pk for other in others)])
    locked = {actor.pk: actor for actor in Actor.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    keep, others = locked[keep.pk], [locked[other.pk] for other in others if other.pk in locked]
    outcome = Merged(kept=keep, removed=[other.organisation for other in others])
    other_pks = [other.pk for other in others]

    meetings = list(ActorMet.objects.filter(actor_id__in=other_pks).select_for_update())
    introductions = list(ActorMet.objects.filter(introduced_by_actor_id__in=other_pks).select_for_update())
    names = {other.pk: other.organisation for other in others}
    audit.record_changes((meeting, {"actor": [names[meeting.actor_id], keep.organisation]}) for meeting in meetings)
    audit.record_changes(
        (meeting, {"introduced_by_actor": [names[meeting.introduced_by_actor_id], keep.organisation]})
        for meeting in introductions
    )
    outcome.meetings_moved = ActorMet.objects.filter(actor_id__in=other_pks).update(actor=keep)
    outcome.introductions_moved = ActorMet.objects.filter(introduced_by_actor_id__in=other_pks).update(
        introduced_by_actor=keep
    )

    contacts = [keep.contact.strip(), *(other.contact.strip() for other in others)]
    for name in COMPLETED_FIELDS:
        if name == "contact":
            continue
        if not getattr(keep, name):
            value = next((getattr(other, name) for other in others if getattr(other, name)), None)
            if value:
                setattr(keep, name, value)
                outcome.completed.append(name.removesuffix("_id"))
    contact = "\n".join(dict.fromkeys(text for text in contacts if text))
    if contact != keep.contact:
        keep.contact = contact
        outcome.completed.append("contact")

    for other in others:
        other.delete()
    keep.save()
    # The kept card's trail names the cards it absorbed.
    audit.record_changes([(keep, {"merged_from": [", ".join(outcome.removed), keep.organisation]})])
    return outcome

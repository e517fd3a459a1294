"""Reading candidacies: each reviewer's scoring grid, conflicts of interest, and what a reviewer may see.

No anchoring: a reviewer sees the other reviewers' scores only once their own grid is complete, and a
reviewer who declared a conflict of interest never scores the candidacy nor sees anyone's scores (nor decides
it: `candidacies.change_status` refuses them).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation

from cohorts.models import Programme
from incubator import audit

from ..models import Candidacy, Criterion, DecisionMessage, Review, ReviewScore
from .candidacies import ConflictOfInterest, default_decision_texts

Status = Candidacy.Status

# Reviews are written while the candidacy is being read; after the decision the grids are the record.
REVIEWABLE = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW, Status.SHORTLISTED})


class ReviewClosed(Exception):
    """The candidacy is no longer (or not yet) open to reviews."""


def is_reviewable(candidacy: Candidacy) -> bool:
    return candidacy.status in REVIEWABLE


@transaction.atomic
def save_review(*, candidacy: Candidacy, reviewer, scores: dict[str, int], comments: dict[str, str]) -> Review:
    """Record (or replace) a reviewer's complete grid: a score from 0 to 5 for every criterion."""
    # The row lock keeps a decision and a late review from crossing each other.
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    if not is_reviewable(candidacy):
        raise ReviewClosed
    if set(scores) != set(Criterion.values) or any(not 0 <= int(score) <= 5 for score in scores.values()):
        raise ValueError("A review scores every criterion from 0 to 5.")
    review, _created = Review.objects.get_or_create(candidacy=candidacy, reviewer=reviewer)
    if review.conflict_of_interest:
        raise ConflictOfInterest
    before = {score.criterion: score for score in review.scores.all()}
    review.scores.all().delete()
    after = ReviewScore.objects.bulk_create(
        ReviewScore(
            review=review, criterion=criterion, score=int(scores[criterion]), comment=comments.get(criterion, "")
        )
        for criterion in Criterion.values
    )
    review.save(update_fields=["updated_at"])
    audit.record_changes([(review, _score_changes(before, {score.criterion: score for score in after}))])
    return review


def _score_changes(before: dict, after: dict) -> dict:
    """What a new grid changed, as the trail records it on the review: scores, and which comments changed."""
    changes = {}
    for criterion in Criterion.values:
        old, new = before.get(criterion), after.get(criterion)
        old_score, new_score = (str(old.score) if old else "None"), (str(new.score) if new else "None")
        if old_score != new_score:
            changes[f"score_{criterion}"] = [old_score, new_score]
        if (old.comment if old else "") != (new.comment if new else ""):
            changes[f"comment_{criterion}"] = [audit.HIDDEN, audit.HIDDEN]
    return changes


@transaction.atomic
def declare_conflict(*, candidacy: Candidacy, reviewer, note: str = "") -> Review:
    """The reviewer steps aside: any score they gave is dropped and they cannot score any more."""
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    if not is_reviewable(candidacy):
        raise ReviewClosed
    review, _created = Review.objects.get_or_create(candidacy=candidacy, reviewer=reviewer)
    dropped = {score.criterion: score for score in review.scores.all()}
    review.scores.all().delete()
    audit.record_changes([(review, _score_changes(dropped, {}))])
    review.conflict_of_interest = True
    review.conflict_note = note
    review.save(update_fields=["conflict_of_interest", "conflict_note", "updated_at"])
    return review


def criterion_averages(candidacy: Candidacy) -> dict[str, float | None]:
    """The average score per criterion, in one query; conflicted reviews never count."""
    scores = ReviewScore.objects.filter(review__candidacy=candidacy, review__conflict_of_interest=False)
    return scores.aggregate(
        **{criterion: Avg("score", filter=Q(criterion=criterion)) for criterion in Criterion.values},
    )


def is_complete(review: Review | None) -> bool:
    """A grid counts once every criterion has its score (uses the prefetched scores)."""
    if review is None or review.conflict_of_interest:
        return False
    return {score.criterion for score in review.scores.all()} >= set(Criterion.values)


@dataclass
class CriterionRow:
    criterion: str
    label: str
    scores: list  # one ReviewScore (or None) per visible review, in the order of `ReviewPanel.reviews`
    average: float | None


@dataclass
class ReviewPanel:
    """What one person may see and do in a candidacy's review panel."""

    own: Review | None
    reviewable: bool
    conflicted: bool
    complete: bool
    can_score: bool
    can_see_others: bool
    reviews: list[Review] = field(default_factory=list)
    conflicted_reviews: list[Review] = field(default_factory=list)
    rows: list[CriterionRow] = field(default_factory=list)
    comments: list[tuple[Review, list[tuple[str, str]]]] = field(default_factory=list)  # (criterion label, text)


def review_panel(*, candidacy: Candidacy, user) -> ReviewPanel:
    """The user's own grid, and the others' only once theirs is complete (three queries at most)."""
    reviews = list(candidacy.reviews.select_related("reviewer").prefetch_related("scores").order_by("created_at", "pk"))
    own = next((review for review in reviews if review.reviewer_id == user.pk), None)
    conflicted = bool(own and own.conflict_of_interest)
    complete = is_complete(own)
    reviewable = is_reviewable(candidacy)
    panel = ReviewPanel(
        own=own,
        reviewable=reviewable,
        conflicted=conflicted,
        complete=complete,
        can_score=reviewable and not conflicted,
        # Others' scores show once one's own grid is in, or once reviews are closed (no anchoring left).
        can_see_others=not conflicted and (complete or not reviewable),
    )
    if not panel.can_see_others:
        return panel
    panel.reviews = [review for review in reviews if not review.conflict_of_interest]
    panel.conflicted_reviews = [review for review in reviews if review.conflict_of_interest]
    averages = criterion_averages(candidacy)
    by_review = [{score.criterion: score for score in review.scores.all()} for review in panel.reviews]
    panel.rows = [
        CriterionRow(
            criterion=criterion,
            label=label,
            scores=[scores.get(criterion) for scores in by_review],
            average=averages[criterion],
        )
        for criterion, label in Criterion.choices
    ]
    for review, scores in zip(panel.reviews, by_review, strict=True):
        said = [(label, scores[c].comment) for c, label in Criterion.choices if c in scores and scores[c].comment]
        if said:
            panel.comments.append((review, said))
    return panel


def candidacies_for_review(user) -> QuerySet:
    """The received candidacies a person may read, ready for the list (constant number of queries)."""
    own_review = Review.objects.filter(candidacy=OuterRef("pk"), reviewer=user.pk)
    # Subqueries rather than a join and GROUP BY, so that the paginator's count stays a plain COUNT.
    scored = (
        Review.objects.filter(candidacy=OuterRef("pk"), conflict_of_interest=False)
        .order_by()
        .values("candidacy")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Candidacy.objects.for_user(user)
        .select_related("cohort__programme", "territory")
        .annotate(
            review_count=Coalesce(Subquery(scored), 0),
            # None: not reviewed by this user yet; False: scored; True: conflict of interest declared.
            own_conflict=Subquery(own_review.values("conflict_of_interest")[:1]),
        )
        .order_by("-submitted_at", "-pk")
    )


# --- Decision e-mails, worded by staff -----------------------------------------------------------


def decision_texts(programme: Programme) -> dict[str, tuple[str, str]]:
    """The programme's saved texts, with the default wording for any decision not saved yet."""
    with translation.override(settings.LANGUAGE_CODE):  # the reference wording, whoever edits it
        texts = dict(default_decision_texts())
    for message in programme.decision_messages.all():
        texts[message.kind] = (message.subject, message.body)
    return texts


@transaction.atomic
def save_decision_messages(*, programme: Programme, texts: dict[str, tuple[str, str]]) -> None:
    """Store the three decision e-mails of a programme, replacing what was there."""
    for kind, (subject, body) in texts.items():
        if kind not in dict(DecisionMessage.KINDS):
            raise ValueError(f"Not a decision with an e-mail: {kind}")
        DecisionMessage.objects.update_or_create(
            programme=programme, kind=kind, defaults={"subject": subject, "body": body}
        )

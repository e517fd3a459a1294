from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.models import Criterion  # the programme's selection criteria, read on the call page too

from .candidacy import Candidacy


class Review(models.Model):
    """One reviewer's reading of a candidacy: a score per criterion, or a declared conflict of interest."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("évaluateur·rice"), on_delete=models.PROTECT, related_name="reviews"
    )
    conflict_of_interest = models.BooleanField(_("conflit d'intérêts déclaré"), default=False)
    conflict_note = models.TextField(_("précision sur le conflit d'intérêts"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        constraints = [
            models.UniqueConstraint(fields=["candidacy", "reviewer"], name="review_one_per_reviewer"),
        ]

    def __str__(self):
        return f"{self.candidacy} — {self.reviewer}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(_("critère"), max_length=20, choices=Criterion.choices)
    score = models.PositiveSmallIntegerField(_("note sur 5"), validators=[MaxValueValidator(5)])
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        ordering = ["review", "criterion"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_score_one_per_criterion"),
            models.CheckConstraint(condition=models.Q(score__lte=5), name="review_score_at_most_5"),
        ]

    def __str__(self):
        return f"{self.get_criterion_display()}: {self.score}/5"

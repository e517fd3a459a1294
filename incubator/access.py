"""Who may open which page: one mixin per role. Anonymous visitors are sent to the login page; others get a 403.

Which *objects* a person reaches is the models' business: views fetch through `Model.objects.for_user(user)`,
so that a forgotten check gives a 404, never a leak.
"""

from django.contrib.auth.mixins import UserPassesTestMixin


class StaffRequiredMixin(UserPassesTestMixin):
    """The programme's staff (and superusers)."""

    def test_func(self):
        return self.request.user.is_authenticated and self.request.user.is_programme_staff


class CoachRequiredMixin(UserPassesTestMixin):
    def test_func(self):
        return self.request.user.is_authenticated and self.request.user.is_coach


class ReviewerRequiredMixin(UserPassesTestMixin):
    """Staff, and coaches given the reviewer role."""

    def test_func(self):
        return self.request.user.is_authenticated and self.request.user.can_review


class TrainerRequiredMixin(UserPassesTestMixin):
    """A person whose login belongs to a trainer."""

    def test_func(self):
        return self.request.user.is_authenticated and self.request.user.is_trainer

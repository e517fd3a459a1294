"""Who may open which page. Anonymous visitors are sent to the login page; others get a 403."""

from django.contrib.auth.mixins import UserPassesTestMixin


class StaffRequiredMixin(UserPassesTestMixin):
    """The programme's staff (and superusers)."""

    def test_func(self):
        return self.request.user.is_authenticated and self.request.user.is_programme_staff


class CoachRequiredMixin(UserPassesTestMixin):
    def test_func(self):
        return self.request.user.is_authenticated and self.request.user.is_coach

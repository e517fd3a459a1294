from django.views.generic import TemplateView

from cohorts.models import Cohort
from incubator.access import CoachRequiredMixin


class MyProjectsView(CoachRequiredMixin, TemplateView):
    """The coach's home: the current seasons of their programmes and the projects they follow."""

    template_name = "projects/my_projects.html"

    def get_context_data(self, **kwargs):
        cohorts = Cohort.objects.for_user(self.request.user).current().select_related("programme")
        return super().get_context_data(cohorts=cohorts, **kwargs)

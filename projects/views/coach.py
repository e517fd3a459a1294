from collections import defaultdict

from django.utils import timezone
from django.views.generic import TemplateView

from incubator.access import CoachRequiredMixin

from .. import services
from ..models import Project


class MyProjectsView(CoachRequiredMixin, TemplateView):
    """The coach's home: the projects they coach in the current seasons, or in a past season they pick."""

    template_name = "projects/my_projects.html"

    def get_context_data(self, **kwargs):
        coach, today = self.request.user, timezone.localdate()
        seasons = services.coach_seasons(coach=coach, today=today)
        selected = self.selected_season(seasons)
        shown = (
            [selected] if selected else [season for season in seasons if season.phase(today) == season.Phase.CURRENT]
        )
        cards, readable = [], []
        if shown:
            projects = list(services.coach_projects(coach=coach, cohorts=shown, today=today))
            attendance = services.attendance_rates([project.pk for project in projects])
            cards = [services.progress(project, today=today, attendance=attendance) for project in projects]
            if any(season.programme.coaches_read_season_projects for season in shown):
                # The season's other projects, which the programme lets its coaches read as a pair does.
                readable = list(
                    Project.objects.readable_by(coach)
                    .filter(cohort__in=shown)
                    .exclude(pk__in=[project.pk for project in projects])
                    .select_related("territory")
                    .order_by("name")
                )
        cards_by_season, readable_by_season = defaultdict(list), defaultdict(list)
        for card in cards:
            cards_by_season[card.project.cohort_id].append(card)
        for project in readable:
            readable_by_season[project.cohort_id].append(project)
        return super().get_context_data(
            seasons=seasons,
            selected=selected,
            # Offered as soon as there is another season to look at than the ones shown.
            show_switcher=bool(selected) or any(season not in shown for season in seasons),
            sections=[(season, cards_by_season[season.pk], readable_by_season[season.pk]) for season in shown],
            today=today,
            **kwargs,
        )

    def selected_season(self, seasons):
        # An unknown or mistyped season shows the current ones rather than an error.
        wanted = self.request.GET.get("saison", "")
        return next((season for season in seasons if str(season.pk) == wanted.strip()), None)

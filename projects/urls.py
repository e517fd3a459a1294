from django.urls import path

from .views import actors, apply, assignments, coach, follow_up, notes, project, season_import, staff
from .views import personal_data as personal_data_views

app_name = "projects"

urlpatterns = [
    # Applicants: no account, signed links.
    path("candidater/<int:cohort_pk>/", apply.apply, name="apply"),
    path("candidater/brouillon/<str:token>/", apply.apply, name="apply_resume"),
    path("candidature/<str:token>/", apply.candidacy_status, name="candidacy_status"),
    path("candidature/<str:token>/retirer/", apply.candidacy_withdraw, name="candidacy_withdraw"),
    path("candidature/<str:token>/message/", apply.candidacy_reply, name="candidacy_reply"),
    # Project contacts, months after their season: signed links.
    path("suivi/<str:token>/", follow_up.follow_up, name="follow_up"),
    # Staff: who coaches which project.
    path("accompagnements/<int:cohort_pk>/", assignments.AssignmentBoardView.as_view(), name="assignment_board"),
    # Coaches.
    path("mes-projets/", coach.MyProjectsView.as_view(), name="my_projects"),
    # Staff and reviewers.
    path("candidatures/", staff.CandidacyListView.as_view(), name="candidacy_list"),
    path("candidatures/<int:pk>/", staff.CandidacyDetailView.as_view(), name="candidacy_detail"),
    path("candidatures/<int:pk>/evaluation/", staff.CandidacyReviewView.as_view(), name="candidacy_review"),
    path("candidatures/<int:pk>/decision/", staff.CandidacyTransitionView.as_view(), name="candidacy_transition"),
    path("candidatures/<int:pk>/message/", staff.CandidacyMessageView.as_view(), name="candidacy_message"),
    path(
        "candidatures/<int:pk>/documents/<int:attachment_pk>/",
        staff.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path(
        "messages-de-decision/<int:programme_pk>/",
        staff.DecisionMessagesView.as_view(),
        name="decision_messages",
    ),
    # Personal data requests (staff).
    path("donnees-personnelles/", personal_data_views.PersonalDataView.as_view(), name="personal_data"),
    # Coaching.
    path("<int:pk>/", project.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/rendez-vous/nouveau/", project.MeetingCreateView.as_view(), name="meeting_create"),
    path("rendez-vous/<int:pk>/modifier/", project.MeetingUpdateView.as_view(), name="meeting_update"),
    path("<int:pk>/etapes/<int:step_pk>/", project.NextStepToggleView.as_view(), name="next_step_toggle"),
    path("<int:pk>/jalons/", project.MilestonesUpdateView.as_view(), name="milestones_update"),
    path("<int:pk>/message/", project.ProjectMessageView.as_view(), name="project_message"),
    path("<int:pk>/bilan/", project.OutcomeUpdateView.as_view(), name="outcome_update"),
    path("<int:pk>/acteurs/nouveau/", project.ActorCreateView.as_view(), name="actor_create"),
    # Staff notes, never shown to applicants nor members.
    path(
        "candidatures/<int:pk>/notes/",
        notes.NoteCreateView.as_view(on="candidacy"),
        name="candidacy_note_create",
    ),
    path("<int:pk>/notes/", notes.NoteCreateView.as_view(on="project"), name="project_note_create"),
    path("notes/<int:pk>/modifier/", notes.NoteUpdateView.as_view(), name="note_update"),
    path("notes/<int:pk>/supprimer/", notes.NoteDeleteView.as_view(), name="note_delete"),
    # The programme's directory of territorial actors (staff and the programme's coaches; merging is staff's).
    path("annuaire/<int:programme_pk>/", actors.ActorListView.as_view(), name="actor_list"),
    path("annuaire/<int:programme_pk>/nouveau/", actors.ActorCreateView.as_view(), name="actor_new"),
    path("annuaire/<int:programme_pk>/reunir/", actors.ActorMergeView.as_view(), name="actor_merge"),
    path("acteurs/<int:pk>/", actors.ActorDetailView.as_view(), name="actor_detail"),
    path("acteurs/<int:pk>/modifier/", actors.ActorUpdateView.as_view(), name="actor_update"),
    path("programmes/<int:pk>/jalons/", project.MilestoneTemplatesView.as_view(), name="milestone_templates"),
]

# Pages named in the seasons' namespace (cohorts:…), mounted by incubator/urls.py under /saisons/.
cohort_patterns: list = [
    # Staff: past seasons brought in from a spreadsheet, and the file to fill in.
    path(
        "programmes/<int:programme_pk>/reprise/",
        season_import.SeasonImportView.as_view(),
        name="season_import",
    ),
    path(
        "programmes/<int:programme_pk>/reprise/modele/",
        season_import.SeasonImportTemplateView.as_view(),
        name="season_import_template",
    ),
]

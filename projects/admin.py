from django.contrib import admin

from cohorts.admin import SeasonListFilter

from .models import (
    Actor,
    ActorMet,
    Attachment,
    Candidacy,
    CandidacyMember,
    CoachAssignment,
    CoachingSession,
    DecisionMessage,
    FollowUp,
    ImportedCandidacyCount,
    Message,
    Milestone,
    MilestoneTemplate,
    NextStep,
    Outcome,
    Project,
    ProjectMember,
    Review,
    ReviewScore,
    SeasonImport,
    StaffNote,
    StatusChange,
    Thread,
)


class CandidacyMemberInline(admin.TabularInline):
    model = CandidacyMember
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "by", "note", "at"]


@admin.register(Candidacy)
class CandidacyAdmin(admin.ModelAdmin):
    list_display = ["project_name", "reference", "cohort", "status", "territory", "sector", "submitted_at"]
    list_filter = ["status", ("cohort", SeasonListFilter), "territory", "sector"]
    list_select_related = ["cohort__programme", "territory"]
    search_fields = ["project_name", "reference", "contact_name", "contact_email"]
    readonly_fields = ["public_id", "reference", "submitted_at", "anonymised_at", "created_at", "updated_at"]
    inlines = [CandidacyMemberInline, AttachmentInline, StatusChangeInline]


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["candidacy", "reviewer", "conflict_of_interest", "updated_at"]
    list_select_related = ["candidacy", "reviewer"]
    inlines = [ReviewScoreInline]


@admin.register(DecisionMessage)
class DecisionMessageAdmin(admin.ModelAdmin):
    list_display = ["programme", "kind", "subject"]
    list_filter = ["programme", "kind"]


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "cohort", "sector", "territory"]
    list_filter = [("cohort", SeasonListFilter), "sector", "territory"]
    list_select_related = ["cohort__programme", "territory"]
    search_fields = ["name"]
    inlines = [ProjectMemberInline]


admin.site.register([CandidacyMember, Attachment, StatusChange, ReviewScore, ProjectMember])


@admin.register(CoachAssignment)
class CoachAssignmentAdmin(admin.ModelAdmin):
    list_display = ["project", "coach", "role", "cohort", "started_on", "ended_on"]
    list_filter = [("cohort", SeasonListFilter), "role", "coach"]
    list_select_related = ["project", "coach", "cohort__programme"]


class NextStepInline(admin.TabularInline):
    model = NextStep
    extra = 0


@admin.register(CoachingSession)
class CoachingSessionAdmin(admin.ModelAdmin):
    list_display = ["project", "coach", "date", "duration_minutes", "format"]
    list_filter = ["format", "coach"]
    list_select_related = ["project", "coach"]
    date_hierarchy = "date"
    inlines = [NextStepInline]


@admin.register(MilestoneTemplate)
class MilestoneTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "order", "target_month"]
    list_filter = ["programme"]


admin.site.register([NextStep, Milestone, Outcome])


@admin.register(StaffNote)
class StaffNoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "candidacy", "project", "created_at"]
    list_select_related = ["author", "candidacy", "project"]
    raw_id_fields = ["candidacy", "project"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["created_at", "author_kind", "author_user", "author_member", "body", "notified_at"]
    readonly_fields = ["created_at", "notified_at"]
    raw_id_fields = ["author_user", "author_member"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "candidacy", "project", "created_at"]
    list_select_related = ["candidacy", "project"]
    raw_id_fields = ["candidacy", "project"]
    inlines = [MessageInline]


admin.site.register(Message, raw_id_fields=["thread", "author_user", "author_member"])


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["project", "months", "due_on", "sent_at", "reminded_at", "answered_at", "status", "jobs_fte"]
    list_filter = ["months", "status"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "mail", "reminder_mail"]


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "commune", "territory", "programme"]
    list_filter = ["programme", "kind", "territory"]
    search_fields = ["organisation", "commune"]


@admin.register(ActorMet)
class ActorMetAdmin(admin.ModelAdmin):
    list_display = ["project", "actor", "met_on"]
    list_select_related = ["project", "actor"]
    raw_id_fields = ["project", "actor", "introduced_by_actor", "introduced_by_project"]


@admin.register(ImportedCandidacyCount)
class ImportedCandidacyCountAdmin(admin.ModelAdmin):
    list_display = ["cohort", "territory", "sector", "received", "accepted"]
    list_select_related = ["cohort__programme", "territory"]


@admin.register(SeasonImport)
class SeasonImportAdmin(admin.ModelAdmin):
    list_display = ["cohort", "file_name", "imported_by", "imported_at"]
    list_select_related = ["cohort__programme", "imported_by"]

"""Staff and reviewers: the candidacies received, their scoring grids, and the decisions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView
from django_filters.views import FilterView

from cohorts.models import Programme
from incubator import audit
from incubator.access import ReviewerRequiredMixin, StaffRequiredMixin

from .. import services
from ..filters import CandidacyFilter
from ..forms.conversations import MessageForm
from ..forms.notes import StaffNoteForm
from ..forms.review import DECISION_LABELS, ConflictForm, DecisionMessagesForm, ReviewForm, TransitionForm
from ..models import Attachment, Candidacy, Review, Sector, StaffNote, StatusChange
from ..services.candidacies import TRANSITIONS

PAGE_SIZE = 25
SEARCH_COUNTED = 100  # a search's matches are counted up to this many; past it the list says « plus de 100 »
CONFLICTED = gettext_lazy("Vous avez déclaré un conflit d'intérêts pour cette candidature : vous ne la notez pas.")
CONFLICTED_DECISION = gettext_lazy(
    "Vous avez déclaré un conflit d'intérêts pour cette candidature : la décision revient à une autre personne "
    "de l'équipe du programme."
)


class ListPaginator(Paginator):
    """A paginator told its count when the page already knows it, or that counts a search's matches only up to
    `enough`: past that the page says « plus de … » and offers the next page, rather than reading every match."""

    def __init__(self, object_list, per_page, *, count=None, enough=None):
        super().__init__(object_list, per_page)
        self.known_count = count
        self.enough = enough

    @cached_property
    def count(self):
        if self.known_count is not None:
            return self.known_count
        if self.enough is None:
            return self.object_list.count()
        return self.object_list.order_by().values("pk")[: self.enough + 1].count()

    @property
    def count_is_bounded(self):
        return self.enough is not None and self.count > self.enough


class CandidacyListView(ReviewerRequiredMixin, FilterView):
    template_name = "projects/candidacy_list.html"
    filterset_class = CandidacyFilter
    context_object_name = "candidacies"
    paginate_by = PAGE_SIZE
    known_count = None

    def get_queryset(self):
        return services.candidacies_for_review(self.request.user)

    def get_paginator(self, queryset, per_page, **kwargs):
        enough = None
        if self.known_count is None and self.filterset.is_valid() and self.filterset.form.cleaned_data.get("q"):
            # Counted far enough to show this page and the next one exists, never every match of a common word.
            enough = max(SEARCH_COUNTED, self.requested_page() * per_page)
        return ListPaginator(queryset, per_page, count=self.known_count, enough=enough)

    def requested_page(self):
        try:
            return max(int(self.request.GET.get(self.page_kwarg) or 1), 1)
        except ValueError:
            return 1

    def paginate_queryset(self, queryset, page_size):
        # A page number out of range or mistyped shows the nearest page rather than an error.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        season = self.filterset.selected_season()
        counted = Candidacy.objects.for_user(self.request.user)
        if season is not None:
            counted = counted.filter(cohort=season)
        counts, total = services.status_counts(counted)
        self.known_count = self.count_among(counts, total)
        programmes = Programme.objects.none()
        if self.request.user.is_programme_staff:
            programmes = Programme.objects.for_user(self.request.user)
        # The folded filter opens by itself once used.
        filtered = any(self.request.GET.get(name) for name in self.filterset.form.fields)
        context = super().get_context_data(
            season=season, status_counts=counts, total=total, programmes=programmes, filtered=filtered, **kwargs
        )
        label_rows(context["candidacies"])
        return context

    def count_among(self, counts, total):
        """The list's length when the counts per state say it already (filtered by season and state at most)."""
        if self.filterset.is_bound and not self.filterset.is_valid():
            return None
        chosen = self.filterset.form.cleaned_data if self.filterset.is_bound else {}
        if any(chosen.get(name) for name in ("q", "territory", "sector")):
            return None
        if not chosen.get("status"):
            return total
        return next(count.count for count in counts if count.status == chosen["status"])


def label_rows(candidacies):
    """Each listed candidacy's link and labels, looked up once per page rather than by the template per cell."""
    statuses, sectors = dict(Candidacy.Status.choices), dict(Sector.choices)
    for candidacy in candidacies:
        candidacy.url = reverse("projects:candidacy_detail", args=[candidacy.pk])
        candidacy.status_label = statuses[candidacy.status]
        candidacy.sector_label = sectors.get(candidacy.sector, "")


class CandidacyPageMixin(ReviewerRequiredMixin):
    """Fetches the candidacy through the person's own access, and renders its page in any state."""

    def get_candidacy(self):
        return get_object_or_404(
            Candidacy.objects.for_user(self.request.user)
            .select_related("cohort__programme", "territory")
            .prefetch_related(
                "members", "attachments", Prefetch("history", queryset=StatusChange.objects.select_related("by"))
            ),
            pk=self.kwargs["pk"],
        )

    def render_page(
        self,
        candidacy,
        *,
        panel=None,
        review_form=None,
        conflict_form=None,
        transition_form=None,
        over_capacity=None,
        message_form=None,
    ):
        user = self.request.user
        panel = panel or services.review_panel(candidacy=candidacy, user=user)
        is_staff = user.is_programme_staff
        allowed = TRANSITIONS.get(candidacy.status, set())
        context = {
            "candidacy": candidacy,
            "panel": panel,
            "review_form": review_form or (ReviewForm(review=panel.own) if panel.can_score else None),
            "conflict_form": conflict_form or (ConflictForm() if panel.can_score else None),
            "is_staff": is_staff,
            "attachment_url_name": "projects:attachment_download" if is_staff else None,
            "decisions": [(status, label) for status, label in DECISION_LABELS.items() if status in allowed]
            if is_staff and not panel.conflicted
            else [],
            "decision_conflicted": CONFLICTED_DECISION if panel.conflicted and allowed else None,
            "transition_form": transition_form or TransitionForm(),
            "over_capacity": over_capacity,
            # Staff notes: the programme's staff, and the coaches of the project the candidacy became.
            "notes": candidacy_notes(candidacy, user),
            "note_form": StaffNoteForm(),
            # The trail is the programme's staff's: reviewers who are coaches read the steps above it only.
            "trail": audit.history(candidacy, Review.objects.filter(candidacy=candidacy)) if is_staff else None,
        }
        if is_staff:
            # The conversation with the applicant is the programme's staff's, like the decisions.
            context |= conversation_context(candidacy, message_form)
        return render(self.request, "projects/candidacy_detail.html", context)


def candidacy_notes(candidacy, user) -> list | None:
    """The candidacy's staff notes, or None when the person may not read them (a reviewer who does not coach the
    project it became)."""
    if not user.is_programme_staff and not services.note_candidacies(user).filter(pk=candidacy.pk).exists():
        return None
    return list(StaffNote.objects.filter(candidacy=candidacy).select_related("author"))


class CandidacyDetailView(CandidacyPageMixin, View):
    def get(self, request, pk):
        return self.render_page(self.get_candidacy())


class CandidacyReviewView(CandidacyPageMixin, View):
    """POST: the reviewer's grid, or their declaration of a conflict of interest."""

    http_method_names = ["post"]

    def post(self, request, pk):
        candidacy = self.get_candidacy()
        panel = services.review_panel(candidacy=candidacy, user=request.user)
        if not panel.reviewable:
            messages.error(request, closed_message(candidacy))
            return redirect(candidacy_url(candidacy, anchor="evaluation"))
        if panel.conflicted:
            messages.error(request, CONFLICTED)
            return redirect(candidacy_url(candidacy, anchor="evaluation"))
        if request.POST.get("action") == "conflict":
            return self.declare_conflict(candidacy, panel)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Votre évaluation n'est pas enregistrée : corrigez les notes signalées."))
            return self.render_page(candidacy, panel=panel, review_form=form)
        try:
            services.save_review(
                candidacy=candidacy, reviewer=request.user, scores=form.scores(), comments=form.comments()
            )
        except services.ReviewClosed:
            messages.error(request, closed_message(candidacy))
        except services.ConflictOfInterest:
            messages.error(request, CONFLICTED)
        else:
            messages.success(request, _("Votre évaluation est enregistrée."))
        return redirect(candidacy_url(candidacy, anchor="evaluation"))

    def declare_conflict(self, candidacy, panel):
        form = ConflictForm(self.request.POST)
        if not form.is_valid():
            return self.render_page(candidacy, panel=panel, conflict_form=form)
        try:
            services.declare_conflict(candidacy=candidacy, reviewer=self.request.user, note=form.cleaned_data["note"])
        except services.ReviewClosed:
            messages.error(self.request, closed_message(candidacy))
        else:
            messages.success(
                self.request, _("Votre conflit d'intérêts est enregistré : vous ne noterez pas cette candidature.")
            )
        return redirect(candidacy_url(candidacy, anchor="evaluation"))


class CandidacyTransitionView(StaffRequiredMixin, CandidacyPageMixin, View):
    """POST: staff move the candidacy one step of the workflow; a full season needs an explicit yes."""

    http_method_names = ["post"]

    def post(self, request, pk):
        candidacy = self.get_candidacy()
        form = TransitionForm(request.POST)
        if not form.is_valid():
            # Rendered again rather than redirected, so that the note typed is not lost.
            return self.render_page(candidacy, transition_form=form)
        to_status = form.cleaned_data["to_status"]
        try:
            services.change_status(
                candidacy=candidacy,
                to_status=to_status,
                by=request.user,
                note=form.cleaned_data["note"],
                confirm_over_capacity=form.cleaned_data["confirm_over_capacity"],
            )
        except services.TransitionNotAllowed:
            messages.error(
                request,
                _(
                    "Cette candidature est « %(status)s » : elle ne peut pas passer à « %(target)s ». "
                    "Vérifiez son état avant de décider."
                )
                % {"status": candidacy.get_status_display(), "target": Candidacy.Status(to_status).label},
            )
            return self.render_page(candidacy, transition_form=form)
        except services.ConflictOfInterest:
            messages.error(request, CONFLICTED_DECISION)
            return redirect(candidacy_url(candidacy, anchor="decision"))
        except services.PlacesFull:
            return self.render_page(candidacy, transition_form=form, over_capacity=over_capacity_message(candidacy))
        messages.success(
            request, _("La candidature est maintenant « %(status)s ».") % {"status": Candidacy.Status(to_status).label}
        )
        return redirect(candidacy_url(candidacy, anchor="decision"))


ANONYMISED = gettext_lazy(
    "Cette candidature est anonymisée : la personne ne peut plus être jointe ici, et son lien ne s'ouvre plus."
)


def applicant_message_form(candidacy, data=None):
    if candidacy.contact_name:
        return MessageForm(data, label=_("Écrire à %(name)s") % {"name": candidacy.contact_name})
    return MessageForm(data, label=_("Écrire à la personne qui candidate"))


def conversation_context(candidacy, message_form=None):
    if candidacy.anonymised_at is not None:
        return {
            "conversation": services.conversation(candidacy=candidacy),
            "conversation_title": _("Messages avec la personne qui candidate"),
            "conversation_intro": ANONYMISED,
            "viewer": "staff",
        }
    if candidacy.contact_email:
        note = _(
            "Un e-mail prévient %(email)s qu'un message l'attend sur sa page de suivi (le texte n'y est pas recopié)."
        ) % {"email": candidacy.contact_email}
    else:
        note = _("Aucune adresse e-mail n'est connue : la personne lira le message sur sa page de suivi.")
    return {
        "conversation": services.conversation(candidacy=candidacy),
        "conversation_title": _("Messages avec la personne qui candidate"),
        "message_form": message_form or applicant_message_form(candidacy),
        "message_action": reverse("projects:candidacy_message", args=[candidacy.pk]),
        "message_note": note,
        "viewer": "staff",
        "applicant_name": candidacy.contact_name,
    }


class CandidacyMessageView(StaffRequiredMixin, CandidacyPageMixin, View):
    """POST: staff write to the applicant; the page comes back with what was typed when it needs a correction."""

    http_method_names = ["post"]

    def post(self, request, pk):
        candidacy = self.get_candidacy()
        form = applicant_message_form(candidacy, request.POST)
        if not form.is_valid():
            messages.error(request, _("Votre message n'est pas envoyé : corrigez ce qui est signalé."))
            return self.render_page(candidacy, message_form=form)
        try:
            written = services.write_to_applicant(
                candidacy=candidacy, author=request.user, body=form.cleaned_data["body"]
            )
        except services.ConversationClosed:
            messages.error(request, ANONYMISED)
            return self.render_page(candidacy, message_form=form)
        if written.told:
            messages.success(
                request,
                _("Votre message est envoyé : un e-mail prévient %(emails)s.") % {"emails": ", ".join(written.told)},
            )
        else:
            messages.warning(
                request,
                _(
                    "Votre message est enregistré, mais aucun e-mail n'a pu prévenir la personne : elle le lira sur sa page de suivi."
                ),
            )
        return redirect(candidacy_url(candidacy, anchor="conversation"))


class AttachmentDownloadView(StaffRequiredMixin, View):
    """Documents are for staff only, always downloaded, never shown inline by the browser."""

    def get(self, request, pk, attachment_pk):
        candidacy = get_object_or_404(Candidacy.objects.for_user(request.user), pk=pk)
        attachment = get_object_or_404(Attachment, pk=attachment_pk, candidacy=candidacy)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError) as error:
            raise Http404(_("Ce document est introuvable.")) from error
        response = FileResponse(
            handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class DecisionMessagesView(StaffRequiredMixin, FormView):
    template_name = "projects/decision_messages_form.html"
    form_class = DecisionMessagesForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_programme_staff:
            self.programme = get_object_or_404(
                Programme.objects.for_user(request.user).prefetch_related("decision_messages"),
                pk=kwargs["programme_pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "texts": services.decision_texts(self.programme)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(programme=self.programme, **kwargs)

    def form_valid(self, form):
        services.save_decision_messages(programme=self.programme, texts=form.texts())
        messages.success(self.request, _("Les messages de décision sont enregistrés."))
        return redirect("projects:decision_messages", programme_pk=self.programme.pk)


def candidacy_url(candidacy, *, anchor=""):
    url = reverse("projects:candidacy_detail", args=[candidacy.pk])
    return f"{url}#{anchor}" if anchor else url


def closed_message(candidacy):
    return _("Cette candidature est « %(status)s » : les évaluations sont closes.") % {
        "status": candidacy.get_status_display()
    }


def over_capacity_message(candidacy):
    cohort = candidacy.cohort
    places, taken = cohort.places, cohort.projects.count()
    return " ".join(
        [
            ngettext(
                "« %(season)s » compte %(places)s place",
                "« %(season)s » compte %(places)s places",
                places,
            )
            % {"season": cohort.name, "places": places},
            ngettext("et %(taken)s projet y est déjà retenu.", "et %(taken)s projets y sont déjà retenus.", taken)
            % {"taken": taken},
            _("Pour retenir ce projet en plus, cochez la case de confirmation puis validez de nouveau."),
        ]
    )

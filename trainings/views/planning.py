"""Staff: venues, trainers, the season calendar and its days."""

from django.contrib import messages
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from cohorts.models import Cohort, Programme
from incubator import audit
from incubator.access import StaffRequiredMixin
from incubator.models import Territory

from .. import services
from ..forms import CalendarForm, SessionForm, TrainerForm, VenueForm
from ..models import Attendance, Trainer, TrainingSession, Venue

Response = Attendance.Response


def programme_territories(user):
    """The territories a person's programmes serve: a trainer living there is local."""
    programmes = Programme.objects.for_user(user)
    return Territory.objects.filter(cohorts__programme__in=programmes).distinct()


def sessions_with_counts(sessions):
    """Answers per day in the same query as the days: confirmed, declined, not answered yet."""
    return sessions.annotate(
        confirmed=Count("attendances", filter=Q(attendances__response=Response.CONFIRMED)),
        declined=Count("attendances", filter=Q(attendances__response=Response.DECLINED)),
        no_answer=Count("attendances", filter=Q(attendances__response=Response.INVITED)),
    )


def mark_editable(entries, user):
    """The edit button shows only on the entries of the person's own structure (every one, for a superuser)."""
    for entry in entries:
        entry.editable = user.is_superuser or entry.partner_structure_id == user.partner_structure_id


# --- Venues ----------------------------------------------------------------------------------------


class VenueListView(StaffRequiredMixin, ListView):
    template_name = "trainings/venue_list.html"
    context_object_name = "venues"

    def get_queryset(self):
        return Venue.objects.for_user(self.request.user).select_related("territory", "partner_structure")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mark_editable(context["venues"], self.request.user)
        return context


class VenueCreateView(StaffRequiredMixin, SuccessMessageMixin, CreateView):
    form_class = VenueForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    template_name = "trainings/venue_form.html"
    success_url = reverse_lazy("trainings:venue_list")
    success_message = gettext_lazy("Le lieu a été ajouté.")


class VenueUpdateView(StaffRequiredMixin, SuccessMessageMixin, UpdateView):
    form_class = VenueForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    template_name = "trainings/venue_form.html"
    success_url = reverse_lazy("trainings:venue_list")
    success_message = gettext_lazy("Le lieu a été enregistré.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(trail=audit.history(self.object), **kwargs)

    def get_queryset(self):
        # Another structure's entry answers 404, as if it did not exist for this person.
        return Venue.objects.editable_by(self.request.user)


# --- Trainers --------------------------------------------------------------------------------------


class TrainerListView(StaffRequiredMixin, ListView):
    template_name = "trainings/trainer_list.html"
    context_object_name = "trainers"

    def get_queryset(self):
        return Trainer.objects.for_user(self.request.user).select_related("home_territory", "partner_structure")

    def get_context_data(self, **kwargs):
        territories = list(programme_territories(self.request.user))
        context = super().get_context_data(territories=territories, **kwargs)
        for trainer in context["trainers"]:
            trainer.local = trainer.is_local_to(territories)
        mark_editable(context["trainers"], self.request.user)
        return context


class TrainerCreateView(StaffRequiredMixin, SuccessMessageMixin, CreateView):
    form_class = TrainerForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    template_name = "trainings/trainer_form.html"
    success_url = reverse_lazy("trainings:trainer_list")
    success_message = gettext_lazy("La personne a été ajoutée aux formateur·rices.")


class TrainerUpdateView(StaffRequiredMixin, SuccessMessageMixin, UpdateView):
    form_class = TrainerForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    template_name = "trainings/trainer_form.html"
    success_url = reverse_lazy("trainings:trainer_list")
    success_message = gettext_lazy("La fiche a été enregistrée.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(trail=audit.history(self.object), **kwargs)

    def get_queryset(self):
        # Another structure's entry answers 404, as if it did not exist for this person.
        return Trainer.objects.editable_by(self.request.user)


# --- The season's calendar -------------------------------------------------------------------------


class SeasonMixin:
    def get_cohort(self):
        return get_object_or_404(
            Cohort.objects.for_user(self.request.user).select_related("programme"), pk=self.kwargs["cohort_pk"]
        )


class CalendarGenerateView(StaffRequiredMixin, SeasonMixin, View):
    """A rule, a preview of the days it gives, then the days saved (only those not there yet)."""

    template_name = "trainings/calendar_generate.html"

    def get(self, request, cohort_pk):
        cohort = self.get_cohort()
        return self.render_page(cohort, CalendarForm(venues=Venue.objects.for_user(request.user)))

    def post(self, request, cohort_pk):
        cohort = self.get_cohort()
        form = CalendarForm(request.POST, venues=Venue.objects.for_user(request.user))
        if not form.is_valid():
            return self.render_page(cohort, form, status=400)
        if "save" not in request.POST:
            plan = services.generate_calendar(cohort=cohort, **form.rule(), dry_run=True)
            # What "save" sends back: exactly the rule previewed, whatever is typed in the form meanwhile.
            previewed = CalendarForm(request.POST, venues=Venue.objects.for_user(request.user), auto_id=False)
            return self.render_page(cohort, form, plan=plan, previewed=previewed)
        plan = services.generate_calendar(cohort=cohort, **form.rule(), dry_run=False)
        added = sum(not day.exists_already for day in plan)
        if added:
            messages.success(request, _("%(count)s journées ajoutées au calendrier de la saison.") % {"count": added})
        else:
            messages.info(request, _("Le calendrier avait déjà toutes ces journées : rien n'a été ajouté."))
        return redirect("trainings:session_list", cohort_pk=cohort.pk)

    def render_page(self, cohort, form, plan=None, previewed=None, status=200):
        context = {
            "cohort": cohort,
            "form": form,
            "plan": plan,
            "previewed": previewed,
            "new_days": sum(not day.exists_already for day in plan or ()),
            "has_venues": Venue.objects.for_user(self.request.user).exists(),
        }
        return render(self.request, self.template_name, context, status=status)


class SessionListView(StaffRequiredMixin, SeasonMixin, ListView):
    template_name = "trainings/session_list.html"
    context_object_name = "sessions"

    def get_queryset(self):
        self.cohort = self.get_cohort()
        sessions = TrainingSession.objects.for_user(self.request.user).filter(cohort=self.cohort)
        sessions = services.with_attendance_rate_counts(sessions_with_counts(sessions))
        return sessions.select_related("venue").prefetch_related("trainers")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(cohort=self.cohort, **kwargs)
        # Attendance rate of each day already held (counted with the days), and of each project over the season.
        for session in context["sessions"]:
            held = session.status == TrainingSession.Status.HELD
            session.rate = services.session_rate(session) if held else None
        projects = self.cohort.projects.order_by("name")
        project_rates = services.project_attendance_rates(self.cohort)
        context["project_rates"] = [(project, project_rates.get(project.pk)) for project in projects]
        return context


# --- One day ---------------------------------------------------------------------------------------


class SessionMixin:
    def get_queryset(self):
        return TrainingSession.objects.for_user(self.request.user).select_related("cohort__programme", "venue")


class SessionDetailView(StaffRequiredMixin, SessionMixin, DetailView):
    template_name = "trainings/session_detail.html"
    context_object_name = "session"

    def get_context_data(self, **kwargs):
        session = self.object
        trail = audit.history(session, Attendance.objects.filter(session=session))
        return super().get_context_data(trail=trail, **kwargs)

    def get_queryset(self):
        return sessions_with_counts(super().get_queryset()).prefetch_related(
            "trainers",
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("member__project").order_by(
                    "member__project__name", "member__name"
                ),
            ),
        )


class SessionUpdateView(StaffRequiredMixin, SessionMixin, UpdateView):
    form_class = SessionForm
    template_name = "trainings/session_form.html"
    context_object_name = "session"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status == TrainingSession.Status.CANCELLED:
            return self.refuse_cancelled()
        return self.render_to_response(self.get_context_data())

    def form_valid(self, form):
        try:
            change = services.update_session(session=self.object, changes=form.cleaned_data, by=self.request.user)
        except services.SessionCancelled:
            return self.refuse_cancelled()
        except ValidationError as error:  # another tab took the date a moment ago
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, " ".join([_("La journée a été enregistrée."), told_message(change)]).strip())
        return redirect(change.session.get_absolute_url())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def refuse_cancelled(self):
        messages.error(self.request, _("Cette journée est annulée : elle ne peut plus être modifiée."))
        return redirect(self.object.get_absolute_url())


def told_message(change) -> str:
    """Who the service e-mailed, as it says; nothing when it told nobody (a day already over, say)."""
    if not change.told:
        return ""
    people = []
    if change.members_told:
        people.append(
            ngettext("%(count)s participant·e", "%(count)s participant·es", change.members_told)
            % {"count": change.members_told}
        )
    if change.trainers_told:
        people.append(
            ngettext("%(count)s formateur·rice", "%(count)s formateur·rices", change.trainers_told)
            % {"count": change.trainers_told}
        )
    if change.session.status == TrainingSession.Status.CANCELLED:
        sentence = _(
            "Ont été prévenu·es de l'annulation par e-mail, avec le rendez-vous à retirer de leur agenda : %(people)s."
        )
    else:
        sentence = _(
            "Ont été prévenu·es du changement par e-mail, avec le rendez-vous à jour pour leur agenda : %(people)s."
        )
    return sentence % {"people": _(" et ").join(people)}


class SessionCancelView(StaffRequiredMixin, SessionMixin, View):
    """POST only, with a box to tick: the confirmation form sits on the day's page."""

    def get(self, request, pk):
        session = get_object_or_404(self.get_queryset(), pk=pk)
        return redirect(f"{session.get_absolute_url()}#annuler")

    def post(self, request, pk):
        session = get_object_or_404(self.get_queryset(), pk=pk)
        if request.POST.get("confirm") != "oui":
            messages.error(request, _("Cochez la case pour confirmer l'annulation : la journée n'est pas annulée."))
            return redirect(f"{session.get_absolute_url()}#annuler")
        change = services.cancel_session(session=session, by=request.user)
        if not change.changed:
            messages.info(request, _("Cette journée était déjà annulée."))
        else:
            messages.success(request, " ".join([_("La journée est annulée."), told_message(change)]).strip())
        return redirect(reverse("trainings:session_list", kwargs={"cohort_pk": session.cohort_id}))

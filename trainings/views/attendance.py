"""Attendance (émargement), for the programme's staff and the session's trainers: the page to mark each
participant per half-day, the printable sheet funders ask for, and the trainers' own list of sessions.

Every session is fetched through `TrainingSession.objects.for_user`: another programme's session, or a
session somebody does not lead, is simply not found.
"""

import html
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from incubator.access import TrainerRequiredMixin
from incubator.dates import format_date

from .. import services
from ..models import Attendance, TrainingSession

HALF_DAYS = (("morning", gettext_lazy("Matin")), ("afternoon", gettext_lazy("Après-midi")))
ATTENDANCE_FIELDS = (
    "session_id",
    "response",
    "morning",
    "afternoon",
    "member__name",
    "member__project__name",
)
# Where a person's field name goes in a half-day's buttons written once (`AttendanceForm._half_day`): no
# label, mark or field name holds a NUL character.
_NAME = "\x00"
# Where the attendance page's template leaves the participants' sections, which the view writes in.
PARTICIPANTS = "<!-- participants -->"
# Room on the printed sheet for people who come without being on the list.
BLANK_ROWS = 3


@dataclass(frozen=True, slots=True)
class Invitee:
    """What the attendance page reads of one invitee: plain values, a day can gather hundreds of people."""

    member_id: int
    name: str
    project_id: int
    project_name: str
    response: str
    morning: str
    afternoon: str


def quote(text: str) -> str:
    """Text safe in HTML, attributes included: the standard library's escape, without Django's lazy-string checks."""
    return html.escape(str(text))


class AttendanceForm(forms.Form):
    """One group of radio buttons per participant and half-day of the session, all sent at once.

    A day can gather hundreds of people, thousands of radio buttons: rather than one field and widget each
    (most of the page's time went into widget machinery), the form reads and checks the marks itself and
    writes each person's buttons from one string. Each group carries, in a hidden `initial-<name>` input, the
    mark it showed, so that a save tells what this person changed (as `show_hidden_initial` does).
    """

    def __init__(self, *args, session, attendances, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendances = attendances
        self.half_days = [
            (half_day, label)
            for (half_day, label), held in zip(HALF_DAYS, services.half_days(session), strict=True)
            if held
        ]
        self.choices = [(value, label) for value, label in Attendance.Presence.choices if value]
        self.disabled = session.status == TrainingSession.Status.CANCELLED
        self.mark_errors: dict[str, str] = {}
        self._marks: dict[int, tuple[str, str]] = {}
        self._states: dict[tuple, str] = {}  # a half-day's buttons in a given state, by `_half_day`

    @staticmethod
    def field_name(half_day, attendance):
        return f"{half_day}-{attendance.member_id}"

    def clean(self):
        allowed = {value for value, _label in self.choices}
        refused = _("Choisissez une des réponses proposées.")
        held = {half_day for half_day, _label in self.half_days}
        marks = {}
        for attendance in self.attendances:
            mark = []
            for half_day in ("morning", "afternoon"):
                if half_day not in held:
                    mark.append("")  # a half-day the session no longer has is cleared
                    continue
                name = self.field_name(half_day, attendance)
                sent, shown = self.data.get(name, ""), self.data.get(f"initial-{name}", "")
                if (sent and sent not in allowed) or (shown and shown not in allowed):
                    self.mark_errors[name] = refused
                    mark.append("")
                    continue
                # Only a mark this person changed is taken; every other half-day keeps what is recorded now,
                # which may come from somebody marking at the same time. A radio group cannot be emptied,
                # so an unanswered half-day keeps what is recorded too.
                mark.append(sent if sent and sent != shown else getattr(attendance, half_day))
            marks[attendance.member_id] = tuple(mark)
        if self.mark_errors:
            raise forms.ValidationError(_("Certains choix ne sont pas valables : ils sont signalés ci-dessous."))
        self._marks = marks
        return self.cleaned_data

    def marks(self) -> dict[int, tuple[str, str]]:
        """{member pk: (morning, afternoon)}, once the form is valid."""
        return self._marks

    def groups(self) -> str:
        """The participants by project, as the page lists them: one section per project, with each person's
        buttons, written as one string."""
        parts = []
        project = None
        for attendance in self.attendances:
            if attendance.project_id != project:
                if project is not None:
                    parts.append("</section>")
                project = attendance.project_id
                parts.append(
                    f'<section class="attendance-project mb-4" aria-labelledby="projet-{project}">'
                    f'<h2 id="projet-{project}" class="h5 border-bottom pb-1">{quote(attendance.project_name)}</h2>'
                )
            parts.append(self._person(attendance))
        if project is not None:
            parts.append("</section>")
        # Every value going into these strings is escaped here, in `_person` and in `_templates`.
        return mark_safe("".join(parts))

    @cached_property
    def _templates(self):
        def text(label):  # escaped, and kept literal by str.format_map below
            return escape(label).replace("{", "{{").replace("}", "}}")

        colours = {"present": "success", "absent": "danger"}
        radio = (
            '<input type="radio" class="btn-check" name="{name}" value="%(value)s" id="id_{name}_%(index)s"{%(value)s}>'
            '<label class="btn btn-outline-%(colour)s flex-fill" for="id_{name}_%(index)s">%(label)s</label>'
        )
        radios = "".join(
            radio % {"value": value, "index": index, "colour": colours.get(value, "secondary"), "label": text(label)}
            for index, (value, label) in enumerate(self.choices)
        )
        half_day = (
            '<fieldset class="mb-2"><legend class="small fw-semibold float-none w-auto mb-1">%s</legend>'
            '<div class="d-flex flex-wrap gap-2">%s</div>'
            '<input type="hidden" name="initial-{name}" value="{shown}">{error}</fieldset>'
        )
        badges = {
            Attendance.Response.CONFIRMED: "text-bg-success",
            Attendance.Response.DECLINED: "text-bg-secondary",
        }
        return {
            "half_days": [(half_day_key, half_day % (text(label), radios)) for half_day_key, label in self.half_days],
            "responses": {
                value: f'<span class="badge {badges.get(value, "text-bg-light border")}">{escape(label)}</span>'
                for value, label in Attendance.Response.choices
            },
            "values": [value for value, _label in self.choices],
            # The recorded marks, which need no escaping (what a browser sends back is escaped).
            "safe": {value for value, _label in Attendance.Presence.choices},
        }

    def _person(self, attendance: Invitee) -> str:
        templates = self._templates
        parts = [
            f'<fieldset class="attendance-person border rounded p-2 mb-3"{" disabled" if self.disabled else ""} '
            f'data-search="{quote((attendance.name + " " + attendance.project_name).lower())}">'
            f'<legend class="h6 float-none w-auto px-1 mb-1">{quote(attendance.name)}</legend>'
            f'<p class="small mb-2">{templates["responses"][attendance.response]}</p>'
        ]
        for half_day, template in templates["half_days"]:
            name = self.field_name(half_day, attendance)
            recorded = getattr(attendance, half_day)
            if self.is_bound:
                shown = self.data.get(f"initial-{name}", recorded)
                checked = self.data.get(name, "")
            else:
                shown = checked = recorded
            parts.append(self._half_day(half_day, template, name, shown, checked, self.mark_errors.get(name)))
        parts.append("</fieldset>")
        return "".join(parts)

    def _half_day(self, half_day, template, name, shown, checked, error) -> str:
        """One half-day's buttons. Most people show one of a few states (a recorded mark, no error): each state
        is written once, and each person's field name put into it."""
        safe = self._templates["safe"]
        cacheable = shown in safe and checked in safe and not error
        key = (half_day, shown, checked)
        if cacheable and key in self._states:
            return self._states[key].replace(_NAME, name)
        written = template.format_map(
            {
                "name": _NAME if cacheable else name,
                "shown": shown if shown in safe else quote(shown),
                "error": f'<p class="text-danger small mb-0">{quote(error)}</p>' if error else "",
                **{value: " checked" if value == checked else "" for value in self._templates["values"]},
            }
        )
        if not cacheable:
            return written
        self._states[key] = written
        return written.replace(_NAME, name)


class SessionAccessMixin(LoginRequiredMixin):
    """Anonymous visitors log in first; then staff reach their programmes' sessions, trainers the ones they lead."""

    prefetch = ("trainers",)  # what the page shows of the session beyond its season and venue

    def get_session(self):
        sessions = (
            TrainingSession.objects.for_user(self.request.user)
            .select_related("cohort__programme", "venue")
            .prefetch_related(*self.prefetch)
        )
        return get_object_or_404(sessions, pk=self.kwargs["pk"])

    @staticmethod
    def invitees(session) -> list[Invitee]:
        """The page's participants, by project then name, read as plain values."""
        rows = session.attendances.order_by("member__project__name", "member__project_id", "member__name", "pk")
        fields = ("member_id", "member__name", "member__project_id", "member__project__name")
        return [Invitee(*row) for row in rows.values_list(*fields, "response", "morning", "afternoon")]

    @staticmethod
    def attendances(session):
        # Only what the sheet shows: a day can gather hundreds of people.
        return list(
            session.attendances.select_related("member__project")
            .only(*ATTENDANCE_FIELDS)
            .order_by("member__project__name", "member__project_id", "member__name", "pk")
        )


class AttendanceView(SessionAccessMixin, View):
    template_name = "trainings/attendance_form.html"
    prefetch = ()  # the page does not name the trainers

    def get(self, request, pk):
        session = self.get_session()
        form = AttendanceForm(session=session, attendances=self.invitees(session))
        return self.render_page(session, form)

    def post(self, request, pk):
        session = self.get_session()
        form = AttendanceForm(request.POST, session=session, attendances=self.invitees(session))
        if not form.is_valid():
            messages.error(request, _("L'émargement n'est pas enregistré : vérifiez les choix signalés."))
            return self.render_page(session, form)
        try:
            services.record_attendance(session=session, marks=form.marks(), by=request.user)
        except services.AttendanceNotAllowed as refusal:
            messages.error(request, str(refusal))
            return self.render_page(session, form)
        messages.success(request, _("L'émargement est enregistré."))
        return redirect("trainings:attendance", pk=session.pk)

    def render_page(self, session, form):
        responses = {choice: 0 for choice in Attendance.Response.values}
        for attendance in form.attendances:
            responses[attendance.response] += 1
        context = {
            "session": session,
            "form": form,
            "rate": services.attendance_rate_of(session, form.attendances),
            "invited_count": len(form.attendances),
            "confirmed_count": responses[Attendance.Response.CONFIRMED],
            "declined_count": responses[Attendance.Response.DECLINED],
            "is_cancelled": session.status == TrainingSession.Status.CANCELLED,
            "participants": mark_safe(PARTICIPANTS),
        }
        response = render(self.request, self.template_name, context)
        # The participants' sections (a megabyte of HTML on the biggest days) go into the rendered page here:
        # passed through the template, that one string would be copied again at each of its nested blocks.
        before, slot, after = response.content.partition(PARTICIPANTS.encode())
        if slot:
            response.content = b"".join((before, form.groups().encode(), after))
        return response


def css_string(text: str) -> str:
    """Text as a CSS string, safe inside a <style> element."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ") + '"'


def css_string_with_page_counters(text: str) -> str:
    """'Page %(page)s sur %(pages)s' as a CSS `content` value with WeasyPrint's page counters in it."""
    return css_string(text) % {"page": '" counter(page) "', "pages": '" counter(pages) "'}


def render_pdf(html: str) -> bytes:
    """HTML to PDF with local files only: WeasyPrint is never allowed to reach the network."""
    import weasyprint  # loads Pango: only when a PDF is asked for

    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)
    return weasyprint.HTML(string=html, base_url=str(settings.STATICFILES_DIRS[0]), url_fetcher=fetcher).write_pdf()


class AttendanceSheetView(SessionAccessMixin, View):
    """The printable A4 sheet people sign, per half-day, with the trainers' countersignature."""

    def get(self, request, pk):
        session = self.get_session()
        programme = session.cohort.programme
        morning, afternoon = services.half_days(session)
        html = render_to_string(
            "trainings/attendance_sheet.html",
            {
                "session": session,
                "programme": programme,
                "partners": list(programme.partners.all()),
                "trainers": list(session.trainers.all()),
                "attendances": self.attendances(session),
                "has_morning": morning,
                "has_afternoon": afternoon,
                "blank_rows": range(BLANK_ROWS),
                "page_counter": css_string_with_page_counters(_("Page %(page)s sur %(pages)s")),
                "page_footer": css_string(f"{programme.name} — {session.title} — {format_date(session.date)}"),
            },
            request=request,
        )
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, f"emargement-{session.date:%Y-%m-%d}.pdf")
        return response


class MySessionsView(TrainerRequiredMixin, TemplateView):
    """A trainer's home: the days they lead, the coming ones first, with the attendance page and sheet."""

    template_name = "trainings/my_sessions.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        # Led by this person, whatever their other roles: staff reach other sessions from the season's list.
        sessions = list(
            TrainingSession.objects.filter(trainers__user=self.request.user)
            .select_related("cohort__programme", "venue")
            .prefetch_related("trainers")
            .annotate(
                invited_count=Count("attendances", distinct=True),
                confirmed_count=Count(
                    "attendances",
                    filter=Q(attendances__response=Attendance.Response.CONFIRMED),
                    distinct=True,
                ),
            )
            .order_by("date", "pk")
        )
        rates = services.session_attendance_rates([session.pk for session in sessions if session.date <= today])
        for session in sessions:
            session.rate = rates[session.pk] if session.date <= today else None
        upcoming = [session for session in sessions if session.date >= today]
        past = [session for session in reversed(sessions) if session.date < today]
        return super().get_context_data(upcoming=upcoming, past=past, today=today, **kwargs)

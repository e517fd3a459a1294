from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cohorts.models import Cohort, Programme

from .forms import PasswordResetForm
from .models import Heartbeat, PartnerStructure
from .security import over_rate_limit, record_rate_limit
from .services import beats_seen

RESET_ADDRESS_GROUP = "incubator.password-reset.address"
RESET_CLIENT_GROUP = "incubator.password-reset.client"


def home(request):
    """Send each person to where they work; visitors read about the programme and its open calls."""
    user = request.user
    if user.is_authenticated:
        if user.is_programme_staff:
            return redirect("cohorts:cohort_list")
        if user.is_coach:
            return redirect("projects:my_projects")
        if hasattr(user, "trainer"):
            return redirect("trainings:my_sessions")
    # Lists rather than related managers: a manager and its queryset built for each of thirty seasons cost more
    # than the page's queries together.
    cohorts = Cohort.objects.select_related("programme").prefetch_related(
        Prefetch("territories", to_attr="territory_list")
    )
    open_calls = list(cohorts.call_open().order_by("call_closes_on"))
    return render(
        request,
        "incubator/home.html",
        {
            "programmes": Programme.objects.prefetch_related(Prefetch("partners", to_attr="partner_list")),
            "open_calls": open_calls,
            "next_call": None if open_calls else cohorts.call_upcoming().first(),
        },
    )


def privacy(request):
    """The privacy notice applicants consent to."""
    return render(
        request,
        "incubator/privacy.html",
        {
            "partners": PartnerStructure.objects.filter(programmes__isnull=False).distinct(),
            "retention_months": settings.CANDIDACY_RETENTION_MONTHS,
            "draft_days": settings.CANDIDACY_DRAFT_RETENTION_DAYS,
        },
    )


def login_locked_out(request, response=None, credentials=None):
    """What a person sees after too many wrong passwords (called by django-axes)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def bad_request(request, exception=None):
    """Django's answer to a post it will not read, in plain French: too big, too many fields, or malformed.

    What was typed is still in the browser's page: going back to it loses nothing.
    """
    too_big = isinstance(exception, RequestDataTooBig | TooManyFieldsSent)
    return render(request, "400.html", {"too_big": too_big}, status=413 if too_big else 400)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico before reading the page's icon link: send them to the static file."""
    return redirect(static("favicon.ico"))


@never_cache
def health(request):
    """For monitoring: the database answers, when a worker last ran a task, and whether beat runs only once.

    Monitoring asks without an account: it reads how many beats were seen and when. Which machines and processes
    they were (host:pid) is for the site's superusers, here and in the admin (« Planificateurs vus »)."""
    try:
        heartbeat = Heartbeat.objects.filter(source="worker").first()
        seen = beats_seen()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    named = request.user.is_authenticated and request.user.is_superuser
    problems = []
    if seen.together:
        # Only one beat may run (README, "Running it for real"); their copies are skipped, but say it.
        if named:
            message = (
                _("deux planificateurs (beat) vus dans la dernière heure : %(beats)s")
                if len(seen.beats) == 2
                else _("%(count)d planificateurs (beat) vus dans la dernière heure : %(beats)s")
            )
        else:
            message = (
                _("deux planificateurs (beat) vus dans la dernière heure")
                if len(seen.beats) == 2
                else _("%(count)d planificateurs (beat) vus dans la dernière heure")
            )
        problems.append(message % {"count": len(seen.beats), "beats": ", ".join(b.identity for b in seen.beats)})
    return JsonResponse(
        {
            "status": "degraded" if problems else "ok",
            "database": "ok",
            "worker_last_seen": heartbeat.seen_at.isoformat() if heartbeat else None,
            "beats": [
                {
                    **({"identity": beat.identity} if named else {}),
                    "first_seen": beat.first_seen_at.isoformat(),
                    "last_seen": beat.last_seen_at.isoformat(),
                }
                for beat in seen.beats
            ],
            "problems": problems,
        }
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, its mail through the outbox, and limited per e-mail address and per network address.

    The limits count every request, for an address with an account or without, and the refusal reads the same
    either way: the page never tells who has an account here.
    """

    form_class = PasswordResetForm

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        limits = [
            {"group": RESET_ADDRESS_GROUP, "rate": settings.PASSWORD_RESET_ADDRESS_RATE, "key": address},
            {"group": RESET_CLIENT_GROUP, "rate": settings.PASSWORD_RESET_CLIENT_RATE},
        ]
        if any(over_rate_limit(self.request, **limit) for limit in limits):
            form.add_error(
                None,
                _(
                    "Beaucoup de demandes de nouveau mot de passe sont arrivées dans la dernière heure. "
                    "Réessayez un peu plus tard ; si un compte existe pour cette adresse, un lien déjà envoyé "
                    "reste valable."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        for limit in limits:
            record_rate_limit(self.request, **limit)
        return super().form_valid(form)

"""Every page the site can show, as every role sees it on a phone, checked by axe-core and by the rules of the house.

The demo data is loaded (the same `seed_demo` a newcomer runs), then each role starts from its home page and
follows every link of the site, breadth first, GET only; the signed-link pages (a candidacy's status and draft,
a member's page, a funder's link to a season report, a broken link) start their own crawls. URLs are grouped by
the resolver pattern they match and at most `PER_PATTERN` of each are opened per role, so the crawl stays bounded
whatever the data.

On every page, at 375 × 812 px:

- axe-core (installed by `make axe` from package-lock.json, injected from node_modules, never from a CDN) finds
  no violation of impact serious or critical;
- nothing scrolls sideways (`scrollWidth` of the document no wider than the window);
- the console logs no error, no resource fails to load and none answers 4xx or 5xx;
- `<html lang>` is French;
- the page weighs at most 150 KB transferred. The live server serves static files as they are, uncompressed,
  while production serves whitenoise's pre-compressed copies (`CompressedManifestStaticFilesStorage`, gzip and
  Brotli) behind a proxy that gzips HTML. So the weight is measured as a first visit would transfer it in
  production: the gzip size (level 6, what whitenoise and nginx use; Brotli is smaller still) of the HTML plus
  every same-site resource the page loaded, each counted whether or not the browser had it cached.

Then every URL pattern the resolver knows that answers a page must have been opened by at least one role: a new
page is checked without anyone listing it. The few that are not pages (downloads, POST-only actions, the admin
beyond its changelists) are listed in `NOT_PAGES`.

Failures are gathered over the whole crawl and reported together; each failing page's screenshot is saved in
test-artifacts/a11y/.
"""

import gzip
import io
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from incubator.models import User
from projects import tokens as project_tokens
from projects.models import Candidacy, FollowUp, ProjectMember
from projects.services.follow_ups import follow_up_url
from reports.models import ReportExport, ReportShare
from reports.sharing import share_url
from tests.factories import PASSWORD
from tests.patterns import named_patterns
from trainings.models import Attendance, Survey
from trainings.services.attestations import attestation_code
from trainings.services.surveys import survey_url
from trainings.tokens import member_page_url, member_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "a11y"
PHONE = {"width": 375, "height": 812}
MAX_KB = 150
PER_PATTERN = 2

# Named URL patterns that answer no page of their own: files, feeds, redirects, POST-only actions and the
# machinery of the site and of the admin (whose changelists, index and app pages are checked).
NOT_PAGES = {
    "favicon",  # an icon
    "health",  # JSON for monitoring
    "set_language",  # the language switch, a POST
    "logout",  # a POST
    "projects:candidacy_withdraw",  # POST-only, from the status page
    "projects:candidacy_reply",  # POST-only, from the status page (an error shows the status page again)
    "projects:candidacy_message",  # POST-only, from the candidacy page (likewise)
    "projects:project_message",  # POST-only, from the project page (likewise)
    "trainings:member_reply",  # POST-only, from the member page (likewise)
    "projects:candidacy_review",  # POST-only, from the candidacy page
    "projects:candidacy_transition",  # POST-only, from the candidacy page
    "projects:next_step_toggle",  # POST-only, from the project page
    "projects:candidacy_note_create",  # POST-only, from the candidacy page (a refused note shows its form)
    "projects:project_note_create",  # POST-only, from the project page (likewise)
    "projects:note_delete",  # POST-only, from the candidacy or project page
    "trainings:session_cancel",  # POST-only, from the day's page (a GET goes back there)
    "projects:attachment_download",  # an uploaded document
    "trainings:attendance_sheet",  # a PDF
    "trainings:session_ics",  # a calendar file
    "trainings:calendar_feed",  # a calendar feed
    "reports:download",  # a report file
    "cohorts:season_import_template",  # the spreadsheet to fill in
    "trainings:member_attestation",  # a PDF
    "trainings:attestations",  # a ZIP of PDFs
}
ADMIN_PAGES = re.compile(r"^admin:(index|app_list|\w+_changelist)$")
# Links the crawl does not follow: downloads and what is not a page.
SKIPPED_QUERY = {"format"}  # the season report's CSV, XLSX and PDF

DEMO = {
    "staff": "equipe@demo.incubateur.example",
    "coach": "coach.alterincub@demo.incubateur.example",
    "reviewer coach": "coach.prisme@demo.incubateur.example",
    "trainer": "formatrice@demo.incubateur.example",
    "superuser": "admin@demo.incubateur.example",
}


def _must_be_visited() -> set[str]:
    names = set(named_patterns())
    return {
        name for name in names if name not in NOT_PAGES and (not name.startswith("admin:") or ADMIN_PAGES.match(name))
    }


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


@dataclass
class Crawl:
    base: str
    failures: list = field(default_factory=list)
    visited: dict = field(default_factory=lambda: defaultdict(set))  # view name → roles
    gzip_sizes: dict = field(default_factory=dict)
    pages: int = 0

    def fail(self, role, url, problem, page=None):
        shot = ""
        if page is not None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", f"{role}{urlsplit(url).path}?{urlsplit(url).query}")[:150]
            shot = ARTIFACTS / f"{name}.png"
            if not shot.exists():
                try:
                    page.screenshot(path=shot, full_page=True)
                except Exception:  # a crashed page keeps its failure, without a picture
                    shot = ""
        self.failures.append(
            f"[{role}] {urlsplit(url).path}{'?' + urlsplit(url).query if urlsplit(url).query else ''}: {problem}"
            + (f" ({shot.name})" if shot else "")
        )


def _gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def _check(crawl: Crawl, role: str, page, url: str, expected_status: int = 200) -> list[str]:
    """Open `url`, check it, and return the same-site links it holds."""
    problems: list[str] = []
    # A resource that fails is reported below with its address; Chromium's console line about it says less.
    on_console = lambda message: (  # noqa: E731
        message.type == "error"
        and not message.text.startswith("Failed to load resource")
        and problems.append(f"console error: {message.text}")
    )
    on_error = lambda error: problems.append(f"script error: {error}")  # noqa: E731
    on_failed = lambda request: problems.append(f"resource failed: {request.url} ({request.failure})")  # noqa: E731

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"resource answered {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    try:
        response = page.goto(url, wait_until="load")
        if (
            response is None
            or response.status != expected_status
            and not (expected_status == 200 and response.status < 400)
        ):
            crawl.fail(role, url, f"answered {response.status if response else 'nothing'}", page)
            return []
        final = page.url
        if not final.startswith(crawl.base):
            return []
        view_name = _view_name(urlsplit(final).path)
        if view_name:
            crawl.visited[view_name].add(role)
        crawl.pages += 1

        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`)"""
        )
        problems.extend(f"axe {violation}" for violation in violations)

        facts = page.evaluate(
            """() => ({
                lang: document.documentElement.lang,
                scrollWidth: document.scrollingElement.scrollWidth,
                innerWidth: window.innerWidth,
                resources: performance.getEntriesByType('resource').map(e => e.name),
                links: [...document.querySelectorAll('a[href]')].map(a => a.href),
            })"""
        )
        if not facts["lang"].startswith("fr"):
            problems.append(f'<html lang="{facts["lang"]}">, not French')
        if facts["scrollWidth"] > facts["innerWidth"]:
            problems.append(f"scrolls sideways: {facts['scrollWidth']} px wide in {facts['innerWidth']} px")

        weight = _gzip_size(response.body())
        for resource in set(facts["resources"]):
            if not resource.startswith(crawl.base):
                problems.append(f"loads a resource from elsewhere: {resource}")
                continue
            if resource not in crawl.gzip_sizes:
                fetched = page.context.request.get(resource)
                crawl.gzip_sizes[resource] = _gzip_size(fetched.body())
            weight += crawl.gzip_sizes[resource]
        if weight > MAX_KB * 1024:
            problems.append(f"weighs {weight / 1024:.0f} KB compressed, more than {MAX_KB} KB")

        for problem in problems:
            crawl.fail(role, final, problem, page)
        return facts["links"]
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
        page.remove_listener("requestfailed", on_failed)
        page.remove_listener("response", on_response)


def _followed(crawl: Crawl, link: str) -> str | None:
    """The link as the crawl opens it, or None for a link it leaves alone."""
    parts = urlsplit(link)
    if not link.startswith(crawl.base):
        return None
    query = parse_qsl(parts.query)
    if any(key in SKIPPED_QUERY for key, _ in query):
        return None
    view_name = _view_name(parts.path)
    if view_name is None or view_name in NOT_PAGES:
        return None
    if view_name.startswith("admin:") and (not ADMIN_PAGES.match(view_name) or parts.query):
        return None  # the admin's own pages are Django's; its sorting and filtering links add nothing
    return f"{crawl.base}{parts.path}{'?' + parts.query if parts.query else ''}"


def _crawl_from(crawl: Crawl, role: str, page, starts: list):
    """Breadth first from `starts` (paths, or (path, expected status) for a page that answers an error on purpose)."""
    seen: set[str] = set()
    per_pattern: dict[str, int] = defaultdict(int)
    expected = {}
    for start in starts:
        path, status = start if isinstance(start, tuple) else (start, 200)
        expected[f"{crawl.base}{path}"] = status
    queue = deque(expected)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        view_name = _view_name(urlsplit(url).path) or url
        # The superuser's pages are the staff's with every programme in them: one of each is enough.
        cap = 1 if view_name.startswith("admin:") or role == "superuser" else PER_PATTERN
        if per_pattern[view_name] >= cap and url not in expected:
            continue
        per_pattern[view_name] += 1
        for link in _check(crawl, role, page, url, expected.get(url, 200)):
            if (followed := _followed(crawl, link)) and followed not in seen:
                queue.append(followed)


def _log_in(page, base, email):
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert "/compte/connexion/" not in page.url, f"{email} could not log in"


@pytest.fixture
def demo_site(settings):
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    # The demo's password, in the tests' fast hasher.
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    staff = User.objects.get(email=DEMO["staff"])
    cohort = Candidacy.objects.filter(status=Candidacy.Status.DRAFT).latest("pk").cohort
    # A season report prepared in the background, for its progress page.
    export = ReportExport.objects.create(
        cohort=cohort, requested_by=staff, format=ReportExport.Format.XLSX, in_background=True
    )
    return {"cohort": cohort, "staff": staff, "export": export}


def test_every_page_is_accessible_and_light_on_a_phone_for_every_role(browser, live_server, demo_site):
    assert AXE.exists(), "axe-core is missing: run `make axe`"
    crawl = Crawl(base=live_server.url)
    cohort = demo_site["cohort"]
    draft = Candidacy.objects.filter(cohort=cohort, status=Candidacy.Status.DRAFT).order_by("pk").first()
    sent = Candidacy.objects.filter(cohort=cohort, status=Candidacy.Status.UNDER_REVIEW).order_by("pk").first()
    member = (
        ProjectMember.objects.filter(project__cohort__programme=cohort.programme, attendances__isnull=False)
        .exclude(email="")
        .distinct()
        .order_by("pk")
        .first()
    )
    staff = demo_site["staff"]
    attendance = member.attendances.order_by("session__date").last()
    answer_url = reverse("trainings:member_answer", args=[member_token(member), attendance.session_id])
    # The word after a day: one asked and not answered yet, one answered (shown as it was given).
    surveys = Survey.objects.filter(member__project__cohort__programme=cohort.programme)
    survey_urls = [
        survey_url(survey)
        for survey in (
            surveys.filter(answered_at__isnull=True).first(),
            surveys.filter(answered_at__isnull=False).first(),
        )
        if survey
    ]
    # Months after a season: one follow-up not answered yet (the form), one answered long ago (kept as it is).
    follow_ups = FollowUp.objects.filter(project__cohort__programme=cohort.programme)
    follow_up_urls = [
        follow_up_url(follow_up)
        for follow_up in (
            follow_ups.filter(answered_at__isnull=True).first(),
            follow_ups.filter(answered_at__isnull=False).first(),
        )
        if follow_up
    ]
    assert len(follow_up_urls) == 2, "the demo has a season followed after its end"
    present = Attendance.objects.filter(member__project__cohort=cohort, morning=Attendance.Presence.PRESENT).first()
    # The demo's links for funders: one still open, one revoked (its plain page).
    shares = ReportShare.objects.filter(cohort__programme=cohort.programme)
    funder_starts = [share_url(share) for share in shares.filter(revoked_at__isnull=True)[:1]]
    funder_starts += [(share_url(share), 404) for share in shares.filter(revoked_at__isnull=False)[:1]]
    reset = f"/compte/nouveau-mot-de-passe/{urlsafe_base64_encode(force_bytes(staff.pk))}/{default_token_generator.make_token(staff)}/"

    roles = {
        "anonymous": (
            None,
            [
                "/",
                "/compte/connexion/",
                "/compte/mot-de-passe-oublie/",
                "/compte/mot-de-passe-oublie/envoye/",
                "/compte/nouveau-mot-de-passe/termine/",
                reset,
                ("/projets/candidature/lien-casse/", 404),  # a broken or expired link: its own page
                ("/journees/membre/lien-casse/", 404),
                ("/projets/suivi/lien-casse/", 404),
                # What an attestation's reader types, or opens from the address printed on it.
                reverse("trainings:attestation_check"),
                reverse("trainings:attestation_check", args=[attestation_code(present.member)]),
            ],
        ),
        "applicant (status link)": (None, [project_tokens.status_url(sent)]),
        "applicant (draft link)": (None, [project_tokens.draft_url(draft)]),
        # With the page a member opens from an invitation's "I'll come" link, before confirming.
        "project member": (None, [member_page_url(member), answer_url, *survey_urls]),
        "funder (share link)": (None, funder_starts),
        "project contact (follow-up link)": (None, follow_up_urls),
        **{
            role: (email, ["/", "/compte/mot-de-passe/", "/compte/mot-de-passe/modifie/"])
            for role, email in DEMO.items()
        },
    }
    roles["staff"][1].append(f"/saisons/rapports/{demo_site['export'].pk}/")
    for role, (email, starts) in roles.items():
        # axe-core is injected as an inline script, which the site's policy forbids; the policy itself is
        # checked in tests/incubator/test_script_policy_browser.py.
        context = browser.new_context(viewport=PHONE, locale="fr-FR", bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if email:
                _log_in(page, live_server.url, email)
            _crawl_from(crawl, role, page, starts)
        finally:
            context.close()

    missing = sorted(_must_be_visited() - set(crawl.visited))
    report = [f"{crawl.pages} pages opened as {len(roles)} roles."]
    if missing:
        report.append("Pages no role reached (link them, start a crawl there, or list them in NOT_PAGES):")
        report.extend(f"  {name}" for name in missing)
    if crawl.failures:
        report.append(f"{len(crawl.failures)} problems:")
        report.extend(f"  {failure}" for failure in crawl.failures)
    assert not missing and not crawl.failures, "\n".join(report)

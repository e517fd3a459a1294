"""Season reports shared with funders: the staff's page of links, and the read-only page behind a link."""

import csv
import datetime
import html
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from projects.models import Actor, ActorMet, FollowUp, Project, StaffNote
from reports import services as reports
from reports.models import ReportShare, ReportShareVisit
from reports.sharing import network_of, share_token
from tests.factories import (
    CoachFactory,
    CoachingSessionFactory,
    ProjectMemberFactory,
    StaffFactory,
    SuperuserFactory,
    UserFactory,
)
from tests.forms import submit
from tests.reports.season_data import fill_season
from trainings.tokens import member_token

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")

# What the season's data holds that a funder must never read.
COMMENT = "Très concret, merci."  # a participant's word after a day (tests/reports/season_data.py)
COACH_NOTE = "Difficultés personnelles de la porteuse"
INTRODUCER = "Cabinet Jeanne Intermédiaire"
ACTOR_CONTACT = "Paulette Guichet, 06 98 76 54 32"  # the person to reach at an actor of the directory
MEETING_NOTE = "Rencontre tendue avec le maire"
STAFF_NOTE = "Porteuse en arrêt maladie"
FOLLOW_UP_SENTENCE = "Notre trésorière Mme Vidal nous a quittés"  # typed by the project's contact months later
MEMBER = "Membre 0"  # participants of the season's projects
CANDIDACY = "Candidature "  # the candidacies' project names, as applicants typed them, accepted or not
OTHERS = (ACTOR_CONTACT, "Guichet", MEETING_NOTE, STAFF_NOTE, FOLLOW_UP_SENTENCE)


def page_url(cohort):
    return reverse("cohorts:report_share", args=[cohort.pk])


def public_url(share, export_format=None):
    url = reverse("reports:shared_report", args=[share_token(share)])
    return f"{url}?format={export_format}" if export_format else url


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def report_sections(page: str) -> str:
    """The report's sections, without the last (its end varies with the page) nor what surrounds them."""
    return page[page.index('<section class="report-section') : page.rindex('<section class="report-section')]


def in_a_month():
    return timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def share(filled_season, staff):
    return reports.create_share(cohort=filled_season, label="Fondation X", expires_on=in_a_month(), user=staff)


@pytest.fixture
def private_things(filled_season, coach):
    project = Project.objects.filter(cohort=filled_season).order_by("pk").first()
    CoachingSessionFactory(project=project, coach=coach, notes=COACH_NOTE)
    programme = filled_season.programme
    introducer = Actor.objects.create(programme=programme, organisation=INTRODUCER, kind="company")
    department = Actor.objects.create(
        programme=programme, organisation="Département", kind="local_authority", contact=ACTOR_CONTACT
    )
    ActorMet.objects.create(project=project, actor=department, introduced_by_actor=introducer, note=MEETING_NOTE)
    StaffNote.objects.create(project=project, author=coach, text=STAFF_NOTE)
    FollowUp.objects.update_or_create(
        project=project,
        months=24,
        defaults=dict(
            due_on=filled_season.end_date,
            email="lucie@exemple.fr",
            sent_at=timezone.now(),
            status=FollowUp.Status.RUNNING,
            jobs_fte=1,
            volunteers=2,
            funds_raised=500,
            sentence=FOLLOW_UP_SENTENCE,
            answered_at=timezone.now(),
        ),
    )
    ProjectMemberFactory(project=project, name="Lucie Porteuse", email="lucie@exemple.fr", phone="06 12 34 56 78")


# --- The staff's page -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, season):
    response = client.get(page_url(season))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("make_user", [CoachFactory, UserFactory], ids=["coach", "no role"])
def test_coaches_and_people_without_a_role_are_refused(client, season, structure, make_user):
    client.force_login(make_user(partner_structure=structure))
    assert client.get(page_url(season)).status_code == 403
    assert client.post(page_url(season), {"label": "X", "expires_on": in_a_month()}).status_code == 403
    assert not ReportShare.objects.exists()


def test_staff_of_another_programme_get_not_found_and_cannot_revoke(client, share):
    client.force_login(StaffFactory())
    assert client.get(page_url(share.cohort)).status_code == 404
    assert client.post(page_url(share.cohort), {"revoke": share.pk}).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


def test_a_share_of_another_season_cannot_be_revoked_from_this_one(client, share, previous_season, staff):
    client.force_login(staff)
    assert client.post(page_url(previous_season), {"revoke": share.pk}).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


def test_staff_and_superusers_open_the_page_from_the_season_report(client, season, staff):
    for user in (staff, SuperuserFactory()):
        client.force_login(user)
        report = client.get(reverse("reports:season_report", args=[season.pk])).content.decode()
        assert page_url(season) in report
        assert client.get(page_url(season)).status_code == 200


def test_staff_create_a_link_with_the_form_as_rendered_and_the_trail_records_it(client, filled_season, staff):
    client.force_login(staff)
    day = in_a_month()
    response = submit(
        client,
        client.get(page_url(filled_season)),
        {"label": "  Fondation X  ", "expires_on": day.isoformat()},
        button="create",
        follow=True,
    )
    assert response.status_code == 200
    share = ReportShare.objects.get()
    assert (share.cohort, share.label, share.expires_on, share.created_by) == (filled_season, "Fondation X", day, staff)
    page = response.content.decode()
    assert "Le lien pour « Fondation X » est prêt" in page
    assert f"http://testserver{public_url(share)}" in page
    [entry] = LogEntry.objects.filter(content_type__model="reportshare", action=LogEntry.Action.CREATE)
    assert entry.actor == staff
    assert "key" not in entry.changes and share.key not in str(entry.changes)
    assert entry.changes["label"] == ["None", "Fondation X"]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"label": "Fondation X", "expires_on": "2020-01-01"}, "expires_on", "Choisissez une date à venir"),
        ({"label": "Fondation X", "expires_on": "today"}, "expires_on", "Choisissez une date à venir"),
        ({"label": "Fondation X", "expires_on": "far"}, "expires_on", "Un lien fonctionne au plus jusqu"),
        ({"label": "Fondation X", "expires_on": ""}, "expires_on", "Indiquez jusqu'à quand le lien fonctionne."),
        ({"label": "Fondation X", "expires_on": "31/02/2027"}, "expires_on", "Cette date n'est pas valable"),
        ({"label": "   ", "expires_on": "soon"}, "label", "Indiquez pour qui est ce lien"),
        ({"label": "", "expires_on": "soon"}, "label", "Indiquez pour qui est ce lien"),
    ],
)
def test_bad_input_gets_a_french_message_and_keeps_what_was_typed(client, season, staff, changes, field, message):
    today = timezone.localdate()
    days = {
        "today": today.isoformat(),
        "far": (today + datetime.timedelta(days=366)).isoformat(),
        "soon": (today + datetime.timedelta(days=10)).isoformat(),
    }
    changes = {name: days.get(value, value) for name, value in changes.items()}
    client.force_login(staff)
    response = submit(client, client.get(page_url(season)), changes, button="create")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert message in page
    assert response.context["form"].errors.keys() == {field}
    assert not ReportShare.objects.exists()
    # What was typed stays in the form.
    if changes["label"].strip():
        assert 'value="Fondation X"' in page
    if field == "label":
        assert f'value="{changes["expires_on"]}"' in page


def test_the_service_refuses_a_link_without_label_or_with_a_last_day_out_of_bounds(season, staff, settings):
    today = timezone.localdate()
    for label, day in [
        ("", in_a_month()),
        ("Fondation X", today),
        ("Fondation X", today + datetime.timedelta(days=settings.REPORT_SHARE_MAX_DAYS + 1)),
    ]:
        with pytest.raises(ValueError):
            reports.create_share(cohort=season, label=label, expires_on=day, user=staff)
    assert not ReportShare.objects.exists()
    last = today + datetime.timedelta(days=settings.REPORT_SHARE_MAX_DAYS)
    assert reports.create_share(cohort=season, label="Fondation X", expires_on=last, user=staff).expires_on == last


def test_staff_revoke_a_link_and_it_stops_working(client, share, staff):
    client.force_login(staff)
    response = submit(client, client.get(page_url(share.cohort)), button=f"revoke={share.pk}", follow=True)
    assert "ne fonctionne plus" in response.content.decode()
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert public_url(share) not in response.content.decode()  # a revoked link is not offered for copying
    [entry] = LogEntry.objects.filter(content_type__model="reportshare", action=LogEntry.Action.UPDATE)
    assert entry.actor == staff and "revoked_at" in entry.changes
    client.logout()
    assert client.get(public_url(share)).status_code == 404
    # A second revocation (another tab, a colleague) changes nothing.
    client.force_login(staff)
    response = client.post(page_url(share.cohort), {"revoke": share.pk}, follow=True)
    assert "déjà révoqué" in html.unescape(response.content.decode())


def test_the_page_lists_each_link_with_its_openings_and_last_one(client, share, staff):
    for _ in range(3):
        client.get(public_url(share))
    client.force_login(staff)
    page = client.get(page_url(share.cohort)).content.decode()
    last = timezone.localtime(ReportShareVisit.objects.latest("viewed_at").viewed_at)
    assert f"3 fois, la dernière le {last:%d/%m/%Y %H:%M}" in page
    assert "Actif" in page


def test_the_staff_page_runs_the_same_queries_with_ten_times_the_links(
    client, season, staff, django_assert_max_num_queries
):
    def add_links(count):
        for index in range(count):
            share = reports.create_share(cohort=season, label=f"Financeur {index}", expires_on=in_a_month(), user=staff)
            ReportShareVisit.objects.bulk_create([ReportShareVisit(share=share, what="page") for _ in range(3)])

    add_links(2)
    client.force_login(staff)
    # 2 session and user, 1 season with its programme, 1 links with their openings and creators = 4.
    with django_assert_max_num_queries(4):
        assert client.get(page_url(season)).status_code == 200
    add_links(18)
    with django_assert_max_num_queries(4):
        assert client.get(page_url(season)).content.decode().count("Révoquer le lien") == 20


# --- The funders' page behind a link ---------------------------------------------------------------


def test_anyone_with_a_valid_link_reads_the_report_without_an_account(client, share):
    response = client.get(public_url(share), REMOTE_ADDR="203.0.113.57")
    assert response.status_code == 200
    page = response.content.decode()
    assert share.cohort.programme.name in page
    assert "Chiffres clés de la saison" in page and "Fondation X" in page
    assert "75 %" in page  # attendance, as on the staff's report
    # Search engines keep out; the address does not leave in a Referer header; nobody caches it.
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in page
    [visit] = ReportShareVisit.objects.all()
    assert (visit.share, visit.what, visit.network) == (share, "page", "203.0.113.0/24")


def test_the_funders_page_of_a_big_season_shows_its_first_projects_and_links_to_every_one(client, share, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "PAGE_PROJECT_ROWS", 1)
    projects = Project.objects.filter(cohort=share.cohort).count()
    page = client.get(public_url(share)).content.decode()
    assert page.count(f'<a href="?projets=tous#projets">Voir les {projects} projets</a>') == 1
    every = client.get(public_url(share) + "?projets=tous").content.decode()
    assert "Voir les" not in every and "dans les fichiers XLSX et CSV" not in every


def test_a_visitors_network_is_kept_never_their_address(client, share):
    client.get(public_url(share), REMOTE_ADDR="2001:db8:1234:5678::42")
    assert ReportShareVisit.objects.get().network == "2001:db8:1234::/48"
    assert network_of(None) == "" and network_of("nonsense") == ""


def test_the_funders_page_leaves_out_comments_notes_and_people(client, share, private_things):
    page = html.unescape(client.get(public_url(share)).content.decode())
    assert COMMENT not in page
    assert "pour l'équipe seulement" not in page
    for secret in (
        COACH_NOTE,
        INTRODUCER,
        MEMBER,
        "Lucie Porteuse",
        "lucie@exemple.fr",
        "06 12 34 56 78",
        CANDIDACY,
        *OTHERS,
    ):
        assert secret not in page
    assert "@exemple.fr" not in page


@pytest.mark.parametrize(
    "broken",
    ["expired", "revoked", "swapped", "forged", "unknown"],
)
def test_an_expired_revoked_swapped_or_unknown_link_gets_a_plain_french_page(client, share, broken):
    token = share_token(share)
    if broken == "expired":
        ReportShare.objects.filter(pk=share.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    elif broken == "revoked":
        reports.revoke_share(share=share)
    elif broken == "swapped":
        member = ProjectMemberFactory(project=Project.objects.filter(cohort=share.cohort).first())
        token = member_token(member)  # a member's signed link, put in the report's address
    elif broken == "forged":
        token = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    else:
        token = share_token(ReportShare(key="no-such-key"))
    url = reverse("reports:shared_report", args=[token])
    for export_format in (None, "pdf", "xlsx", "csv"):
        response = client.get(url, {"format": export_format} if export_format else {})
        assert response.status_code == 404
        assert "Ce lien n'est pas ou plus valable" in html.unescape(response.content.decode())
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert not ReportShareVisit.objects.exists()


def test_a_link_works_through_its_last_day_and_not_the_day_after(client, share, time_machine):
    late_on_last_day = datetime.datetime.combine(share.expires_on, datetime.time(23, 30), tzinfo=PARIS)
    time_machine.move_to(late_on_last_day, tick=False)
    assert client.get(public_url(share)).status_code == 200
    time_machine.move_to(late_on_last_day + datetime.timedelta(hours=1), tick=False)
    assert client.get(public_url(share)).status_code == 404


def test_an_unknown_format_goes_back_to_the_page(client, share):
    response = client.get(public_url(share, "docx"))
    assert response.status_code == 302 and response["Location"] == public_url(share)
    assert not ReportShareVisit.objects.exists()


def test_only_reading_is_allowed(client, share):
    assert client.post(public_url(share)).status_code == 405


def test_the_pdf_from_a_link_is_the_funders_report(client, share, private_things):
    response = client.get(public_url(share, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body_of(response))).pages)
    assert "Candidatures reçues" in text and "75 %" in text
    for secret in (COMMENT, COACH_NOTE, INTRODUCER, MEMBER, "Lucie Porteuse", *OTHERS):
        assert secret not in text
    assert ReportShareVisit.objects.get().what == "pdf"


def test_the_xlsx_from_a_link_has_no_table_of_people_nor_column_naming_someone(client, share, private_things):
    response = client.get(public_url(share, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(body_of(response)), read_only=True)
    assert "Présences" not in workbook.sheetnames
    assert {"Synthèse", "Candidatures", "Projets", "Journées collectives", "Acteurs rencontrés"} <= set(
        workbook.sheetnames
    )
    cells = {str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell}
    assert "Projet" not in {str(c) for c in next(workbook["Candidatures"].iter_rows(values_only=True))}
    assert "Mis en relation par" not in cells and "Note" not in cells
    for secret in (COMMENT, COACH_NOTE, INTRODUCER, MEMBER, "Lucie Porteuse", "lucie@exemple.fr", *OTHERS):
        assert secret not in cells
    assert not any(cell.startswith(CANDIDACY) for cell in cells)
    assert ReportShareVisit.objects.get().what == "xlsx"


def test_the_csv_from_a_link_is_a_zip_of_the_funders_datasets(client, share, private_things):
    response = client.get(public_url(share, "csv"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body_of(response)))
    assert "presences.csv" not in archive.namelist() and "projets.csv" in archive.namelist()
    text = "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    for secret in (COMMENT, COACH_NOTE, INTRODUCER, MEMBER, CANDIDACY, *OTHERS):
        assert secret not in text
    header = next(csv.reader(io.StringIO(archive.read("candidatures.csv").decode("utf-8-sig")), delimiter=";"))
    assert header[:2] == ["Référence", "Envoyée le"]
    assert ReportShareVisit.objects.get().what == "csv"


def test_a_network_address_opening_too_many_links_is_slowed_down(client, share, settings):
    settings.REPORT_SHARE_RATE = "3/h"
    for _ in range(3):
        assert client.get(public_url(share)).status_code == 200
    response = client.get(public_url(share))
    assert response.status_code == 429
    assert "Réessayez un peu plus tard" in response.content.decode()
    assert ReportShareVisit.objects.count() == 3
    # Another network is not slowed down by the first one.
    assert client.get(public_url(share), REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_funders_page_runs_the_same_queries_with_ten_times_the_rows(
    client, season, previous_season, staff, coach, django_assert_max_num_queries
):
    fill_season(season, coach=coach)
    fill_season(previous_season, coach=coach)
    share = reports.create_share(cohort=season, label="Fondation X", expires_on=in_a_month(), user=staff)
    # 1 link and its season, 2 the season's territories and partners, 1 visit logged, then the report as on the
    # staff's page without its session, comments and recent exports: 1 seasons compared, 1 candidacy figures,
    # 6 season-by-season figures (the follow-ups among them), 1 projects, 2 who coached them, 1 coaching,
    # 1 coaches' names, 1 days, 2 attendance rates, 1 participant-days, 1 trainers, 1 actors met,
    # 2 months after the season (outcomes, follow-ups), 4 satisfaction, 1 partners' resources
    # committed and delivered, 1 the counts of seasons brought in from a file, 1 the fingerprint of the rows the
    # report reads (reports/cache.py) = 32; read again while those rows are unchanged, the report's sections come
    # from the cache: 1 link, 2 territories and partners, 1 visit, 1 fingerprint = 5.
    with django_assert_max_num_queries(32):
        assert client.get(public_url(share)).status_code == 200
    fill_season(season, coach=coach, scale=9)
    with django_assert_max_num_queries(32):
        page = client.get(public_url(share)).content.decode()
    assert '<th scope="row">Candidatures reçues</th><td class="text-end num">90</td>' in page
    with django_assert_max_num_queries(5):
        again = client.get(public_url(share)).content.decode()
    assert report_sections(again) == report_sections(page)

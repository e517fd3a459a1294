"""The season report page: who may open it, what it shows, and how many queries it runs."""

import html
import io

import lxml.html
import pytest
from django.urls import reverse

import reports.services as reports
from projects.models import Project
from reports.models import ReportExport
from tests.factories import CoachFactory, StaffFactory, SuperuserFactory, UserFactory
from tests.reports.season_data import fill_season

pytestmark = pytest.mark.django_db

FORMATS = [None, "csv", "xlsx", "pdf"]


def report_url(cohort, export_format=None):
    url = reverse("reports:season_report", args=[cohort.pk])
    return f"{url}?format={export_format}" if export_format else url


@pytest.mark.parametrize("export_format", FORMATS)
def test_anonymous_visitors_are_sent_to_the_login_page_and_nothing_is_exported(client, season, export_format):
    response = client.get(report_url(season, export_format))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not ReportExport.objects.exists()


@pytest.mark.parametrize("export_format", FORMATS)
def test_coaches_of_the_programme_are_refused(client, season, structure, export_format):
    client.force_login(CoachFactory(partner_structure=structure, is_reviewer=True))
    assert client.get(report_url(season, export_format)).status_code == 403
    assert not ReportExport.objects.exists()


def report_sections(page: str) -> str:
    """The report's sections, without the last (its end varies with the page) nor what surrounds them."""
    return page[page.index('<section class="report-section') : page.rindex('<section class="report-section')]


def test_people_without_a_role_are_refused(client, season):
    client.force_login(UserFactory())
    assert client.get(report_url(season)).status_code == 403


@pytest.mark.parametrize("export_format", FORMATS)
def test_staff_of_another_structure_get_not_found(client, season, export_format):
    client.force_login(StaffFactory())
    assert client.get(report_url(season, export_format)).status_code == 404
    assert not ReportExport.objects.exists()


def test_staff_and_superusers_open_the_report(client, filled_season, staff):
    for user in (staff, SuperuserFactory()):
        client.force_login(user)
        assert client.get(report_url(filled_season)).status_code == 200


def test_the_season_page_links_to_its_report(client, season, staff):
    client.force_login(staff)
    page = client.get(reverse("reports:season", args=[season.pk])).content.decode()
    assert report_url(season) in page


def test_the_report_shows_the_header_key_figures_and_server_side_charts(client, filled_season, staff, structure):
    client.force_login(staff)
    page = client.get(report_url(filled_season)).content.decode()
    assert filled_season.programme.name in page
    assert structure.name in page
    assert "Drôme (26)" in page
    assert "1er septembre 2026" in page and "30 novembre 2027" in page
    # 9 candidacies received (the draft does not count), 3 accepted: 33 %.
    assert '<th scope="row">Candidatures reçues</th><td class="text-end num">9</td>' in page
    assert "33 %" in page
    # 3 projects × 6 h of coaching; 3.75 h technical and 2.25 h human each (the meeting on both is shared).
    assert "18,0 h" in page and "11,3 h" in page and "6,8 h" in page
    # 2 held days out of 3, 75 % attendance, 9 participant-days; the local trainer's day: 400 €.
    assert '<th scope="row">Taux de présence aux journées (%)</th><td class="text-end num">75 %</td>' in page
    assert "400 €" in page
    assert page.count("<svg") >= 4
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Prise de parole en public" in page  # skills gained even by a stopped project


def test_the_report_puts_previous_seasons_side_by_side(client, filled_season, previous_season, staff):
    client.force_login(staff)
    page = client.get(report_url(filled_season)).content.decode()
    assert "Saison 2026-2027" in page and "Saison 2025-2026" in page
    assert page.index("Saison 2026-2027</th>") < page.index("Saison 2025-2026</th>")


def test_an_unknown_format_is_explained_and_nothing_is_recorded(client, season, staff):
    client.force_login(staff)
    response = client.get(report_url(season, "docx"), follow=True)
    assert "Ce format n&#x27;existe pas" in response.content.decode()
    assert not ReportExport.objects.exists()


def test_the_report_page_runs_the_same_queries_with_ten_times_the_rows(
    client, season, previous_season, staff, coach, django_assert_max_num_queries
):
    fill_season(season, coach=coach)
    fill_season(previous_season, coach=coach)
    client.force_login(staff)
    # 2 session and user, 1 season, 2 its territories and partners, 1 seasons compared, 2 candidacy figures (and
    # the counts of seasons brought in from a file), 6 season-by-season figures (the follow-ups among them),
    # 1 projects, 2 who coached them (assignments, meetings per coach), 1 coaching, 1 coaches' names, 1 days,
    # 2 attendance rates (per day, per project), 1 participant-days, 1 trainers, 1 actors met, 2 months after the
    # season (outcomes, follow-ups), 5 satisfaction (overall, per day, trainer and venue; comments), 1 resources
    # per structure, 1 recent exports, 1 the fingerprint of the rows the report reads (reports/cache.py) = 35; read
    # again while those rows are unchanged, the report's sections come from the cache: 2 session and user,
    # 1 season, 2 its territories and partners, 1 fingerprint, 1 recent exports = 7.
    with django_assert_max_num_queries(35):
        assert client.get(report_url(season)).status_code == 200
    fill_season(season, coach=coach, scale=9)
    with django_assert_max_num_queries(35):
        page = client.get(report_url(season)).content.decode()
    assert '<th scope="row">Candidatures reçues</th><td class="text-end num">90</td>' in page
    with django_assert_max_num_queries(7):
        again = client.get(report_url(season)).content.decode()
    assert report_sections(again) == report_sections(page)


def test_a_big_seasons_page_shows_its_first_projects_and_links_to_every_one(client, filled_season, staff, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "PAGE_PROJECT_ROWS", 1)
    names = sorted(Project.objects.filter(cohort=filled_season).values_list("name", flat=True))
    assert len(names) > 1
    client.force_login(staff)
    page = lxml.html.fromstring(client.get(report_url(filled_season)).content)
    shown = [row.text_content() for row in page.xpath("//table[contains(@class, 'projects')]/tbody//th")]
    assert shown == names[:1]
    left_out = f"et {len(names) - 1} autre projet" if len(names) == 2 else f"et {len(names) - 1} autres projets"
    links = {link.get("href"): link.text_content() for link in page.xpath("//a[starts-with(@href, '?projets=tous')]")}
    # The projects, their coaching hours, their attendance: each says what is left out and links to every row.
    assert links == {
        "?projets=tous#projets": f"Voir les {len(names)} projets",
        "?projets=tous#accompagnement": f"Voir les {len(names)} projets",
        "?projets=tous#journees": f"Voir les {len(names)} projets",
    }
    assert page.text_content().count(left_out) == 3

    every = client.get(report_url(filled_season) + "?projets=tous")
    every_page = lxml.html.fromstring(every.content)
    assert [row.text_content() for row in every_page.xpath("//table[contains(@class, 'projects')]/tbody//th")] == names
    assert "dans les fichiers XLSX et CSV" not in every.content.decode()
    # The figures are those of every project either way.
    key_figures = "//table[contains(@class, 'key-figures')]"
    assert page.xpath(key_figures)[0].text_content() == every_page.xpath(key_figures)[0].text_content()


def test_report_figures_are_rounded_not_cut():
    from django.utils import translation

    from reports.charts import format_value

    with translation.override("fr"):
        assert format_value(100 / 6, "percent") == "17 %"
        assert format_value(2 / 3 * 100, "percent") == "67 %"
        assert format_value(2.55, "hours") in ("2,6 h",)


def test_the_report_has_a_satisfaction_section_with_the_comments_for_staff(client, filled_season, staff):
    client.force_login(staff)
    page = " ".join(html.unescape(client.get(report_url(filled_season)).content.decode()).split())
    assert '<h2 id="satisfaction" class="h3">Satisfaction</h2>' in page
    # 2 held days × 6 members asked, half of them answered: 50 %, 4 and 5 out of 5.
    assert (
        '<th scope="row">Toute la saison</th> <td class="text-end num">12</td> <td class="text-end num">6</td> <td class="text-end num">50 %</td> <td class="text-end num">4</td> <td class="text-end num">5</td>'
        in page
    )
    assert "Très concret, merci." in page


def test_the_files_for_funders_never_hold_the_comments(client, filled_season, staff):
    from pypdf import PdfReader

    client.force_login(staff)
    response = client.get(report_url(filled_season, "pdf"))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Satisfaction" in text
    assert "Très concret" not in text
    assert reports.season_report(filled_season).satisfaction.comments is None

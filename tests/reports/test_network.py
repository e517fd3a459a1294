"""The network at a glance: every programme and season of the person's structure, side by side."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    StaffFactory,
    SuperuserFactory,
    TerritoryFactory,
)
from tests.reports.season_data import fill_season

pytestmark = pytest.mark.django_db

URL = reverse("cohorts:network")


@pytest.fixture
def world(db):
    """Alter'Incub runs two programmes (with Prisme in the Drôme, with the union in Isère); a third is not its."""
    drome = TerritoryFactory(name="Drôme", department_code="26")
    alter = PartnerStructureFactory(name="Alter'Incub")
    prisme = PartnerStructureFactory(name="CAE Prisme")
    union = PartnerStructureFactory(name="Union régionale")
    stranger = PartnerStructureFactory(name="Ailleurs")
    drome_ardeche = ProgrammeFactory(name="Drôme-Ardèche", partners=[alter, prisme])
    isere = ProgrammeFactory(name="Isère", partners=[alter, union])
    elsewhere = ProgrammeFactory(name="Programme d'ailleurs", partners=[stranger])
    season = CohortFactory(
        programme=drome_ardeche, name="Saison 2026-2027", start_date=datetime.date(2026, 9, 1), territories=[drome]
    )
    CohortFactory(programme=drome_ardeche, name="Saison 2025-2026", start_date=datetime.date(2025, 6, 1))
    CohortFactory(programme=isere, name="Saison Isère 2026", start_date=datetime.date(2026, 3, 1))
    CohortFactory(programme=elsewhere, name="Saison secrète", start_date=datetime.date(2026, 3, 1))
    fill_season(season, coach=CoachFactory(partner_structure=alter))
    return {"alter": alter, "prisme": prisme, "stranger": stranger, "season": season}


def flat(response) -> str:
    return re.sub(r">\s+<", "><", response.content.decode())


def test_staff_of_a_structure_in_two_programmes_see_both_side_by_side(client, world):
    client.force_login(StaffFactory(partner_structure=world["alter"]))
    response = client.get(URL)
    assert response.status_code == 200
    page = flat(response)
    assert "Drôme-Ardèche" in page and "Isère" in page
    assert "Programme d&#x27;ailleurs" not in page and "Saison secrète" not in page
    # The Drôme-Ardèche table (after the charts): most recent season first, then the earlier one.
    tables = page[page.index('aria-labelledby="programme-') :]
    assert tables.index("Saison 2026-2027") < tables.index("Saison 2025-2026")
    assert reverse("reports:season_report", args=[world["season"].pk]) in page


def test_the_figures_of_a_known_season(client, world):
    client.force_login(StaffFactory(partner_structure=world["alter"]))
    page = flat(client.get(URL))

    def first_value(label):
        match = re.search(re.escape(f'<th scope="row">{label}</th>') + r'<td class="text-end num">([^<]*)</td>', page)
        return match.group(1)

    assert first_value("Candidatures reçues") == "9"
    assert first_value("Taux d&#x27;acceptation (%)") == "33 %"
    assert first_value("Projets accompagnés") == "3"
    assert first_value("Heures d&#x27;accompagnement") == "18,0 h"
    assert first_value("Journées collectives tenues") == "2"
    assert first_value("Part des journées hors des locaux des partenaires (%)") == "50 %"
    assert first_value("Part de formateur·rices locaux (%)") == "50 %"
    assert first_value("Emplois créés (ETP)") == "1,5"
    # Six months on, two of the three projects answered with two jobs each; nobody was asked later yet.
    assert first_value("Emplois 6 mois après la saison (ETP)") == "4"
    assert first_value("Réponses au suivi à 6 mois (%)") == "67 %"
    for months in (12, 24):
        assert first_value(f"Emplois {months} mois après la saison (ETP)") == "—"
    assert "<svg" in page  # the charts


def test_staff_of_a_structure_in_one_programme_see_only_that_one(client, world):
    client.force_login(StaffFactory(partner_structure=world["prisme"]))
    page = flat(client.get(URL))
    assert "Drôme-Ardèche" in page
    assert "Saison Isère 2026" not in page and "Saison secrète" not in page


def test_who_opens_the_page(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(CoachFactory(partner_structure=world["alter"]))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403
    client.force_login(SuperuserFactory(partner_structure=world["alter"]))
    page = client.get(URL).content.decode()
    assert "Saison secrète" in page and "Tous les programmes, saison par saison." in page


def test_the_programme_list_links_to_it(client, world):
    client.force_login(StaffFactory(partner_structure=world["alter"]))
    assert URL in client.get(reverse("cohorts:cohort_list")).content.decode()


def test_the_csv_has_one_row_per_season(client, world):
    client.force_login(StaffFactory(partner_structure=world["alter"]))
    response = client.get(URL, {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="reseau-alterincub.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    header, *seasons = rows
    assert header[:5] == ["Programme", "Saison", "Début", "Fin", "Candidatures reçues"]
    assert [row[1] for row in seasons] == ["Saison 2026-2027", "Saison 2025-2026", "Saison Isère 2026"]
    current = dict(zip(header, seasons[0], strict=True))
    assert current["Candidatures reçues"] == "9"
    assert current["Heures d'accompagnement"] == "18,0"
    assert current["Part des journées hors des locaux des partenaires (%)"] == "50,0"
    assert current["Emplois 6 mois après la saison (ETP)"] == "4,0"  # two answers of two jobs each
    assert current["Emplois 24 mois après la saison (ETP)"] == ""  # nobody asked yet


def test_the_spreadsheet_has_a_title_then_the_same_table(client, world):
    client.force_login(StaffFactory(partner_structure=world["alter"]))
    response = client.get(URL, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Réseau"]
    assert sheet["A1"].value == "Le réseau en un coup d'œil — Alter'Incub"
    header = [cell.value for cell in sheet[3]]
    current = dict(zip(header, [cell.value for cell in sheet[4]], strict=True))
    assert current["Saison"] == "Saison 2026-2027"
    assert current["Candidatures reçues"] == 9
    assert current["Emplois 12 mois après la saison (ETP)"] is None


def test_an_unknown_format_is_refused_in_french(client, world):
    client.force_login(StaffFactory(partner_structure=world["alter"]))
    response = client.get(URL, {"format": "pdf"}, follow=True)
    assert "Ce format n&#x27;existe pas" in response.content.decode()


def test_the_page_reads_the_same_queries_with_ten_times_the_programmes(client, world, django_assert_max_num_queries):
    alter = world["alter"]
    client.force_login(StaffFactory(partner_structure=alter))
    # 2 session and user, 2 programmes and their partners, 1 seasons, 2 candidacy figures (and the counts of
    # seasons brought in from a file),
    # 6 season-by-season figures (the follow-ups among them), 1 days outside the partners' offices, 1 local
    # trainers, 1 the person's structure (named on the page and in the files) = 16
    with django_assert_max_num_queries(16):
        assert client.get(URL).status_code == 200
    for n in range(18):
        programme = ProgrammeFactory(partners=[alter, PartnerStructureFactory()])
        for year in (2024, 2025):
            season = CohortFactory(programme=programme, start_date=datetime.date(year, 1 + n % 12, 1))
        fill_season(season, coach=CoachFactory(partner_structure=alter))
    with django_assert_max_num_queries(16):
        page = client.get(URL).content.decode()
    assert page.count("<table") == 20
    with django_assert_max_num_queries(16):
        assert client.get(URL, {"format": "csv"}).status_code == 200

"""Staff pages for planning: who may open them, what bad input gets, and how many queries they run."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from outbox.models import OutgoingMail
from tests.factories import (
    PASSWORD,
    AttendanceFactory,
    CoachFactory,
    CohortFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    SuperuserFactory,
    TerritoryFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
    VenueFactory,
)
from tests.forms import UNCHECK, submit
from trainings import services
from trainings.models import Attendance, Trainer, TrainingSession, Venue

pytestmark = pytest.mark.django_db

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")
CONFIRMED, DECLINED = Attendance.Response.CONFIRMED, Attendance.Response.DECLINED


@pytest.fixture(autouse=True)
def _before_the_first_day():
    with time_machine.travel(datetime.datetime(2026, 9, 1, 10, tzinfo=PARIS), tick=False):
        yield


@pytest.fixture
def cohort(programme):
    cohort = CohortFactory(programme=programme, name="Saison 2026-2027", start_date=D(2026, 9, 1))
    cohort.territories.set([TerritoryFactory(name="Drôme", department_code="26")])
    return cohort


@pytest.fixture
def venue(structure):
    return VenueFactory(
        name="La Fabrique",
        address="3 place du Marché",
        postcode="26220",
        commune="Dieulefit",
        partner_structure=structure,
    )


@pytest.fixture
def trainer(structure):
    return TrainerFactory(name="Claire Vial", partner_structure=structure)


@pytest.fixture
def session(cohort, venue, trainer):
    return TrainingSessionFactory(
        cohort=cohort, date=D(2026, 10, 13), title="Le modèle économique", venue=venue, trainers=[trainer]
    )


def pages(cohort, session, venue, trainer):
    """Every planning page, and whether it belongs to a season (staff of other programmes get a 404)."""
    return [
        (reverse("trainings:venue_list"), False),
        (reverse("trainings:venue_create"), False),
        (reverse("trainings:venue_update", args=[venue.pk]), False),
        (reverse("trainings:trainer_list"), False),
        (reverse("trainings:trainer_create"), False),
        (reverse("trainings:trainer_update", args=[trainer.pk]), False),
        (reverse("trainings:calendar_generate", args=[cohort.pk]), True),
        (reverse("trainings:session_list", args=[cohort.pk]), True),
        (reverse("trainings:session_detail", args=[session.pk]), True),
        (reverse("trainings:session_update", args=[session.pk]), True),
    ]


@pytest.fixture
def every_page(cohort, session, venue, trainer):
    return pages(cohort, session, venue, trainer)


CANCEL = "trainings:session_cancel"


# --- Who may open what -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, every_page, session):
    for url, _ in [*every_page, (reverse(CANCEL, args=[session.pk]), True)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    # Forged on purpose: an anonymous visitor is never shown the cancel form.
    assert client.post(reverse(CANCEL, args=[session.pk]), {"confirm": "oui"}).status_code == 302
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


@pytest.mark.parametrize("who", ["coach", "other_coach", "no_role", "trainer"])
def test_coaches_trainers_and_people_without_a_role_are_refused(client, every_page, session, structure, trainer, who):
    if who == "trainer":  # the day's own trainer, with a login: they take attendance, they do not plan
        person = trainer.user = UserFactory()
        trainer.save()
    else:
        person = {"coach": CoachFactory, "other_coach": CoachFactory, "no_role": UserFactory}[who](
            **({"partner_structure": structure} if who == "coach" else {})
        )
    client.force_login(person)
    for url, _ in every_page:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Accès refusé" in response.content.decode()
    # Forged on purpose: these people are refused the day's page, so they never see its cancel form.
    assert client.post(reverse(CANCEL, args=[session.pk]), {"confirm": "oui"}).status_code == 403
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_staff_and_superusers_open_every_page(client, every_page, staff, who):
    client.force_login(staff if who == "staff" else SuperuserFactory())
    for url, _ in every_page:
        assert client.get(url).status_code == 200, url


def test_staff_of_another_structure_get_not_found_for_a_season_they_do_not_run(
    client, every_page, session, venue, trainer
):
    other = StaffFactory()
    ProgrammeFactory(partners=[other.partner_structure])  # they run a programme, but not with our structure
    client.force_login(other)
    ours = {reverse("trainings:venue_update", args=[venue.pk]), reverse("trainings:trainer_update", args=[trainer.pk])}
    for url, seasonal in every_page:
        assert client.get(url).status_code == (404 if seasonal or url in ours else 200), url
    # Forged on purpose: the day's page is not found for them, so they never see its cancel form.
    assert client.post(reverse(CANCEL, args=[session.pk]), {"confirm": "oui"}).status_code == 404
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


def test_staff_who_run_no_programme_see_no_venue_nor_trainer(client, venue, trainer):
    client.force_login(StaffFactory())
    assert venue.name not in client.get(reverse("trainings:venue_list")).content.decode()
    assert trainer.name not in client.get(reverse("trainings:trainer_list")).content.decode()
    assert client.get(reverse("trainings:venue_update", args=[venue.pk])).status_code == 404
    assert client.get(reverse("trainings:trainer_update", args=[trainer.pk])).status_code == 404


def test_the_season_page_links_to_its_collective_days(client, cohort, staff):
    client.force_login(staff)
    page = client.get(cohort.get_absolute_url()).content.decode()
    assert reverse("trainings:session_list", args=[cohort.pk]) in page
    assert "Journées collectives" in page


# --- Venues and trainers ---------------------------------------------------------------------------


def new_venue(territory, **overrides):
    """What a person types into the new venue form."""
    typed = {
        "name": "Le Moulinage",
        "kind": Venue.Kind.THIRD_PLACE,
        "address": "8 chemin du Moulinage",
        "postcode": "07000",
        "commune": "Privas",
        "territory": territory.pk,
        "capacity": "20",
        "parking": True,
    }
    return {**typed, **overrides}


def test_staff_add_a_venue_and_every_venue_shows_a_map_link(client, staff, programme, venue):
    client.force_login(staff)
    ardeche = TerritoryFactory(name="Ardèche", department_code="07")
    page = client.get(reverse("trainings:venue_create"))
    response = submit(client, page, new_venue(ardeche), button="submit")
    assert response.status_code == 302
    created = Venue.objects.get(name="Le Moulinage")
    assert (created.commune, created.territory, created.parking) == ("Privas", ardeche, True)
    page = client.get(reverse("trainings:venue_list")).content.decode()
    assert "Le lieu a été ajouté." in page
    assert "Le Moulinage, 8 chemin du Moulinage, 07000 Privas" in page
    assert page.count("https://www.openstreetmap.org/") == 2
    assert 'rel="noopener noreferrer"' in page


def test_a_venue_with_half_its_coordinates_is_refused_and_what_was_typed_stays(client, staff):
    client.force_login(staff)
    page = client.get(reverse("trainings:venue_create"))
    response = submit(
        client, page, new_venue(TerritoryFactory(), latitude="44.735300", capacity="beaucoup"), button="submit"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez un nombre entier." in page
    assert 'value="Le Moulinage"' in page and 'value="44.735300"' in page
    # The person corrects the capacity on the page they got back; the longitude is still missing.
    response = submit(client, response, {"capacity": "20", "latitude": "44.7353"}, button="submit")
    assert "Indiquez la latitude et la longitude, ou aucune des deux." in response.content.decode()
    assert not Venue.objects.filter(name="Le Moulinage").exists()


def test_staff_edit_a_venue_and_what_they_did_not_touch_stays(client, staff, programme, venue):
    venue.accessibility_notes = "Rampe côté cour"
    venue.step_free_access = True
    venue.save()
    client.force_login(staff)
    page = client.get(reverse("trainings:venue_update", args=[venue.pk]))
    changes = {"name": "La Fabrique du Bourg", "latitude": "44.5", "longitude": "5.07"}
    assert submit(client, page, changes, button="submit").status_code == 302
    venue.refresh_from_db()
    assert venue.name == "La Fabrique du Bourg"
    assert "mlat=44.500000" in venue.map_url
    assert (venue.address, venue.commune, venue.accessibility_notes) == (
        "3 place du Marché",
        "Dieulefit",
        "Rampe côté cour",
    )
    assert venue.step_free_access is True
    # Saved again unchanged, nothing moves.
    page = client.get(reverse("trainings:venue_update", args=[venue.pk]))
    assert submit(client, page, button="submit").status_code == 302
    saved = Venue.objects.get(pk=venue.pk)
    assert [getattr(saved, f.attname) for f in Venue._meta.concrete_fields] == [
        getattr(venue, f.attname) for f in Venue._meta.concrete_fields
    ]


def test_trainers_living_in_the_programmes_territories_are_local(client, staff, cohort):
    drome = cohort.territories.get()
    ours = staff.partner_structure
    TrainerFactory(name="Claire Vial", home_commune="Valence", home_territory=drome, partner_structure=ours)
    TrainerFactory(name="Julien Perrin", home_commune="Lyon", home_territory=None, partner_structure=ours)
    TrainerFactory(
        name="Anne Savoie",
        partner_structure=ours,
        home_commune="Chambéry",
        home_territory=TerritoryFactory(name="Savoie", department_code="73"),
    )
    client.force_login(staff)
    response = client.get(reverse("trainings:trainer_list"))
    trainers = {trainer.name: trainer.local for trainer in response.context["trainers"]}
    assert trainers == {"Anne Savoie": False, "Claire Vial": True, "Julien Perrin": False}
    page = response.content.decode()
    assert page.count(">local<") == 1
    assert page.count("hors territoire") == 2


def test_staff_add_a_trainer_and_a_bad_email_gets_a_french_message(client, staff):
    client.force_login(staff)
    page = client.get(reverse("trainings:trainer_create"))
    typed = {"name": "Nadia Benali", "email": "nadia@", "home_commune": "Montélimar", "daily_rate": "-5"}
    response = submit(client, page, typed, button="submit")
    page = response.content.decode()
    assert "Saisissez une adresse de courriel valide." in page
    assert "Assurez-vous que cette valeur est supérieure ou égale à 0." in page
    assert 'value="Nadia Benali"' in page
    # Corrected on the page they got back: the name and commune are still there.
    response = submit(client, response, {"email": "nadia@exemple.fr", "daily_rate": "550"}, button="submit")
    assert response.status_code == 302
    nadia = Trainer.objects.get(name="Nadia Benali")
    assert (nadia.daily_rate, nadia.home_commune) == (550, "Montélimar")


def test_staff_edit_a_trainer_and_what_they_did_not_touch_stays(client, staff, cohort, trainer):
    trainer.home_territory = cohort.territories.get()
    trainer.topics = "Finances solidaires"
    trainer.daily_rate = 480
    trainer.save()
    client.force_login(staff)
    page = client.get(reverse("trainings:trainer_update", args=[trainer.pk]))
    assert submit(client, page, {"phone": "04 75 00 00 00"}, button="submit").status_code == 302
    trainer.refresh_from_db()
    assert trainer.phone == "04 75 00 00 00"
    assert (trainer.home_territory, trainer.topics, trainer.daily_rate) == (
        cohort.territories.get(),
        "Finances solidaires",
        480,
    )


def test_the_trainer_list_runs_the_same_queries_with_4_or_40_trainers(
    client, staff, cohort, django_assert_max_num_queries
):
    client.force_login(staff)
    for count in (4, 40):
        while Trainer.objects.count() < count:
            TrainerFactory(home_territory=cohort.territories.get())
        # session (1) + user (1) + whether they run a programme (1) + trainers with their territory (1)
        # + the programmes' territories (1)
        with django_assert_max_num_queries(5):
            assert client.get(reverse("trainings:trainer_list")).status_code == 200


# --- The calendar generator ------------------------------------------------------------------------


def calendar_page(client, cohort):
    return client.get(reverse("trainings:calendar_generate", args=[cohort.pk]))


def test_the_generator_previews_the_dates_then_saves_them(client, staff, cohort, venue):
    crest = VenueFactory(name="Tiers-lieu de Crest", commune="Crest", partner_structure=staff.partner_structure)
    ProjectMemberFactory(project=ProjectFactory(cohort=cohort))
    client.force_login(staff)

    # The defaults as the page shows them (second Tuesday, no day in August, 09:00–17:00); two venues ticked.
    preview = submit(client, calendar_page(client, cohort), {"venues": [venue.pk, crest.pk]}, button="preview")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "mardi 8 septembre 2026" in page and "mardi 9 novembre 2027" in page
    assert "août 2027" not in page
    assert "14 journées dans la saison" in page
    assert "Ajouter ces 14 journées" in page
    assert not TrainingSession.objects.exists()

    saved = submit(client, preview, button="save", follow=True)
    assert saved.redirect_chain[-1][0] == reverse("trainings:session_list", args=[cohort.pk])
    assert "14 journées ajoutées au calendrier de la saison." in saved.content.decode()
    assert cohort.training_sessions.count() == 14
    assert Attendance.objects.count() == 14  # the season's one member, invited to each day
    assert {str(day.morning_start) for day in cohort.training_sessions.all()} == {"09:00:00"}

    again = submit(client, calendar_page(client, cohort), {"venues": [venue.pk, crest.pk]}, button="preview")
    assert "déjà prévue" in again.content.decode()
    assert "Toutes ces journées sont déjà au calendrier" in again.content.decode()
    # The first preview, still open in another tab, saved a second time: nothing is added twice.
    twice = submit(client, preview, button="save", follow=True)
    assert "Le calendrier avait déjà toutes ces journées : rien n&#x27;a été ajouté." in twice.content.decode()
    assert cohort.training_sessions.count() == 14


def test_the_generator_saves_the_rule_previewed_with_august_kept_when_unticked(client, staff, cohort, venue):
    client.force_login(staff)
    preview = submit(
        client,
        calendar_page(client, cohort),
        {"venues": [venue.pk], "skip_august": UNCHECK, "title": "Atelier du mardi", "afternoon_end": "16:30"},
        button="preview",
    )
    assert "15 journées dans la saison" in preview.content.decode()
    submit(client, preview, button="save")
    days = cohort.training_sessions.all()
    assert days.count() == 15
    assert days.filter(date__month=8).count() == 1
    assert {(day.title, str(day.afternoon_end)) for day in days} == {("Atelier du mardi", "16:30:00")}


def test_the_generator_without_a_venue_or_with_a_morning_ending_before_it_starts_says_why(client, staff, cohort, venue):
    client.force_login(staff)
    typed = {"title": "Journée du collectif", "morning_end": "08:30"}
    response = submit(client, calendar_page(client, cohort), typed, button="preview")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choisissez au moins un lieu." in page
    assert "La matinée doit finir après avoir commencé." in page
    assert 'value="Journée du collectif"' in page
    assert 'value="08:30"' in page
    assert not TrainingSession.objects.exists()


def test_the_generator_refuses_a_rule_that_is_not_in_the_list(client, staff, cohort, venue):
    client.force_login(staff)
    url = reverse("trainings:calendar_generate", args=[cohort.pk])
    rule = {"nth": "5", "weekday": "lundi", "venues": [venue.pk], "title": "Journée collective", "save": ""}
    # Forged on purpose: neither choice is an option of the page's lists.
    response = client.post(url, rule)
    assert response.status_code == 400
    assert "Sélectionnez un choix valide." in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_the_generator_does_not_offer_venues_to_a_season_of_another_programme(client, cohort, venue):
    client.force_login(StaffFactory())
    url = reverse("trainings:calendar_generate", args=[cohort.pk])
    assert client.get(url).status_code == 404
    # Forged on purpose: the page is not found for them, so they never see its form.
    assert client.post(url, {"nth": "2", "weekday": "1", "venues": [venue.pk], "save": ""}).status_code == 404
    assert not TrainingSession.objects.exists()


# --- The season's days -----------------------------------------------------------------------------


def season_with(cohort, venue, trainer, *, days, members):
    """`days` days of the season, `members` people in three projects, with a mix of answers."""
    projects = [ProjectFactory(cohort=cohort) for _ in range(3)]
    for n in range(members):
        ProjectMemberFactory(project=projects[n % 3])
    sessions = [
        TrainingSessionFactory(
            cohort=cohort, date=D(2026, 9, 8) + datetime.timedelta(days=7 * n), venue=venue, trainers=[trainer]
        )
        for n in range(days)
    ]
    services.invite_members(sessions=sessions)
    for n, attendance in enumerate(Attendance.objects.order_by("pk")):
        if n % 3:
            services.answer(attendance=attendance, response=CONFIRMED if n % 3 == 1 else DECLINED)
    return sessions


def test_the_session_list_shows_the_answers_of_each_day(client, staff, cohort, venue, trainer):
    season_with(cohort, venue, trainer, days=1, members=6)  # answers: none, yes, no, none, yes, no
    client.force_login(staff)
    response = client.get(reverse("trainings:session_list", args=[cohort.pk]))
    [day] = response.context["sessions"]
    assert (day.confirmed, day.declined, day.no_answer) == (2, 2, 2)
    page = response.content.decode()
    assert "mardi 8 septembre 2026" in page
    assert "2 viennent · 2 ne viennent pas · 2 sans réponse" in " ".join(page.split())
    assert "La Fabrique, 3 place du Marché, 26220 Dieulefit" in page
    assert venue.map_url.replace("&", "&amp;") in page or venue.map_url in page
    assert "Claire Vial" in page


@pytest.mark.parametrize(("days", "members"), [(3, 6), (30, 60)])
def test_the_session_list_runs_the_same_queries_with_6_or_60_participants(
    client, staff, cohort, venue, trainer, days, members, django_assert_max_num_queries
):
    season_with(cohort, venue, trainer, days=days, members=members)
    client.force_login(staff)
    # session (1) + user (1) + the season (1) + the days with venues, answer counts and attendance rates (1)
    # + trainers (1) + the projects and their rates (2)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("trainings:session_list", args=[cohort.pk]))
    assert len(response.context["sessions"]) == days
    assert sum(day.confirmed + day.declined + day.no_answer for day in response.context["sessions"]) == days * members


@pytest.mark.parametrize("members", [6, 60])
def test_the_session_page_runs_the_same_queries_with_6_or_60_participants(
    client, staff, cohort, venue, trainer, members, django_assert_max_num_queries
):
    [session] = season_with(cohort, venue, trainer, days=1, members=members)
    client.force_login(staff)
    # session (1) + user (1) + the day with its season, venue and counts (1) + trainers (1)
    # + participants with their project (1); then the day's audit trail: its entries (1), one query per kind of
    # row its changes point to (season, venue; invitations are made in bulk and not recorded: 2), and the kinds
    # of entry (day, attendance) the first time a process meets them (2, cached after): 5 + 5 = 10.
    with django_assert_max_num_queries(10):
        response = client.get(session.get_absolute_url())
    assert response.content.decode().count("<tr>") == members + 1


def test_the_session_page_shows_the_day_its_venue_and_its_participants(client, staff, session):
    member = ProjectMemberFactory(project=ProjectFactory(cohort=session.cohort, name="Garage du Diois"), name="Léa")
    AttendanceFactory(session=session, member=member, response=CONFIRMED)
    client.force_login(staff)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "mardi 13 octobre 2026" in page
    assert "09:00–12:30" in page
    assert "https://www.openstreetmap.org/" in page
    assert "Léa" in page and "Garage du Diois" in page and "Présence confirmée" in page
    assert "1 vient" in page
    assert "Ajouter à mon agenda" in page and ".ics)" not in page


def edit_page(client, session):
    return client.get(reverse("trainings:session_update", args=[session.pk]))


def test_moving_a_day_emails_its_invitees_and_trainers_and_says_so(
    client, staff, session, trainer, django_capture_on_commit_callbacks
):
    AttendanceFactory(session=session, member=ProjectMemberFactory(email="lea@exemple.fr"))
    AttendanceFactory(session=session, member=ProjectMemberFactory(email="sofia@exemple.fr"), response=DECLINED)
    other = VenueFactory(name="CAE Prisme", commune="Montélimar", partner_structure=staff.partner_structure)
    client.force_login(staff)
    page = edit_page(client, session)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, page, {"venue": other.pk, "date": "2026-10-20"}, button="submit", follow=True)
    assert (
        "prévenu·es du changement par e-mail, avec le rendez-vous à jour pour leur agenda : 1 participant·e et 1 formateur·rice."
        in response.content.decode()
    )
    session.refresh_from_db()
    assert (session.date, session.venue, session.sequence) == (D(2026, 10, 20), other, 1)
    assert sorted(m.to for m in mail.outbox) == sorted([["lea@exemple.fr"], [trainer.email]])
    assert {mail.programme for mail in OutgoingMail.objects.all()} == {session.cohort.programme}


def test_a_day_saved_unchanged_keeps_everything_and_tells_nobody(
    client, staff, session, django_capture_on_commit_callbacks
):
    session.topic = "Prévisionnel"
    session.description = "Matin : les chiffres.\nAprès-midi : les cas pratiques."
    session.what_to_bring = "Un ordinateur"
    session.capacity = 12
    session.save()
    session.trainers.add(TrainerFactory(name="Paul Durand"))
    AttendanceFactory(session=session, member=ProjectMemberFactory(email="lea@exemple.fr"))
    before = TrainingSession.objects.get(pk=session.pk)
    client.force_login(staff)
    for _round in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = submit(client, edit_page(client, session), button="submit", follow=True)
        assert "La journée a été enregistrée." in response.content.decode()
        assert "prévenu·es" not in response.content.decode()
    saved = TrainingSession.objects.get(pk=session.pk)
    assert [getattr(saved, f.attname) for f in TrainingSession._meta.concrete_fields] == [
        getattr(before, f.attname) for f in TrainingSession._meta.concrete_fields
    ]
    assert set(saved.trainers.values_list("name", flat=True)) == {"Claire Vial", "Paul Durand"}
    assert mail.outbox == []


def test_a_date_outside_the_season_or_already_taken_is_refused_and_what_was_typed_stays(client, staff, session):
    TrainingSessionFactory(cohort=session.cohort, date=D(2026, 11, 10))
    client.force_login(staff)
    response = submit(
        client, edit_page(client, session), {"date": "2028-01-11", "title": "Journée déplacée"}, button="submit"
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choisissez une date pendant la saison, du 1er septembre 2026 au 30 novembre 2027." in page
    assert 'value="Journée déplacée"' in page and 'value="2028-01-11"' in page
    # Another try from the page they got back.
    response = submit(client, response, {"date": "2026-11-10"}, button="submit")
    assert "Une autre journée de la saison a déjà lieu le 10 novembre 2026." in response.content.decode()
    response = submit(
        client, response, {"date": "2026-10-13", "afternoon_start": "12:00", "afternoon_end": "11:00"}, button="submit"
    )
    assert "L&#x27;après-midi doit finir après avoir commencé." in response.content.decode()
    session.refresh_from_db()
    assert (session.date, session.title, session.sequence) == (D(2026, 10, 13), "Le modèle économique", 0)


def test_the_edit_form_does_not_offer_to_cancel(client, staff, session):
    client.force_login(staff)
    page = edit_page(client, session).content.decode()
    assert 'value="cancelled"' not in page
    # Forged on purpose: "cancelled" is not an option of the page's list.
    response = client.post(
        reverse("trainings:session_update", args=[session.pk]),
        {
            "title": session.title,
            "date": session.date.isoformat(),
            "venue": session.venue_id,
            "trainers": [t.pk for t in session.trainers.all()],
            "status": "cancelled",
        },
    )
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


def test_cancelling_needs_the_box_ticked(client, staff, session):
    client.force_login(staff)
    # Forged on purpose: the box is `required`, a browser does not send the form without it.
    response = client.post(reverse(CANCEL, args=[session.pk]), follow=True)
    assert "Cochez la case pour confirmer l&#x27;annulation" in response.content.decode()
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED
    assert client.get(reverse(CANCEL, args=[session.pk])).status_code == 302  # a GET only shows the form


def test_cancelling_a_day_emails_its_invitees_and_trainers(
    client, staff, session, trainer, django_capture_on_commit_callbacks
):
    AttendanceFactory(session=session, member=ProjectMemberFactory(email="lea@exemple.fr"))
    client.force_login(staff)
    page = client.get(session.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, page, {"confirm": True}, action=reverse(CANCEL, args=[session.pk]), follow=True)
    assert "La journée est annulée. Ont été prévenu·es de l&#x27;annulation par e-mail" in response.content.decode()
    session.refresh_from_db()
    assert (session.status, session.sequence) == (TrainingSession.Status.CANCELLED, 1)
    assert sorted(m.to for m in mail.outbox) == sorted([["lea@exemple.fr"], [trainer.email]])
    assert {mail.programme for mail in OutgoingMail.objects.all()} == {session.cohort.programme}
    # A cancelled day is no longer edited.
    response = client.get(reverse("trainings:session_update", args=[session.pk]), follow=True)
    assert "Cette journée est annulée : elle ne peut plus être modifiée." in response.content.decode()


def test_the_venue_list_runs_the_same_queries_with_3_or_30_venues(
    client, staff, programme, django_assert_max_num_queries
):
    client.force_login(staff)
    for count in (3, 30):
        while Venue.objects.count() < count:
            VenueFactory()
        # session (1) + user (1) + whether they run a programme (1) + venues with territory and structure (1)
        with django_assert_max_num_queries(4):
            assert client.get(reverse("trainings:venue_list")).status_code == 200


# --- On a phone ------------------------------------------------------------------------------------


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_planning_page_fits_a_phone_screen(phone, live_server, staff, cohort, venue, trainer):
    [session] = season_with(cohort, venue, trainer, days=1, members=6)
    VenueFactory(name="Le Moulinage des Boutières, tiers-lieu de la vallée de l'Ouvèze", commune="Privas")
    phone.goto(f"{live_server.url}{reverse('login')}")
    phone.get_by_label("Adresse e-mail").fill(staff.email)
    phone.get_by_label("Mot de passe").fill(PASSWORD)
    phone.get_by_role("button", name="Se connecter").click()
    phone.wait_for_url("**/saisons/")
    for url, _ in pages(cohort, session, venue, trainer):
        phone.goto(f"{live_server.url}{url}")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url

    phone.goto(f"{live_server.url}{reverse('trainings:calendar_generate', args=[cohort.pk])}")
    phone.get_by_label("La Fabrique (Dieulefit)").check()
    phone.get_by_role("button", name="Voir les dates").click()
    expect(phone.get_by_role("heading", name="Aperçu")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_role("button", name="Ajouter ces 13 journées").click()
    expect(phone.get_by_role("status")).to_have_text("13 journées ajoutées au calendrier de la saison.")
    assert cohort.training_sessions.count() == 14


def test_the_session_list_shows_attendance_rates_per_day_and_per_project(client, cohort, staff, venue, trainer):
    from tests.factories import AttendanceFactory, ProjectFactory, ProjectMemberFactory

    held = TrainingSessionFactory(cohort=cohort, date=D(2026, 9, 8), venue=venue, status=TrainingSession.Status.HELD)
    member = ProjectMemberFactory(project=ProjectFactory(cohort=cohort, name="La Recyclerie"))
    AttendanceFactory(session=held, member=member, morning="present", afternoon="present")
    client.force_login(staff)
    page = client.get(reverse("trainings:session_list", args=[cohort.pk])).content.decode()
    assert "Présence :</span> 100 %" in page
    assert "La Recyclerie : 100 %" in page


def test_a_morning_only_day_without_venue_nor_trainer_saved_unchanged_stays_so(client, staff, cohort):
    day = TrainingSessionFactory(
        cohort=cohort, date=D(2026, 11, 10), venue=None, trainers=[], afternoon_start=None, afternoon_end=None
    )
    client.force_login(staff)
    response = submit(client, edit_page(client, day), button="submit")
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.venue, day.afternoon_start, day.afternoon_end, day.sequence) == (None, None, None, 0)
    assert str(day.morning_start) == "09:00:00"
    assert not day.trainers.exists()


def test_a_past_day_moved_to_another_past_day_tells_nobody_and_the_page_does_not_say_otherwise(
    client, staff, session, django_capture_on_commit_callbacks
):
    AttendanceFactory(session=session, member=ProjectMemberFactory(email="lea@exemple.fr"))
    with time_machine.travel(datetime.datetime(2026, 11, 1, 10, tzinfo=PARIS), tick=False):
        client.force_login(staff)
        page = edit_page(client, session)
        with django_capture_on_commit_callbacks(execute=True):
            # Recording where and when it really took place, after the fact.
            response = submit(client, page, {"date": "2026-10-14"}, button="submit", follow=True)
    session.refresh_from_db()
    assert session.date == D(2026, 10, 14)
    assert mail.outbox == []
    assert "prévenu·es" not in response.content.decode()


def test_the_generator_run_again_adds_no_second_day_to_a_month_whose_day_was_moved(client, staff, cohort, venue):
    ProjectMemberFactory(project=ProjectFactory(cohort=cohort))
    client.force_login(staff)
    preview = submit(client, calendar_page(client, cohort), {"venues": [venue.pk]}, button="preview")
    submit(client, preview, button="save")
    october = cohort.training_sessions.get(date=D(2026, 10, 13))
    page = edit_page(client, october)
    assert submit(client, page, {"date": "2026-10-20"}, button="submit").status_code == 302

    again = submit(client, calendar_page(client, cohort), {"venues": [venue.pk]}, button="preview")
    page = again.content.decode()
    assert "mardi 20 octobre 2026" in page and "mardi 13 octobre 2026" not in page
    assert "Toutes ces journées sont déjà au calendrier" in page
    assert cohort.training_sessions.filter(date__year=2026, date__month=10).count() == 1
    assert Attendance.objects.count() == 14


def test_the_rate_counted_with_the_days_is_the_rate_of_their_attendances(cohort, venue):
    morning_only = TrainingSessionFactory(
        cohort=cohort, date=D(2026, 9, 8), venue=venue, afternoon_start=None, afternoon_end=None
    )
    whole_day = TrainingSessionFactory(cohort=cohort, date=D(2026, 9, 15), venue=venue)
    empty = TrainingSessionFactory(cohort=cohort, date=D(2026, 9, 22), venue=venue)
    marks = [
        ("present", "present", "confirmed"),
        ("absent", "", "declined"),
        ("", "present", "declined"),
        ("excused", "absent", "invited"),
    ]
    for day in (morning_only, whole_day):
        for morning, afternoon, response in marks:
            AttendanceFactory(
                session=day, member=ProjectMemberFactory(), morning=morning, afternoon=afternoon, response=response
            )
    days = services.with_attendance_rate_counts(TrainingSession.objects.filter(cohort=cohort))
    expected = services.session_attendance_rates([morning_only.pk, whole_day.pk, empty.pk])
    assert {day.pk: services.session_rate(day) for day in days} == {
        morning_only.pk: expected[morning_only.pk],
        whole_day.pk: expected[whole_day.pk],
        empty.pk: services.Rate(),
    }

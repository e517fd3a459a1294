"""Venues and trainers belong to a partner structure: the programmes it takes part in use them, its staff alone
change them."""

import pytest
from django.urls import reverse

from tests.factories import (
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    StaffFactory,
    SuperuserFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
    VenueFactory,
)
from tests.forms import submit
from trainings.models import Trainer, Venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """Programme P run by structures A and B; programme Q run by C alone."""
    a, b, c = (PartnerStructureFactory(name=name) for name in ("CAE Prisme", "Alter'Incub", "Autre Scop"))
    ProgrammeFactory(partners=[a, b])
    ProgrammeFactory(partners=[c])
    return {
        "a": a,
        "b": b,
        "c": c,
        "staff_a": StaffFactory(partner_structure=a),
        "staff_c": StaffFactory(partner_structure=c),
        "venue_a": VenueFactory(name="Bureaux de Prisme", partner_structure=a, contact_name="Accueil"),
        "venue_b": VenueFactory(name="Locaux d'Alter'Incub", partner_structure=b, contact_name="Accueil"),
        "venue_c": VenueFactory(name="Tiers-lieu lointain", partner_structure=c, contact_name="Accueil"),
        "trainer_a": TrainerFactory(name="Claire Vial", partner_structure=a),
        "trainer_b": TrainerFactory(name="Mathieu Roux", partner_structure=b),
        "trainer_c": TrainerFactory(name="Julien Perrin", partner_structure=c),
    }


def edit_urls(world, key):
    return (
        reverse("trainings:venue_update", args=[world[f"venue_{key}"].pk]),
        reverse("trainings:trainer_update", args=[world[f"trainer_{key}"].pk]),
    )


def test_staff_see_the_entries_of_every_structure_of_their_programmes_and_edit_only_their_own(client, world):
    client.force_login(world["staff_a"])
    venues = client.get(reverse("trainings:venue_list"))
    assert {(v.name, v.editable) for v in venues.context["venues"]} == {
        ("Bureaux de Prisme", True),
        ("Locaux d'Alter'Incub", False),
    }
    page = venues.content.decode()
    assert reverse("trainings:venue_update", args=[world["venue_a"].pk]) in page
    assert reverse("trainings:venue_update", args=[world["venue_b"].pk]) not in page
    assert "Fiche tenue par Alter&#x27;Incub" in page
    trainers = client.get(reverse("trainings:trainer_list"))
    assert {(t.name, t.editable) for t in trainers.context["trainers"]} == {
        ("Claire Vial", True),
        ("Mathieu Roux", False),
    }
    assert reverse("trainings:trainer_update", args=[world["trainer_b"].pk]) not in trainers.content.decode()


@pytest.mark.parametrize("key", ["b", "c"])
def test_another_structures_entry_is_not_found_for_editing_and_a_forged_post_changes_nothing(client, world, key):
    client.force_login(world["staff_a"])
    venue_url, trainer_url = edit_urls(world, key)
    assert client.get(venue_url).status_code == 404
    assert client.get(trainer_url).status_code == 404
    # Forged on purpose: no page offers this form to them.
    assert client.post(venue_url, {"name": "Pris", "kind": "other", "address": "x", "commune": "y"}).status_code == 404
    assert client.post(trainer_url, {"name": "Pris"}).status_code == 404
    assert Venue.objects.get(pk=world[f"venue_{key}"].pk).name == world[f"venue_{key}"].name
    assert Trainer.objects.get(pk=world[f"trainer_{key}"].pk).name == world[f"trainer_{key}"].name


def test_staff_of_another_programme_do_not_see_our_entries(client, world):
    client.force_login(world["staff_c"])
    assert [v.name for v in client.get(reverse("trainings:venue_list")).context["venues"]] == ["Tiers-lieu lointain"]
    assert [t.name for t in client.get(reverse("trainings:trainer_list")).context["trainers"]] == ["Julien Perrin"]
    for url in edit_urls(world, "a"):
        assert client.get(url).status_code == 404


def test_staff_edit_their_own_venue_as_the_page_renders_it(client, world):
    client.force_login(world["staff_a"])
    venue_url, trainer_url = edit_urls(world, "a")
    page = client.get(venue_url)
    assert "partner_structure" not in page.context["form"].fields  # the owner is not theirs to hand over
    response = submit(client, page, {"capacity": "40"}, button="submit")
    assert response.status_code == 302
    venue = Venue.objects.get(pk=world["venue_a"].pk)
    assert (venue.capacity, venue.partner_structure) == (40, world["a"])
    response = submit(client, client.get(trainer_url), {"topics": "Gouvernance"}, button="submit")
    assert response.status_code == 302
    assert Trainer.objects.get(pk=world["trainer_a"].pk).topics == "Gouvernance"


def test_what_staff_add_belongs_to_their_structure(client, world):
    client.force_login(world["staff_a"])
    page = client.get(reverse("trainings:venue_create"))
    changes = {
        "name": "La Fabrique",
        "kind": "third_place",
        "address": "3 quai Soubeyran",
        "commune": "Crest",
        "territory": world["venue_a"].territory_id,
    }
    assert submit(client, page, changes, button="submit").status_code == 302
    assert Venue.objects.get(name="La Fabrique").partner_structure == world["a"]
    page = client.get(reverse("trainings:trainer_create"))
    assert submit(client, page, {"name": "Nadia Benali"}, button="submit").status_code == 302
    assert Trainer.objects.get(name="Nadia Benali").partner_structure == world["a"]


def test_a_superuser_sees_and_edits_every_entry_and_chooses_the_owner(client, world):
    client.force_login(SuperuserFactory())
    assert {v.editable for v in client.get(reverse("trainings:venue_list")).context["venues"]} == {True}
    assert len(client.get(reverse("trainings:trainer_list")).context["trainers"]) == 3
    venue_url, _ = edit_urls(world, "c")
    response = submit(client, client.get(venue_url), {"partner_structure": world["b"].pk}, button="submit")
    assert response.status_code == 302
    assert Venue.objects.get(pk=world["venue_c"].pk).partner_structure == world["b"]
    page = client.get(reverse("trainings:trainer_create"))
    response = submit(client, page, {"name": "Sans structure"}, button="submit")
    assert response.status_code == 200
    assert "partner_structure" in response.context["form"].errors
    assert not Trainer.objects.filter(name="Sans structure").exists()


@pytest.mark.parametrize("who", ["anonymous", "coach", "trainer"])
def test_people_who_are_not_staff_open_no_address_book_page(client, world, who):
    if who == "coach":
        client.force_login(CoachFactory(partner_structure=world["a"]))
    elif who == "trainer":
        user = UserFactory()
        world["trainer_a"].user = user
        world["trainer_a"].save()
        client.force_login(user)
    urls = [
        reverse("trainings:venue_list"),
        reverse("trainings:venue_create"),
        reverse("trainings:trainer_list"),
        reverse("trainings:trainer_create"),
        *edit_urls(world, "a"),
    ]
    for url in urls:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
        else:
            assert response.status_code == 403, url
    assert client.post(urls[-2], {"name": "Pris"}).status_code in (302, 403)
    assert Venue.objects.get(pk=world["venue_a"].pk).name == "Bureaux de Prisme"


def test_a_day_offers_the_venues_and_trainers_of_its_programmes_structures_only(client, world):
    programme = world["a"].programmes.get()
    session = TrainingSessionFactory(cohort=CohortFactory(programme=programme), venue=world["venue_a"])
    client.force_login(world["staff_a"])
    form = client.get(reverse("trainings:session_update", args=[session.pk])).context["form"]
    assert set(form.fields["venue"].queryset) == {world["venue_a"], world["venue_b"]}
    assert set(form.fields["trainers"].queryset) == {world["trainer_a"], world["trainer_b"]}


@pytest.mark.parametrize("extra", [0, 10])
def test_the_lists_run_the_same_queries_with_ten_times_the_entries(client, world, django_assert_max_num_queries, extra):
    client.force_login(world["staff_a"])
    for _ in range(extra):
        VenueFactory(partner_structure=world["b"])
        TrainerFactory(partner_structure=world["b"])
    # 2 session and user, 1 venues with territory and structure (the programmes are a subquery) = 3
    with django_assert_max_num_queries(3):
        response = client.get(reverse("trainings:venue_list"))
    assert len(response.context["venues"]) == 2 + extra
    # 2 session and user, 1 the programmes' territories, 1 trainers with territory and structure = 4
    with django_assert_max_num_queries(4):
        response = client.get(reverse("trainings:trainer_list"))
    assert len(response.context["trainers"]) == 2 + extra

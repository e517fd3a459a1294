"""Staff and reviewers: the candidacy list, the detail page, the scoring grid, the decisions."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import (
    Candidacy,
    Criterion,
    DecisionMessage,
    Project,
    ProjectMember,
    Review,
    ReviewScore,
    Sector,
    StatusChange,
)
from projects.views import staff as staff_views
from tests.factories import (
    AttachmentFactory,
    CandidacyFactory,
    CandidacyMemberFactory,
    CoachFactory,
    CohortFactory,
    DraftFactory,
    ProgrammeFactory,
    ProjectFactory,
    StaffFactory,
    SuperuserFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.forms import submit

pytestmark = pytest.mark.django_db

Status = Candidacy.Status
ALL_FOURS = {criterion: 4 for criterion in Criterion.values}


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027")


@pytest.fixture
def reviewer(structure):
    return CoachFactory(partner_structure=structure, is_reviewer=True, first_name="Rémi", last_name="Relecteur")


@pytest.fixture
def candidacy(cohort):
    candidacy = CandidacyFactory(cohort=cohort, project_name="Le garage des Collines")
    CandidacyMemberFactory(candidacy=candidacy, name="Lucie Bernard", email="lucie@exemple.fr", role="Présidente")
    CandidacyMemberFactory(candidacy=candidacy, name="Omar Haddad", email="omar@exemple.fr", role="Mécanicien")
    return candidacy


@pytest.fixture
def attachment(candidacy):
    return AttachmentFactory(candidacy=candidacy)


def grid(score=3, **overrides):
    """A whole grid as a hand-built POST, for the access checks only (most of those people never see it)."""
    data = {"action": "score"}
    for criterion in Criterion.values:
        data[f"score_{criterion}"] = str(score)
        data[f"comment_{criterion}"] = ""
    data.update(overrides)
    return data


def score(client, page, score=3, *, follow=False, **overrides):
    """Type `score` in every box of the page's grid (and the overrides), then send it."""
    changes = {f"score_{criterion}": str(score) for criterion in Criterion.values}
    changes.update(overrides)
    return submit(client, page, changes, field="action=score", follow=follow)


def detail(candidacy):
    return reverse("projects:candidacy_detail", args=[candidacy.pk])


def every_request(candidacy, attachment):
    """(name, method, url, data) for each staff view, with data that would succeed for staff.

    Hand-built on purpose: these check the door, and most of the people knocking are never shown the forms."""
    return [
        ("list", "get", reverse("projects:candidacy_list"), None),
        ("detail", "get", detail(candidacy), None),
        ("review", "post", reverse("projects:candidacy_review", args=[candidacy.pk]), grid()),
        (
            "transition",
            "post",
            reverse("projects:candidacy_transition", args=[candidacy.pk]),
            {"to_status": Status.UNDER_REVIEW, "note": ""},
        ),
        (
            "download",
            "get",
            reverse("projects:attachment_download", args=[candidacy.pk, attachment.pk]),
            None,
        ),
        (
            "decision_messages",
            "get",
            reverse("projects:decision_messages", args=[candidacy.cohort.programme.pk]),
            None,
        ),
    ]


def send(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


# --- Who may open what ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, candidacy, attachment):
    for name, method, url, data in every_request(candidacy, attachment):
        response = send(client, method, url, data)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
    assert not Review.objects.exists()
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("who", ["plain coach", "no role"])
def test_coaches_who_do_not_review_and_people_without_a_role_are_refused(client, candidacy, attachment, who):
    user = CoachFactory(partner_structure=candidacy.cohort.programme.partners.get()) if who == "plain coach" else None
    client.force_login(user or UserFactory())
    for name, method, url, data in every_request(candidacy, attachment):
        response = send(client, method, url, data)
        assert response.status_code == 403, name
        assert "Accès refusé" in response.content.decode()
    assert not Review.objects.exists()


def test_a_reviewer_coach_reads_and_scores_but_neither_decides_nor_downloads(client, candidacy, attachment, reviewer):
    client.force_login(reviewer)
    expected = {
        "list": 200,
        "detail": 200,
        "review": 302,
        "transition": 403,
        "download": 403,
        "decision_messages": 403,
    }
    for name, method, url, data in every_request(candidacy, attachment):
        assert send(client, method, url, data).status_code == expected[name], name
    assert Review.objects.get().reviewer == reviewer
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_staff_and_superusers_open_everything(client, candidacy, attachment, staff, who):
    client.force_login(staff if who == "staff" else SuperuserFactory())
    expected = {
        "list": 200,
        "detail": 200,
        "review": 302,
        "transition": 302,
        "download": 200,
        "decision_messages": 200,
    }
    for name, method, url, data in every_request(candidacy, attachment):
        assert send(client, method, url, data).status_code == expected[name], name
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.UNDER_REVIEW


@pytest.mark.parametrize("factory", [StaffFactory, lambda: CoachFactory(is_reviewer=True)])
def test_people_of_another_structure_get_not_found(client, candidacy, attachment, factory):
    user = factory()
    client.force_login(user)
    for name, method, url, data in every_request(candidacy, attachment):
        response = send(client, method, url, data)
        if name == "list":
            assert response.status_code == 200
            assert candidacy.project_name not in response.content.decode()
        elif user.is_programme_staff or name in {"detail", "review"}:
            assert response.status_code == 404, name
        else:
            assert response.status_code == 403, name  # refused by role before the candidacy is even looked up
    assert not Review.objects.exists()
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.SUBMITTED


def test_a_draft_is_not_a_candidacy_yet(client, cohort, staff):
    draft = DraftFactory(cohort=cohort, project_name="Brouillon secret")
    client.force_login(staff)
    assert client.get(detail(draft)).status_code == 404
    assert "Brouillon secret" not in client.get(reverse("projects:candidacy_list")).content.decode()


def test_the_menu_offers_candidacies_to_reviewers_only(client, structure, staff, reviewer):
    url = reverse("projects:candidacy_list")
    for user, shown in [(staff, True), (reviewer, True), (CoachFactory(partner_structure=structure), False)]:
        client.force_login(user)
        assert (f'href="{url}"' in client.get(reverse("privacy")).content.decode()) is shown, user


# --- The list: filters, counts, pages --------------------------------------------------------------


@pytest.fixture
def listing(programme, cohort):
    older = CohortFactory(programme=programme, name="Saison 2025-2026", start_date=datetime.date(2025, 9, 1))
    drome, ardeche = (
        TerritoryFactory(name="Drôme", department_code="26"),
        TerritoryFactory(name="Ardèche", department_code="07"),
    )
    return {
        "older": older,
        "drome": drome,
        "ardeche": ardeche,
        "garage": CandidacyFactory(
            cohort=cohort,
            project_name="Garage des Collines",
            territory=drome,
            sector=Sector.SOLIDARITY_GARAGE,
            contact_name="Lucie Bernard",
            contact_email="lucie.bernard@exemple.fr",
            summary="Réparer les voitures à petit prix.",
        ),
        "cantine": CandidacyFactory(
            cohort=cohort,
            project_name="Cantine paysanne",
            territory=ardeche,
            sector=Sector.FOOD,
            status=Status.SHORTLISTED,
        ),
        "cafe": CandidacyFactory(
            cohort=older,
            project_name="Café du village",
            territory=drome,
            status=Status.REJECTED,
            reference="2025-ZZZ99",
        ),
        "draft": DraftFactory(cohort=cohort, project_name="Brouillon pas encore envoyé"),
        "elsewhere": CandidacyFactory(project_name="Projet d'un autre programme"),
    }


def listed(client, **params):
    """Open the list, choose `params` in its filters, press the button; the page and the names listed."""
    page = client.get(reverse("projects:candidacy_list"))
    response = submit(client, page, params, field="q")
    assert response.status_code == 200
    return response, {c.project_name for c in response.context["candidacies"]}


def forged_listing(client, **params):
    """A list address with filters its form does not offer (forged on purpose, or an old bookmark)."""
    response = client.get(reverse("projects:candidacy_list"), params)
    assert response.status_code == 200
    return response, {c.project_name for c in response.context["candidacies"]}


def test_the_list_shows_received_candidacies_of_the_programme_only(client, staff, listing):
    client.force_login(staff)
    _response, names = listed(client)
    assert names == {"Garage des Collines", "Cantine paysanne", "Café du village"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "shortlisted"}, {"Cantine paysanne"}),
        ({"sector": "food"}, {"Cantine paysanne"}),
        ({"q": "collines"}, {"Garage des Collines"}),
        ({"q": "2025-zzz"}, {"Café du village"}),
        ({"q": "lucie.bernard@"}, {"Garage des Collines"}),
        ({"q": "Lucie Bernard"}, {"Garage des Collines"}),
        ({"q": "voitures"}, {"Garage des Collines"}),
        ({"q": "introuvable"}, set()),
    ],
)
def test_the_list_filters(client, staff, listing, params, expected):
    client.force_login(staff)
    assert listed(client, **params)[1] == expected


def test_the_list_filters_on_season_and_territory(client, staff, listing, cohort):
    client.force_login(staff)
    assert listed(client, season=cohort.pk)[1] == {"Garage des Collines", "Cantine paysanne"}
    assert listed(client, season=listing["older"].pk)[1] == {"Café du village"}
    assert listed(client, territory=listing["drome"].pk)[1] == {"Garage des Collines", "Café du village"}
    assert listed(client, territory=listing["ardeche"].pk, season=cohort.pk)[1] == {"Cantine paysanne"}


def test_another_programmes_season_is_not_a_choice(client, staff, listing):
    client.force_login(staff)
    response, names = forged_listing(client, season=listing["elsewhere"].cohort.pk)
    assert names == set()
    page = response.content.decode()
    assert "Cette saison n&#x27;est pas dans la liste" in page
    assert "Projet d&#x27;un autre programme" not in page


def test_a_nonsense_status_filter_gets_a_french_message(client, staff, listing):
    client.force_login(staff)
    response, names = forged_listing(client, status="<script>")
    assert names == set()
    assert "Un filtre n'est pas valide" in response.content.decode()


def counts(response):
    return {item.status: item.count for item in response.context["status_counts"]}, response.context["total"]


def test_counts_per_status_follow_the_season_filter(client, staff, listing, cohort):
    client.force_login(staff)
    per_status, total = counts(listed(client, season=cohort.pk)[0])
    assert total == 2
    assert per_status == {
        "submitted": 1,
        "under_review": 0,
        "shortlisted": 1,
        "accepted": 0,
        "rejected": 0,
        "withdrawn": 0,
    }
    per_status, total = counts(listed(client)[0])
    assert (total, per_status["rejected"], per_status["submitted"]) == (3, 1, 1)
    # The counts are the badges staff click to narrow the list to one state.
    response, _names = listed(client, season=cohort.pk, status="submitted")
    assert counts(response)[1] == 2
    assert 'data-status="shortlisted">1<' in response.content.decode()


def test_the_list_has_25_candidacies_per_page_and_keeps_the_filters(client, staff, cohort):
    CandidacyFactory.create_batch(30, cohort=cohort)
    client.force_login(staff)
    response = client.get(reverse("projects:candidacy_list"), {"season": cohort.pk})
    assert len(response.context["candidacies"]) == 25
    assert f"?season={cohort.pk}&amp;page=2" in response.content.decode()
    response = client.get(reverse("projects:candidacy_list"), {"season": cohort.pk, "page": 2})
    assert len(response.context["candidacies"]) == 5
    assert "Page 2 sur 2" in response.content.decode()
    for mistyped, shown in [("abc", 1), ("99", 2), ("-1", 2)]:
        response = client.get(reverse("projects:candidacy_list"), {"page": mistyped})
        assert response.status_code == 200
        assert response.context["page_obj"].number == shown, mistyped


def caption(response):
    return response.content.decode().split("<caption>")[1].split("</caption>")[0]


def test_the_list_says_how_many_candidacies_match(client, staff, listing, cohort):
    client.force_login(staff)
    for params, expected in [
        ({}, "3 candidatures correspondent aux filtres."),
        ({"season": cohort.pk}, "2 candidatures correspondent aux filtres."),
        ({"status": "shortlisted"}, "1 candidature correspond aux filtres."),
        ({"season": cohort.pk, "status": "submitted"}, "1 candidature correspond aux filtres."),
        ({"territory": listing["drome"].pk}, "2 candidatures correspondent aux filtres."),
        ({"q": "garage"}, "1 candidature correspond aux filtres."),
    ]:
        response, names = listed(client, **params)
        assert caption(response) == expected, params
        assert response.context["paginator"].count == len(names), params


def test_a_search_matching_many_candidacies_counts_them_up_to_a_bound_and_says_so(client, staff, cohort, monkeypatch):
    monkeypatch.setattr(staff_views, "SEARCH_COUNTED", 30)
    CandidacyFactory.create_batch(32, cohort=cohort, summary="Une ressourcerie de quartier.")
    CandidacyFactory(cohort=cohort, summary="Une épicerie.")
    client.force_login(staff)
    response, names = listed(client, q="ressourcerie")
    assert len(names) == 25
    assert caption(response) == "Plus de 30 candidatures correspondent aux filtres."
    page = response.content.decode()
    assert "Page 1<" in page and "Page 1 sur" not in page
    assert 'page=2">Suivante</a>' in page
    # The next page shows the rest, counted far enough to know there is no page after it.
    response = client.get(reverse("projects:candidacy_list"), {"q": "ressourcerie", "page": 2})
    assert len(response.context["candidacies"]) == 7
    assert caption(response) == "32 candidatures correspondent aux filtres."
    assert "Page 2 sur 2" in response.content.decode()
    # Few matches are counted exactly, as before.
    monkeypatch.setattr(staff_views, "SEARCH_COUNTED", 100)
    response, _names = listed(client, q="ressourcerie")
    assert caption(response) == "32 candidatures correspondent aux filtres."
    assert "Page 1 sur 2" in response.content.decode()


def test_the_list_links_staff_to_the_decision_messages_of_their_programmes(client, staff, reviewer, programme):
    url = reverse("projects:decision_messages", args=[programme.pk])
    client.force_login(staff)
    assert url in client.get(reverse("projects:candidacy_list")).content.decode()
    client.force_login(reviewer)
    assert url not in client.get(reverse("projects:candidacy_list")).content.decode()


def add_candidacies(cohorts, territories, reviewers, count):
    for number in range(count):
        candidacy = CandidacyFactory(cohort=cohorts[number % 2], territory=territories[number % 2])
        if number % 3 == 0:
            services.save_review(candidacy=candidacy, reviewer=reviewers[number % 2], scores=ALL_FOURS, comments={})


def test_the_list_runs_the_same_queries_with_10_or_200_candidacies(
    client, programme, cohort, staff, reviewer, django_assert_max_num_queries
):
    cohorts = [cohort, CohortFactory(programme=programme, start_date=datetime.date(2025, 9, 1))]
    territories = [TerritoryFactory(name="Drôme", department_code="26"), TerritoryFactory(name="Ardèche")]
    client.force_login(staff)
    url = reverse("projects:candidacy_list")
    add_candidacies(cohorts, territories, [staff, reviewer], 10)
    # 8 = session + user; the chosen season, checked against the person's own seasons; the one aggregate
    # of counts per status (filtered by season and state at most, it is also the paginator's count); the
    # programmes for the decision-message links; the options of the season and territory filters; the page of
    # candidacies (season, programme and territory joined; review count and the person's own review as
    # subqueries).
    with django_assert_max_num_queries(8):
        assert client.get(url, {"season": cohort.pk}).status_code == 200
    add_candidacies(cohorts, territories, [staff, reviewer], 190)
    with django_assert_max_num_queries(8):
        response = client.get(url, {"season": cohort.pk})
    assert len(response.context["candidacies"]) == 25


# --- The detail page ----------------------------------------------------------------------------------


def test_the_detail_page_shows_every_answer_and_the_team(client, candidacy, attachment, staff):
    client.force_login(staff)
    page = client.get(detail(candidacy)).content.decode()
    for text in [
        candidacy.project_name,
        candidacy.reference,
        "Une association de huit habitants.",
        "Café associatif, location de salles, subventions.",
        "Aucun lieu de rencontre à moins de 20 km.",
        "La mairie et l&#x27;école sont partenaires.",
        "Construire le modèle économique.",
        "Dieulefit",
        "Lucie Bernard",
        "Omar Haddad",
        "Mécanicien",
        "Camille Martin",
    ]:
        assert text in page, text
    assert reverse("projects:attachment_download", args=[candidacy.pk, attachment.pk]) in page


def fill(candidacy, structure, count):
    for _number in range(count):
        CandidacyMemberFactory(candidacy=candidacy)
        AttachmentFactory(candidacy=candidacy)
        services.save_review(
            candidacy=candidacy, reviewer=StaffFactory(partner_structure=structure), scores=ALL_FOURS, comments={}
        )


def test_the_detail_page_runs_the_same_queries_with_1_or_10_reviews(
    client, structure, candidacy, staff, django_assert_max_num_queries
):
    services.save_review(candidacy=candidacy, reviewer=staff, scores=ALL_FOURS, comments={Criterion.NEED: "Oui."})
    services.change_status(candidacy=candidacy, to_status=Status.UNDER_REVIEW, by=staff)
    fill(candidacy, structure, 1)
    client.force_login(staff)
    # 9 = session + user; the candidacy with its season, programme and territory; its team, documents and
    # history (with who), prefetched; the reviews with their reviewers, and their scores; the one aggregate
    # of averages per criterion. Then the audit trail staff read: its entries with their authors (1), one query
    # per kind of row its changes point to (seasons, territories, candidacies, reviewers: 4), and the two kinds
    # of entry (candidacy, review) the first time a process meets them (2, cached after): 9 + 7 = 16. Then the
    # staff notes on the candidacy (1) and the latest messages of its conversation (1): 18.
    with django_assert_max_num_queries(18):
        assert client.get(detail(candidacy)).status_code == 200
    fill(candidacy, structure, 10)
    with django_assert_max_num_queries(18):
        page = client.get(detail(candidacy)).content.decode()
    assert page.count('data-criterion="need">4,0<') == 1


def test_a_reviewer_coach_sees_the_documents_names_without_links_nor_decision_buttons(
    client, candidacy, attachment, reviewer
):
    client.force_login(reviewer)
    page = client.get(detail(candidacy)).content.decode()
    assert attachment.original_name in page
    assert reverse("projects:attachment_download", args=[candidacy.pk, attachment.pk]) not in page
    assert reverse("projects:candidacy_transition", args=[candidacy.pk]) not in page


def test_html_typed_by_an_applicant_is_shown_escaped(client, cohort, staff):
    candidacy = CandidacyFactory(
        cohort=cohort, project_name="<script>alert('nom')</script>", summary="<img src=x onerror=alert(1)>"
    )
    client.force_login(staff)
    for url in [detail(candidacy), reverse("projects:candidacy_list")]:
        page = client.get(url).content.decode()
        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(&#x27;nom&#x27;)&lt;/script&gt;" in page
    page = client.get(detail(candidacy)).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


# --- The scoring grid --------------------------------------------------------------------------------


def test_others_scores_are_hidden_until_the_reviewer_has_scored(client, candidacy, staff, reviewer):
    services.save_review(
        candidacy=candidacy,
        reviewer=staff,
        scores=ALL_FOURS,
        comments={Criterion.TEAM: "Une équipe soudée, déjà à l'œuvre."},
    )
    client.force_login(reviewer)
    page = client.get(detail(candidacy)).content.decode()
    assert "Une équipe soudée" not in page
    assert "Moyenne" not in page
    assert "une fois votre propre grille complète" in page

    response = score(client, client.get(detail(candidacy)), 2)
    assert response.status_code == 302
    page = client.get(detail(candidacy)).content.decode()
    assert "Une équipe soudée" in page
    assert "Moyenne" in page
    # (4 + 2) / 2, written the French way.
    for criterion in Criterion.values:
        assert f'data-criterion="{criterion}">3,0<' in page
    assert set(ReviewScore.objects.filter(review__reviewer=reviewer).values_list("score", flat=True)) == {2}


def test_a_reviewer_may_change_their_grid_while_the_candidacy_is_read(client, candidacy, reviewer):
    client.force_login(reviewer)
    score(client, client.get(detail(candidacy)), 1, comment_team="Une équipe soudée.")
    # Reopened: the grid shows the saved scores and comments, and only what is changed changes.
    score(client, client.get(detail(candidacy)), 5, comment_need="Un vrai besoin.")
    review = Review.objects.get(reviewer=reviewer)
    assert review.scores.get(criterion=Criterion.TEAM).comment == "Une équipe soudée."
    assert review.scores.count() == len(Criterion.values)
    assert review.scores.get(criterion=Criterion.NEED).comment == "Un vrai besoin."
    assert set(review.scores.values_list("score", flat=True)) == {5}


def test_a_conflicted_reviewer_cannot_score_and_sees_nobodys_scores(client, candidacy, staff, reviewer):
    services.save_review(
        candidacy=candidacy, reviewer=staff, scores=ALL_FOURS, comments={Criterion.NEED: "Besoin criant."}
    )
    client.force_login(reviewer)
    page = client.get(detail(candidacy))
    other_tab = client.get(detail(candidacy))  # the grid, still open in another tab

    response = submit(client, page, {"note": "Je connais la présidente."}, field="action=conflict")
    assert response.status_code == 200
    assert "Cochez la case pour déclarer le conflit d&#x27;intérêts." in response.content.decode()
    assert not Review.objects.filter(reviewer=reviewer).exists()

    response = submit(client, response, {"confirm": True}, field="action=conflict")
    assert response.status_code == 302
    review = Review.objects.get(reviewer=reviewer)
    assert (review.conflict_of_interest, review.conflict_note) == (True, "Je connais la présidente.")

    response = submit(client, other_tab, {"score_need": "5"}, field="action=score", follow=True)
    assert "vous avez déclaré un conflit d&#x27;intérêts" in response.content.decode().lower()
    assert not ReviewScore.objects.filter(review__reviewer=reviewer).exists()
    page = client.get(detail(candidacy)).content.decode()
    assert "Besoin criant." not in page
    assert "Moyenne" not in page
    assert 'name="score_need"' not in page


def test_declaring_a_conflict_drops_the_scores_already_given(candidacy, reviewer):
    services.save_review(candidacy=candidacy, reviewer=reviewer, scores=ALL_FOURS, comments={})
    services.declare_conflict(candidacy=candidacy, reviewer=reviewer, note="")
    assert not ReviewScore.objects.filter(review__reviewer=reviewer).exists()
    with pytest.raises(services.ConflictOfInterest):
        services.save_review(candidacy=candidacy, reviewer=reviewer, scores=ALL_FOURS, comments={})


def test_averages_take_one_query_and_ignore_conflicted_reviews(candidacy, staff, reviewer, django_assert_num_queries):
    services.save_review(candidacy=candidacy, reviewer=staff, scores=ALL_FOURS, comments={})
    services.save_review(candidacy=candidacy, reviewer=reviewer, scores={**ALL_FOURS, Criterion.TEAM: 1}, comments={})
    # Scores left on a conflicted review (from before the rule, or the admin) must not count.
    conflicted = Review.objects.create(candidacy=candidacy, reviewer=StaffFactory(), conflict_of_interest=True)
    ReviewScore.objects.create(review=conflicted, criterion=Criterion.TEAM, score=0)
    # One aggregate with an average per criterion.
    with django_assert_num_queries(1):
        averages = services.criterion_averages(candidacy)
    assert averages[Criterion.TEAM] == pytest.approx(2.5)
    assert averages[Criterion.NEED] == pytest.approx(4)


@pytest.mark.parametrize(("typed", "message"), [("6", "5 au plus"), ("-1", "0 au moins"), ("quatre", "nombre entier")])
def test_a_score_out_of_range_is_refused_in_french_and_what_was_typed_stays(
    client, candidacy, reviewer, typed, message
):
    client.force_login(reviewer)
    # "quatre" is what a browser without number inputs, or a robot, sends; a browser would send "".
    page = client.get(detail(candidacy))
    response = score(client, page, 3, score_collective=typed, comment_collective="Mon avis, long à écrire.")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Une note" in page
    assert f'value="{typed}"' in page
    assert "Mon avis, long à écrire." in page
    assert not Review.objects.exists()


def test_a_grid_with_a_missing_score_is_not_saved(client, candidacy, reviewer):
    client.force_login(reviewer)
    response = score(client, client.get(detail(candidacy)), 3, score_team="")
    assert response.status_code == 200
    assert "Donnez une note de 0 à 5 à ce critère." in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN])
def test_reviews_are_closed_once_the_decision_is_taken(client, cohort, reviewer, status):
    candidacy = CandidacyFactory(cohort=cohort, status=Status.SHORTLISTED)
    client.force_login(reviewer)
    page = client.get(detail(candidacy))  # opened before the decision, sent after it
    Candidacy.objects.filter(pk=candidacy.pk).update(status=status)
    response = score(client, page, 3, follow=True)
    assert "les évaluations sont closes" in response.content.decode()
    assert not Review.objects.exists()
    with pytest.raises(services.ReviewClosed):
        services.save_review(candidacy=candidacy, reviewer=reviewer, scores=ALL_FOURS, comments={})


# --- Decisions ----------------------------------------------------------------------------------------


def decide(client, candidacy, to_status, *, page=None, **changes):
    """Open the candidacy (unless `page` is already open), type the note, press the decision's button."""
    page = page or client.get(detail(candidacy))
    return submit(client, page, changes, button=f"to_status={to_status}")


def test_a_transition_is_recorded_with_who_when_and_the_note(client, candidacy, staff):
    client.force_login(staff)
    before = timezone.now()
    response = decide(client, candidacy, Status.UNDER_REVIEW, note="Dossier complet, à lire en comité.")
    assert response.status_code == 302
    change = StatusChange.objects.get(candidacy=candidacy, to_status=Status.UNDER_REVIEW)
    assert (change.from_status, change.by, change.note) == (
        Status.SUBMITTED,
        staff,
        "Dossier complet, à lire en comité.",
    )
    assert before <= change.at <= timezone.now()
    page = client.get(detail(candidacy)).content.decode()
    assert "Dossier complet, à lire en comité." in page
    assert str(staff) in page
    assert timezone.localtime(change.at).strftime("%d/%m/%Y") in page


def test_a_transition_says_where_the_candidacy_now_stands(client, candidacy, staff):
    client.force_login(staff)
    response = submit(client, client.get(detail(candidacy)), button=f"to_status={Status.UNDER_REVIEW}", follow=True)
    assert "La candidature est maintenant « À l&#x27;étude »." in response.content.decode()


def test_a_transition_not_allowed_gets_a_french_message_and_changes_nothing(client, candidacy, staff):
    Candidacy.objects.filter(pk=candidacy.pk).update(status=Status.UNDER_REVIEW)
    client.force_login(staff)
    page = client.get(detail(candidacy))  # opened while under review; a colleague shortlists it meanwhile
    Candidacy.objects.filter(pk=candidacy.pk).update(status=Status.SHORTLISTED)
    response = decide(client, candidacy, Status.SHORTLISTED, page=page, note="Trop vite ?")
    assert response.status_code == 200
    page = response.content.decode()
    assert "ne peut pas passer à « Présélectionnée »" in page
    assert "Trop vite ?" in page  # the note typed is still there
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.SHORTLISTED
    assert not StatusChange.objects.filter(candidacy=candidacy).exists()
    assert not Project.objects.exists()


def test_a_note_typed_for_a_decision_a_colleague_took_first_is_not_lost(client, candidacy, staff):
    Candidacy.objects.filter(pk=candidacy.pk).update(status=Status.SHORTLISTED)
    client.force_login(staff)
    page = client.get(detail(candidacy))  # opened while shortlisted; a colleague turns it down meanwhile
    Candidacy.objects.filter(pk=candidacy.pk).update(status=Status.REJECTED)
    response = decide(client, candidacy, Status.ACCEPTED, page=page, note="Un projet solide, à retenir.")
    assert response.status_code == 200
    page = response.content.decode()
    assert "ne peut pas passer à « Retenue »" in page
    assert "Un projet solide, à retenir." in page
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.REJECTED


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("zzz", "Cette décision n&#x27;existe pas : choisissez parmi les boutons proposés."),
        ("draft", "Cette décision n&#x27;existe pas : choisissez parmi les boutons proposés."),
        ("", "Choisissez une décision parmi les boutons proposés."),
    ],
)
def test_a_nonsense_decision_gets_a_french_message(client, candidacy, staff, value, message):
    client.force_login(staff)
    # Forged on purpose: the page offers only its own buttons.
    response = client.post(reverse("projects:candidacy_transition", args=[candidacy.pk]), {"to_status": value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.SUBMITTED


def test_accepting_creates_the_project_with_its_team(client, candidacy, staff):
    Candidacy.objects.filter(pk=candidacy.pk).update(status=Status.SHORTLISTED)
    client.force_login(staff)
    response = decide(client, candidacy, Status.ACCEPTED, note="Bienvenue !")
    assert response.status_code == 302
    project = Project.objects.get()
    assert (project.cohort, project.candidacy, project.name, project.sector, project.territory, project.commune) == (
        candidacy.cohort,
        candidacy,
        "Le garage des Collines",
        candidacy.sector,
        candidacy.territory,
        "Dieulefit",
    )
    members = ProjectMember.objects.filter(project=project)
    assert sorted(members.values_list("name", "email", "role")) == [
        ("Lucie Bernard", "lucie@exemple.fr", "Présidente"),
        ("Omar Haddad", "omar@exemple.fr", "Mécanicien"),
    ]
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.ACCEPTED


def test_accepting_beyond_the_places_needs_an_explicit_confirmation(client, programme, staff):
    cohort = CohortFactory(programme=programme, places=1)
    ProjectFactory(cohort=cohort)
    candidacy = CandidacyFactory(cohort=cohort, status=Status.SHORTLISTED)
    client.force_login(staff)

    response = decide(client, candidacy, Status.ACCEPTED, note="Projet très solide.")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"« {cohort.name} » compte 1 place et 1 projet y est déjà retenu." in page
    assert 'name="confirm_over_capacity"' in page
    assert "Projet très solide." in page
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.SHORTLISTED
    assert cohort.projects.count() == 1

    response = submit(client, response, {"confirm_over_capacity": True}, action="/decision/")
    assert response.status_code == 302
    assert Candidacy.objects.get(pk=candidacy.pk).status == Status.ACCEPTED
    assert cohort.projects.filter(candidacy=candidacy).exists()


def test_the_decision_email_uses_the_text_staff_wrote(
    client, candidacy, staff, programme, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    submit(
        client,
        client.get(reverse("projects:decision_messages", args=[programme.pk])),
        {
            "shortlisted_subject": "{projet} : vous êtes présélectionnés",
            "shortlisted_body": "Bonjour, « {projet} » ({reference}) passe à l'entretien pour la {saison}. Suivi : {lien_suivi}",
        },
        field="shortlisted_subject",
    )
    Candidacy.objects.filter(pk=candidacy.pk).update(status=Status.UNDER_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(client, candidacy, Status.SHORTLISTED).status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [candidacy.contact_email]
    assert message.subject == "Le garage des Collines : vous êtes présélectionnés"
    assert f"« Le garage des Collines » ({candidacy.reference}) passe à l'entretien pour la Saison 2026-2027." in (
        message.body
    )
    assert "/projets/candidature/" in message.body


def test_without_a_saved_text_the_french_default_is_sent(client, candidacy, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, candidacy, Status.REJECTED)
    assert [message.subject for message in mail.outbox] == ["Votre candidature « Le garage des Collines »"]
    assert "Merci pour votre candidature" in mail.outbox[0].body


def test_moving_to_review_sends_no_email(client, candidacy, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, candidacy, Status.UNDER_REVIEW)
    assert mail.outbox == []


# --- Documents ------------------------------------------------------------------------------------------


def test_staff_download_a_document_as_an_attachment(client, candidacy, attachment, staff):
    client.force_login(staff)
    response = client.get(reverse("projects:attachment_download", args=[candidacy.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n% un dossier de candidature\n"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Dossier de candidature.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_document_is_only_reachable_through_its_own_candidacy(client, candidacy, cohort, staff):
    other = AttachmentFactory(candidacy=CandidacyFactory(cohort=cohort))
    client.force_login(staff)
    assert client.get(reverse("projects:attachment_download", args=[candidacy.pk, other.pk])).status_code == 404


def test_a_document_missing_from_storage_is_not_found_rather_than_an_error(client, candidacy, attachment, staff):
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(staff)
    response = client.get(reverse("projects:attachment_download", args=[candidacy.pk, attachment.pk]))
    assert response.status_code == 404


# --- Decision e-mails --------------------------------------------------------------------------------


def test_decision_messages_start_from_the_default_texts_and_explain_the_placeholders(client, staff, programme):
    client.force_login(staff)
    page = client.get(reverse("projects:decision_messages", args=[programme.pk])).content.decode()
    assert "Bonne nouvelle : votre candidature « {projet} »" in page
    for placeholder in ["{projet}", "{saison}", "{reference}", "{lien_suivi}"]:
        assert f"<code>{placeholder}</code>" in page


def messages_data(**overrides):
    data = {}
    for kind in ["shortlisted", "accepted", "rejected"]:
        data[f"{kind}_subject"] = f"Objet {kind} {{projet}}"
        data[f"{kind}_body"] = f"Texte {kind} : {{lien_suivi}}"
    data.update(overrides)
    return data


def edit_messages(client, url, changes):
    return submit(client, client.get(url), changes, field="shortlisted_subject")


def test_decision_messages_are_saved_once_per_decision(client, staff, programme):
    client.force_login(staff)
    url = reverse("projects:decision_messages", args=[programme.pk])
    assert edit_messages(client, url, messages_data()).status_code == 302
    # Reopened: the saved texts are shown, and only the one changed changes.
    assert edit_messages(client, url, {"rejected_body": "Nouveau texte"}).status_code == 302
    saved = dict(DecisionMessage.objects.filter(programme=programme).values_list("kind", "body"))
    assert saved == {
        "shortlisted": "Texte shortlisted : {lien_suivi}",
        "accepted": "Texte accepted : {lien_suivi}",
        "rejected": "Nouveau texte",
    }
    assert "Nouveau texte" in client.get(url).content.decode()


def test_an_unknown_placeholder_is_refused_in_french_and_the_text_stays(client, staff, programme):
    client.force_login(staff)
    url = reverse("projects:decision_messages", args=[programme.pk])
    response = edit_messages(client, url, {"accepted_body": "Bravo {nom}, à très vite !", "rejected_subject": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "{nom} : ce repère n&#x27;est pas connu." in page
    assert "Bravo {nom}, à très vite !" in page
    assert "Ce champ est obligatoire." in page
    assert not DecisionMessage.objects.exists()


def test_another_programmes_decision_messages_are_not_found(client, staff):
    client.force_login(staff)
    other = ProgrammeFactory()
    assert client.get(reverse("projects:decision_messages", args=[other.pk])).status_code == 404
    # Forged on purpose: the page is never shown to them.
    assert client.post(reverse("projects:decision_messages", args=[other.pk]), messages_data()).status_code == 404
    assert not DecisionMessage.objects.exists()


def test_decision_emails_speak_the_applicants_language(client, staff, cohort, django_capture_on_commit_callbacks):
    english = CandidacyFactory(cohort=cohort, status=Status.UNDER_REVIEW, language="en", project_name="Green Garage")
    french = CandidacyFactory(cohort=cohort, status=Status.UNDER_REVIEW, language="fr", project_name="Garage vert")
    client.force_login(staff)
    submit(client, client.get(detail(english)), {"language": "en"}, action=reverse("set_language"))  # in English
    with django_capture_on_commit_callbacks(execute=True):
        for candidacy in (english, french):
            services.change_status(candidacy=candidacy, to_status=Status.SHORTLISTED, by=staff)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[english.contact_email] == "Your application “Green Garage” has been shortlisted"
    assert subjects[french.contact_email] == "Votre candidature « Garage vert » est présélectionnée"


def test_the_applicants_language_is_kept_from_the_form(client, cohort, settings):
    settings.APPLY_MIN_FILL_SECONDS = 0
    cohort.call_opens_on = timezone.localdate() - datetime.timedelta(days=1)
    cohort.call_closes_on = timezone.localdate() + datetime.timedelta(days=1)
    cohort.save()
    url = reverse("projects:apply", args=[cohort.pk])
    submit(client, client.get(url), {"language": "en"}, action=reverse("set_language"))
    submit(client, client.get(url), {"contact_email": "sam@exemple.fr"}, button="draft")
    assert Candidacy.objects.get().language == "en"


def test_once_reviews_close_everyone_who_reads_the_candidacy_sees_the_scores(client, candidacy, staff, reviewer):
    services.save_review(candidacy=candidacy, reviewer=reviewer, scores=ALL_FOURS, comments={})
    candidacy.status = Status.REJECTED
    candidacy.save()
    client.force_login(staff)  # never scored it
    page = client.get(detail(candidacy)).content.decode()
    assert "Rémi Relecteur" in page and "4,0" in page

"""The applicant's side: the call, the form, drafts and their link, submission, status, withdrawal."""

import datetime
import os
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from outbox.models import OutgoingMail
from projects import tokens
from projects.models import Candidacy, StatusChange
from tests.factories import CandidacyFactory, CohortFactory, DraftFactory, TerritoryFactory
from tests.forms import submit
from tests.projects.documents import DOCX, JPEG, ODT, PDF, PNG, upload

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 4, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 10, 10, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture(autouse=True)
def _no_wait(settings):
    settings.APPLY_MIN_FILL_SECONDS = 0


@pytest.fixture
def drome(db):
    return TerritoryFactory(name="Drôme", department_code="26")


@pytest.fixture
def cohort(programme, drome):
    return CohortFactory(
        programme=programme,
        name="Saison 2026-2027",
        start_date=datetime.date(2026, 9, 1),
        call_opens_on=datetime.date(2026, 3, 1),
        call_closes_on=datetime.date(2026, 4, 30),
        territories=[drome],
    )


def answers(cohort, **overrides):
    """What an applicant types and ticks on a new form; an override of None leaves that field as the page has it."""
    data = {
        "project_name": "Le Garage du Coin",
        "summary": "Un garage solidaire pour réparer les voitures des habitants à petits prix.",
        "need": "Sans voiture, pas de travail ici.",
        "collective_dimension": "Une association de six bénévoles et deux mécaniciens.",
        "economic_model": "Réparations à prix solidaire, adhésions, subvention du département.",
        "sector": "solidarity_garage",
        "territory": str(cohort.territories.get().pk),
        "commune": "Crest",
        "anchoring": "La mission locale nous envoie des jeunes.",
        "stage": "testing",
        "expectations": "Choisir la forme juridique.",
        "heard_from": "partner",
        "contact_name": "Léa Roux",
        "contact_email": "lea.roux@exemple.fr",
        "contact_phone": "06 00 00 00 00",
        "consent": True,
        "members-0-name": "Léa Roux",
        "members-0-email": "lea.roux@exemple.fr",
        "members-0-role": "Présidente",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def fill(client, url, changes=None, *, button="submit", files=None, **extra):
    """Open the page at `url`, as a browser would, and send its form back with `changes`."""
    return submit(client, client.get(url), changes, button=button, files=files, **extra)


def _link(message, name):
    return re.search(rf"https?://[^/\s]+({re.escape(reverse(name, args=['X'])[:-2])}\S+)", message.body).group(1)


# --- The call ------------------------------------------------------------------------------------


def test_the_call_page_presents_the_season_and_invites_to_apply(client, cohort):
    page = client.get(reverse("cohorts:call", args=[cohort.pk])).content.decode()
    assert "Appel à candidatures — Saison 2026-2027" in page
    assert "CAE Prisme" in page
    assert "Dimension collective" in page and "Ancrage territorial" in page
    assert "Une journée collective chaque mois" in page
    assert reverse("projects:apply", args=[cohort.pk]) in page


def test_a_closed_call_says_when_the_next_one_opens(client, cohort, programme):
    closed = CohortFactory(
        programme=programme, call_opens_on=datetime.date(2025, 1, 1), call_closes_on=datetime.date(2025, 2, 1)
    )
    cohort.call_opens_on = datetime.date(2026, 5, 1)
    cohort.call_closes_on = datetime.date(2026, 6, 1)
    cohort.save()
    page = client.get(reverse("cohorts:call", args=[closed.pk])).content.decode()
    assert "Le prochain, pour la Saison 2026-2027, ouvrira le 1er mai 2026." in page
    assert reverse("projects:apply", args=[closed.pk]) not in page
    response = client.get(reverse("projects:apply", args=[closed.pk]))
    assert "Il s'est clos le 1er février 2025." in response.content.decode()


def test_the_contact_fields_let_the_phone_fill_in_the_applicants_details(client, cohort):
    page = client.get(reverse("projects:apply", args=[cohort.pk])).content.decode()
    for name, purpose in [("contact_name", "name"), ("contact_email", "email"), ("contact_phone", "tel")]:
        [field] = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert f'autocomplete="{purpose}"' in field
    assert re.search(r'<input[^>]*type="tel"[^>]*name="contact_phone"', page)


def test_the_form_offers_the_seasons_territories_and_reads_them_once(client, cohort, django_assert_max_num_queries):
    url = reverse("projects:apply", args=[cohort.pk])
    # 1 the season and its programme, 1 its territories, read once for the check and the options = 2
    with django_assert_max_num_queries(2):
        page = client.get(url).content.decode()
    assert re.findall(r'<option value="(\d*)"', page[page.index('name="territory"') :].split("</select>")[0]) == [
        "",
        str(cohort.territories.get().pk),
    ]
    cohort.territories.add(*(TerritoryFactory(name=f"Territoire {n}", department_code="07") for n in range(9)))
    with django_assert_max_num_queries(2):
        page = client.get(url).content.decode()
    assert (
        page.count("<option", page.index('name="territory"'), page.index("</select>", page.index('name="territory"')))
        == 11
    )


def test_a_season_without_territories_offers_them_all(client, programme, drome):
    ardeche = TerritoryFactory(name="Ardèche", department_code="07")
    cohort = CohortFactory(
        programme=programme,
        call_opens_on=datetime.date(2026, 3, 1),
        call_closes_on=datetime.date(2026, 4, 30),
        territories=[],
    )
    page = client.get(reverse("projects:apply", args=[cohort.pk])).content.decode()
    options = page[page.index('name="territory"') :].split("</select>")[0]
    assert re.findall(r'<option value="(\d*)"', options) == ["", str(ardeche.pk), str(drome.pk)]


def test_an_unknown_season_is_not_found(client, db):
    assert client.get(reverse("projects:apply", args=[999])).status_code == 404


# --- Drafts --------------------------------------------------------------------------------------


def test_saving_a_draft_needs_only_an_email_and_mails_the_link_to_come_back(
    client, cohort, django_capture_on_commit_callbacks
):
    url = reverse("projects:apply", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = fill(
            client, url, {"project_name": "Le Garage du Coin", "contact_email": "lea@exemple.fr"}, button="draft"
        )
    draft = Candidacy.objects.get()
    assert draft.status == Candidacy.Status.DRAFT and draft.reference is None
    assert response["Location"] == tokens.draft_url(draft)

    [message] = mail.outbox
    assert message.to == ["lea@exemple.fr"]
    assert message.subject == "Votre brouillon de candidature"
    assert OutgoingMail.objects.get().programme == cohort.programme  # its staff see it if it fails
    link = _link(message, "projects:apply_resume")
    page = client.get(link).content.decode()
    assert 'value="Le Garage du Coin"' in page
    assert "Brouillon enregistré" in page


def test_a_draft_without_email_is_not_saved_and_says_why(client, cohort):
    url = reverse("projects:apply", args=[cohort.pk])
    response = fill(client, url, answers(cohort, contact_email=""), button="draft")
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not Candidacy.objects.exists()


def test_the_draft_link_works_from_another_device_and_saving_again_sends_no_second_mail(
    client, cohort, django_capture_on_commit_callbacks
):
    draft = DraftFactory(cohort=cohort, contact_email="lea@exemple.fr", project_name="Avant")
    with django_capture_on_commit_callbacks(execute=True):
        fill(client, tokens.draft_url(draft), {"project_name": "Après"}, button="draft")
    draft.refresh_from_db()
    assert draft.project_name == "Après"
    assert draft.contact_email == "lea@exemple.fr"
    assert mail.outbox == []


# --- Submission ----------------------------------------------------------------------------------


def test_the_whole_flow_from_draft_to_submission(client, cohort, django_capture_on_commit_callbacks):
    url = reverse("projects:apply", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = fill(client, url, answers(cohort, summary=""), button="draft")
    draft = Candidacy.objects.get()
    resume = response["Location"]
    # Reopened from its link: the documents are added, the summary is still missing.
    with django_capture_on_commit_callbacks(execute=True):
        response = fill(client, resume, files={"documents": [upload("dossier.pdf", PDF)]})
    assert "Cette réponse est nécessaire pour envoyer la candidature." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Candidacy.Status.DRAFT
    assert [a.original_name for a in draft.attachments.all()] == ["dossier.pdf"]  # kept despite the error

    # The page with the error is completed and sent again as it stands.
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, response, {"summary": answers(cohort)["summary"]}, button="submit")
    candidacy = Candidacy.objects.get()
    assert candidacy.status == Candidacy.Status.SUBMITTED
    assert re.fullmatch(r"2026-[A-Z2-9]{5}", candidacy.reference)
    assert candidacy.submitted_at and candidacy.consent_at
    assert [m.name for m in candidacy.members.all()] == ["Léa Roux"]
    assert candidacy.attachments.count() == 1
    assert StatusChange.objects.get().to_status == Candidacy.Status.SUBMITTED

    confirmation = mail.outbox[-1]
    assert confirmation.subject == f"Candidature bien reçue — référence {candidacy.reference}"
    status_link = _link(confirmation, "projects:candidacy_status")
    assert response["Location"] == status_link
    page = client.get(status_link).content.decode()
    assert "Où en est votre candidature : Envoyée" in page
    assert candidacy.reference in page
    # The draft link now leads to the status page: a sent candidacy is no longer editable.
    assert client.get(resume)["Location"] == status_link


def test_missing_consent_is_refused_in_french_and_nothing_typed_is_lost(client, cohort):
    url = reverse("projects:apply", args=[cohort.pk])
    response = fill(client, url, answers(cohort, consent=None))
    page = response.content.decode()
    assert "Pour envoyer la candidature, cochez cette case" in page
    assert 'value="Le Garage du Coin"' in page
    assert "Un garage solidaire pour réparer" in page
    assert 'value="Léa Roux"' in page
    assert not Candidacy.objects.exclude(status="draft").exists()


def test_a_team_is_needed_to_submit(client, cohort):
    nobody = {"members-0-name": None, "members-0-email": None, "members-0-role": None}
    response = fill(client, reverse("projects:apply", args=[cohort.pk]), answers(cohort, **nobody))
    assert "Présentez au moins une personne de l&#x27;équipe." in response.content.decode()
    assert not Candidacy.objects.exists()


def test_a_territory_outside_the_season_is_refused(client, cohort):
    elsewhere = TerritoryFactory(name="Isère", department_code="38")
    # Forged on purpose: the page offers no such territory.
    response = fill(client, reverse("projects:apply", args=[cohort.pk]), answers(cohort, territory=str(elsewhere.pk)))
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_html_in_answers_is_shown_as_text(client, cohort):
    fill(client, reverse("projects:apply", args=[cohort.pk]), answers(cohort, summary="<script>alert(1)</script>"))
    candidacy = Candidacy.objects.get()
    page = client.get(tokens.status_url(candidacy)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "stored_as", "content_type"),
    [
        ("dossier.pdf", PDF, "dossier.pdf", "application/pdf"),
        ("statuts.odt", ODT, "statuts.odt", "application/vnd.oasis.opendocument.text"),
        ("budget.docx", DOCX, "budget.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("photo.JPEG", JPEG, "photo.jpg", "image/jpeg"),
        ("plan.png", PNG, "plan.png", "image/png"),
        ("plan.pdf", PNG, "plan.png", "image/png"),  # misnamed: the content decides
    ],
)
def test_accepted_documents_are_recognised_by_their_content(client, cohort, name, content, stored_as, content_type):
    url = reverse("projects:apply", args=[cohort.pk])
    fill(client, url, answers(cohort), files={"documents": [upload(name, content)]})
    [attachment] = Candidacy.objects.get().attachments.all()
    assert (attachment.original_name, attachment.content_type) == (stored_as, content_type)
    assert attachment.file.read() == content
    assert "candidatures/" in attachment.file.name and name not in attachment.file.name


def test_a_pdf_that_is_not_a_pdf_is_refused(client, cohort):
    url = reverse("projects:apply", args=[cohort.pk])
    response = fill(client, url, answers(cohort), files={"documents": [upload("cv.pdf", b"MZ\x90 not a pdf")]})
    assert "« cv.pdf » n&#x27;est pas un document PDF, ODT, DOCX, JPEG ou PNG lisible." in response.content.decode()
    assert not Candidacy.objects.exclude(status="draft").exists()


def test_an_oversize_document_is_refused(client, cohort, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    url = reverse("projects:apply", args=[cohort.pk])
    response = fill(client, url, answers(cohort), files={"documents": [upload("gros.pdf", PDF + b" " * 200)]})
    assert "« gros.pdf » pèse" in response.content.decode()
    assert "permis par document" in response.content.decode()


def test_six_documents_are_refused_but_five_are_fine(client, cohort):
    url = reverse("projects:apply", args=[cohort.pk])
    six = [upload(f"page{i}.pdf", PDF) for i in range(6)]
    response = fill(client, url, answers(cohort), files={"documents": six})
    assert "Une candidature a 5 documents au plus" in response.content.decode()
    # The page with the error is sent again as it stands, with one document fewer.
    five = [upload(f"page{i}.pdf", PDF) for i in range(5)]
    submit(client, response, button="submit", files={"documents": five})
    assert Candidacy.objects.get(status="submitted").attachments.count() == 5


def test_documents_too_heavy_together_for_one_post_are_refused_and_nothing_typed_is_lost(client, cohort, settings):
    settings.ATTACHMENT_MAX_REQUEST_BYTES = 300
    url = reverse("projects:apply", args=[cohort.pk])
    heavy = [upload(f"plan{i}.pdf", PDF + b" " * 100) for i in range(2)]
    response = fill(client, url, answers(cohort, project_name="Le Fournil"), button="draft", files={"documents": heavy})
    page = response.content.decode()
    assert "qui peuvent être ajoutés en une fois" in page
    assert 'value="Le Fournil"' in page
    assert not Candidacy.objects.exists()
    # One at a time, saving in between, they go through.
    response = fill(
        client, url, answers(cohort), button="draft", files={"documents": [upload("plan0.pdf", PDF + b" " * 100)]}
    )
    fill(client, response["Location"], button="draft", files={"documents": [upload("plan1.pdf", PDF + b" " * 100)]})
    assert Candidacy.objects.get().attachments.count() == 2


def test_a_candidacy_keeps_documents_up_to_a_total_weight(client, cohort, settings):
    size = len(PDF) + 100
    settings.ATTACHMENT_MAX_TOTAL_BYTES = 2 * size
    url = reverse("projects:apply", args=[cohort.pk])
    response = fill(
        client, url, answers(cohort), button="draft", files={"documents": [upload("a.pdf", PDF + b" " * 100)]}
    )
    draft_url = response["Location"]
    fill(client, draft_url, button="draft", files={"documents": [upload("b.pdf", PDF + b" " * 100)]})
    response = fill(client, draft_url, {"summary": "Un résumé revu."}, files={"documents": [upload("c.pdf", PDF)]})
    page = response.content.decode()
    assert "permis en tout" in page
    assert "Un résumé revu." in page  # the typed change is still on the page
    draft = Candidacy.objects.get()
    assert draft.attachments.count() == 2 and draft.status == "draft"
    # Removing one makes room for the new one.
    first = draft.attachments.get(original_name="a.pdf")
    submit(
        client, response, {"remove_documents": [first.pk]}, button="draft", files={"documents": [upload("c.pdf", PDF)]}
    )
    assert sorted(draft.attachments.values_list("original_name", flat=True)) == ["b.pdf", "c.pdf"]


def test_a_post_bigger_than_django_reads_gets_a_french_page_not_an_error(client, cohort, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = fill(client, reverse("projects:apply", args=[cohort.pk]), answers(cohort, summary="x" * 5000))
    assert response.status_code == 413
    page = response.content.decode()
    assert "Envoi trop volumineux" in page and "ce que vous avez écrit y est encore" in page
    assert not Candidacy.objects.exists()


def test_a_post_with_too_many_fields_gets_the_same_french_page(client, cohort, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = fill(client, reverse("projects:apply", args=[cohort.pk]), answers(cohort))
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.content.decode()


def test_documents_can_be_removed_from_a_draft(client, cohort, django_capture_on_commit_callbacks):
    url = reverse("projects:apply", args=[cohort.pk])
    response = fill(client, url, answers(cohort), button="draft", files={"documents": [upload("a.pdf", PDF)]})
    draft = Candidacy.objects.get()
    attachment = draft.attachments.get()
    stored = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        fill(client, response["Location"], {"remove_documents": [attachment.pk]}, button="draft")
    assert not draft.attachments.exists()
    assert [m.name for m in draft.members.all()] == ["Léa Roux"]

    assert not os.path.exists(stored)


# --- Anti-abuse ----------------------------------------------------------------------------------


def test_the_honeypot_turns_robots_away_with_a_clear_message(client, cohort):
    # A robot fills the field people never see.
    response = fill(client, reverse("projects:apply", args=[cohort.pk]), answers(cohort, website="http://spam"))
    assert "le champ « Laissez ce champ vide » a été rempli" in response.content.decode()
    assert not Candidacy.objects.exists()


def test_a_form_sent_too_fast_is_asked_again_and_goes_through_the_second_time(client, cohort, settings):
    settings.APPLY_MIN_FILL_SECONDS = 30
    url = reverse("projects:apply", args=[cohort.pk])
    response = fill(client, url, answers(cohort))
    assert "envoyé très vite après son ouverture" in response.content.decode()
    with time_machine.travel(datetime.datetime(2026, 4, 10, 10, 5, tzinfo=datetime.UTC)):
        response = submit(client, response, button="submit")
    assert response.status_code == 302
    assert Candidacy.objects.get().status == Candidacy.Status.SUBMITTED


def test_a_forged_start_time_counts_as_too_fast(client, cohort, settings):
    settings.APPLY_MIN_FILL_SECONDS = 5
    # Forged on purpose: the page's signed start time is replaced by a bare number.
    response = fill(client, reverse("projects:apply", args=[cohort.pk]), answers(cohort, started="1000"))
    assert "envoyé très vite après son ouverture" in response.content.decode()


def test_submissions_per_address_are_limited_and_a_refused_one_saves_and_mails_nothing(
    client, cohort, settings, django_capture_on_commit_callbacks
):
    settings.APPLY_RATE = "2/h"
    url = reverse("projects:apply", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            fill(client, url, answers(cohort, project_name=f"Projet {n}"))
        response = fill(client, url, answers(cohort, project_name="Projet de trop"))
    page = response.content.decode()
    assert "Beaucoup de candidatures sont parties de votre connexion" in page
    assert 'value="Projet de trop"' in page  # what was typed stays on the page
    assert not Candidacy.objects.filter(project_name="Projet de trop").exists()
    assert len(mail.outbox) == 2 and OutgoingMail.objects.count() == 2
    other = fill(client, url, answers(cohort, project_name="Voisin"), REMOTE_ADDR="198.51.100.4")
    assert other.status_code == 302


def test_a_filled_honeypot_with_a_document_saves_and_mails_nothing(client, cohort, django_capture_on_commit_callbacks):
    url = reverse("projects:apply", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = fill(
            client,
            url,
            {"contact_email": "victime@exemple.fr", "website": "http://spam"},
            button="draft",
            files={"documents": [upload("plan.pdf", PDF)]},
        )
    assert "le champ « Laissez ce champ vide » a été rempli" in response.content.decode()
    assert not Candidacy.objects.exists() and not OutgoingMail.objects.exists() and mail.outbox == []


def test_a_post_sent_too_fast_with_a_document_saves_and_mails_nothing(
    client, cohort, settings, django_capture_on_commit_callbacks
):
    settings.APPLY_MIN_FILL_SECONDS = 30
    with django_capture_on_commit_callbacks(execute=True):
        response = fill(
            client,
            reverse("projects:apply", args=[cohort.pk]),
            answers(cohort),
            files={"documents": [upload("plan.pdf", PDF)]},
        )
    assert "envoyé très vite après son ouverture" in response.content.decode()
    assert not Candidacy.objects.exists() and not OutgoingMail.objects.exists()


def test_invalid_posts_that_keep_a_document_count_as_new_drafts(
    client, cohort, settings, django_capture_on_commit_callbacks
):
    settings.APPLY_DRAFT_RATE = "3/h"
    url = reverse("projects:apply", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            # Sent incomplete: invalid, yet the document is kept in a draft whose link is mailed.
            response = fill(
                client,
                url,
                {"contact_email": "victime@exemple.fr"},
                files={"documents": [upload("plan.pdf", PDF)]},
            )
    assert Candidacy.objects.count() == 3
    assert len(mail.outbox) == 3
    assert "Beaucoup de brouillons ont été créés depuis votre connexion" in response.content.decode()


def test_request_body_limits_are_set_for_the_documents_a_form_may_carry(settings):
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024  # bigger uploads wait on disk, not in memory
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024  # the typed answers, without the files
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000
    with open(os.path.join(settings.BASE_DIR, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    # The proxy's cap: what one post may add, the typed answers, and a margin.
    assert "client_max_body_size 25m" in text
    assert settings.ATTACHMENT_MAX_REQUEST_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE < 25 * 1024 * 1024
    assert settings.ATTACHMENT_MAX_BYTES <= settings.ATTACHMENT_MAX_REQUEST_BYTES <= settings.ATTACHMENT_MAX_TOTAL_BYTES


# --- Links, status, withdrawal -------------------------------------------------------------------


def test_forged_and_swapped_links_are_refused(client, cohort):
    candidacy = CandidacyFactory(cohort=cohort)
    draft = DraftFactory(cohort=cohort)
    for url in [
        reverse("projects:candidacy_status", args=["pas-un-jeton"]),
        reverse("projects:apply_resume", args=["pas-un-jeton"]),
        reverse("projects:candidacy_status", args=[tokens.make_token(candidacy, tokens.DRAFT)]),  # wrong purpose
        reverse("projects:candidacy_status", args=[tokens.make_token(draft, tokens.STATUS)]),  # a draft has no status
        tokens.status_url(candidacy)[:-3] + "abc/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert (
            "Ce lien n&#x27;est pas ou plus valable" in response.content.decode()
            or "Ce lien n'est pas ou plus valable" in response.content.decode()
        )


def test_an_expired_link_is_refused(client, cohort, settings):
    draft = DraftFactory(cohort=cohort)
    url = tokens.draft_url(draft)
    with time_machine.travel(
        datetime.datetime(2026, 4, 10, tzinfo=datetime.UTC)
        + datetime.timedelta(days=settings.CANDIDACY_DRAFT_LINK_DAYS + 1)
    ):
        assert client.get(url).status_code == 404


def test_one_applicants_link_shows_only_their_candidacy(client, cohort):
    mine = CandidacyFactory(cohort=cohort, project_name="Le mien")
    CandidacyFactory(cohort=cohort, project_name="Celui du voisin")
    page = client.get(tokens.status_url(mine)).content.decode()
    assert "Le mien" in page and "Celui du voisin" not in page


def test_an_applicant_withdraws_after_confirming(client, cohort):
    candidacy = CandidacyFactory(cohort=cohort)
    status_url = tokens.status_url(candidacy)
    response = fill(client, status_url, {"note": "Projet abandonné"}, button=None, action="/retirer/", follow=True)
    assert "Cochez la case de confirmation pour retirer votre candidature." in response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.SUBMITTED
    response = fill(
        client, status_url, {"note": "Projet abandonné", "confirm": True}, button=None, action="/retirer/", follow=True
    )
    assert "Votre candidature est retirée." in response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.WITHDRAWN
    change = candidacy.history.get()
    assert (change.by, change.note) == (None, "Projet abandonné")


def test_a_decided_candidacy_cannot_be_withdrawn(client, cohort):
    candidacy = CandidacyFactory(cohort=cohort)
    status_url = tokens.status_url(candidacy)
    stale = client.get(status_url)  # opened before the decision, sent after it
    Candidacy.objects.filter(pk=candidacy.pk).update(status=Candidacy.Status.REJECTED)
    assert "Retirer ma candidature" not in client.get(status_url).content.decode()
    response = submit(client, stale, {"confirm": True}, action="/retirer/", follow=True)
    assert "ne peut plus être retirée" in response.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.REJECTED


def test_withdrawal_is_a_post(client, cohort):
    candidacy = CandidacyFactory(cohort=cohort)
    assert (
        client.get(
            reverse("projects:candidacy_withdraw", args=[tokens.make_token(candidacy, tokens.STATUS)])
        ).status_code
        == 405
    )


def test_staff_and_coaches_have_no_special_access_to_applicant_pages(client, cohort, staff, coach):
    """An applicant's page is reached by its link, whoever is logged in, and by nothing else."""
    candidacy = CandidacyFactory(cohort=cohort)
    for user in (staff, coach):
        client.force_login(user)
        assert client.get(tokens.status_url(candidacy)).status_code == 200
        assert client.get(reverse("projects:candidacy_status", args=["x"])).status_code == 404


def test_the_privacy_notice_explains_retention(client, programme, settings):
    page = client.get(reverse("privacy")).content.decode()
    assert "Vos données personnelles" in page
    assert f"anonymisée {settings.CANDIDACY_RETENTION_MONTHS} mois après la fin de la saison" in page
    assert "CAE Prisme" in page


def test_new_drafts_per_address_are_limited_so_the_form_cannot_spam_an_inbox(
    client, cohort, settings, django_capture_on_commit_callbacks
):
    settings.APPLY_DRAFT_RATE = "3/h"
    url = reverse("projects:apply", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            response = fill(client, url, {"contact_email": "victime@exemple.fr"}, button="draft")
    assert Candidacy.objects.count() == 3
    assert len(mail.outbox) == 3
    assert "Beaucoup de brouillons ont été créés depuis votre connexion" in response.content.decode()
    assert 'value="victime@exemple.fr"' in response.content.decode()


def test_a_candidacy_sent_at_once_gets_its_confirmation_only(client, cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fill(client, reverse("projects:apply", args=[cohort.pk]), answers(cohort))
    [message] = mail.outbox
    assert message.subject.startswith("Candidature bien reçue")


def test_links_mailed_to_one_address_are_capped_whatever_network_address_asks(
    client, cohort, settings, django_capture_on_commit_callbacks
):
    settings.APPLY_ADDRESS_RATES = ["2/h", "3/d"]
    url = reverse("projects:apply", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            # Each post from another network address, the address typed with other capitals.
            address = "Victime@Exemple.fr" if n % 2 else "victime@exemple.fr"
            response = fill(client, url, {"contact_email": address}, button="draft", REMOTE_ADDR=f"198.51.100.{n}")
    page = response.content.decode()
    assert Candidacy.objects.count() == 2 and len(mail.outbox) == 2
    assert "cette adresse pour l&#x27;instant" in page
    assert "victime@exemple.fr" in page.lower()  # what was typed stays on the page
    # Another inbox is not concerned.
    assert fill(client, url, {"contact_email": "lea@exemple.fr"}, button="draft").status_code == 302


def test_the_address_cap_covers_invalid_posts_changed_addresses_and_confirmations(
    client, cohort, settings, django_capture_on_commit_callbacks
):
    settings.APPLY_ADDRESS_RATES = ["2/h"]
    url = reverse("projects:apply", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        # An invalid post keeping a document mails a draft link: it counts.
        fill(client, url, {"contact_email": "victime@exemple.fr"}, files={"documents": [upload("plan.pdf", PDF)]})
        # A draft of another address moved to the victim's: its new link counts.
        fill(client, url, {"contact_email": "robot@exemple.fr"}, button="draft")
        draft = Candidacy.objects.get(contact_email="robot@exemple.fr")
        fill(client, tokens.draft_url(draft), {"contact_email": "victime@exemple.fr"}, button="draft")
        # A third mail, the confirmation of a candidacy sent at once, is refused and nothing is saved.
        response = fill(client, url, answers(cohort, contact_email="victime@exemple.fr", project_name="Encore"))
    assert "cette adresse pour l&#x27;instant" in response.content.decode()
    assert not Candidacy.objects.filter(project_name="Encore").exists()
    assert [message.to for message in mail.outbox].count(["victime@exemple.fr"]) == 2


def test_saving_a_draft_again_mails_nothing_and_is_not_capped(
    client, cohort, settings, django_capture_on_commit_callbacks
):
    settings.APPLY_ADDRESS_RATES = ["1/h"]
    url = reverse("projects:apply", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = fill(client, url, {"contact_email": "lea@exemple.fr"}, button="draft")
        for n in range(3):
            response = fill(client, response["Location"], {"project_name": f"Version {n}"}, button="draft")
            assert response.status_code == 302
    assert Candidacy.objects.get().project_name == "Version 2"
    assert len(mail.outbox) == 1

"""Conversations: staff write to an applicant or to a project's members; they answer from their signed-link pages."""

import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse

from outbox.models import OutgoingMail
from projects import services, tokens
from projects.models import Candidacy, Message, Thread
from projects.models.conversation import MESSAGE_MAX_LENGTH
from projects.services import conversations
from tests.factories import (
    CandidacyFactory,
    CoachAssignmentFactory,
    CoachFactory,
    CohortFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    SuperuserFactory,
)
from tests.forms import submit
from trainings.tokens import member_page_url

pytestmark = pytest.mark.django_db

Author = Message.Author
# Session and user (2), the candidacy with its season and programme (1), its members, documents and steps (3),
# the reviews (1), the trail and the rows it names (4), the staff notes (1), the latest messages with their
# authors (1) and, past a page's worth, their count (1).
CANDIDACY_PAGE_QUERIES = 14
SECRET = "Le loyer proposé par la mairie est de 450 euros"


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Saison 2026-2027")


@pytest.fixture
def candidacy(cohort):
    return CandidacyFactory(
        cohort=cohort,
        project_name="Le garage des Collines",
        contact_name="Camille Martin",
        contact_email="camille@exemple.fr",
    )


@pytest.fixture
def project(cohort):
    return ProjectFactory(cohort=cohort, name="Garage du Diois")


@pytest.fixture
def lea(project):
    return ProjectMemberFactory(project=project, name="Léa Martin", email="lea@exemple.fr")


@pytest.fixture
def other_staff():
    return StaffFactory(partner_structure=PartnerStructureFactory(name="Ailleurs"))


@pytest.fixture
def other_programme(other_staff):
    return ProgrammeFactory(name="Un autre programme", partners=[other_staff.partner_structure])


def candidacy_page(candidacy):
    return reverse("projects:candidacy_detail", args=[candidacy.pk])


def project_page(project):
    return reverse("projects:project_detail", args=[project.pk])


def status_page(candidacy):
    return tokens.status_url(candidacy)


def links_in(body):
    return re.findall(r"https?://\S+", body)


def staff_writes(client, staff, candidacy, text, captured):
    client.force_login(staff)
    with captured(execute=True):
        response = submit(client, client.get(candidacy_page(candidacy)), {"body": text}, action="/message/")
    client.logout()
    return response


# --- Staff write to an applicant, who answers from the status page ----------------------------------------------


def test_staff_write_to_the_applicant_who_answers_from_the_link_in_the_mail(
    client, staff, candidacy, django_capture_on_commit_callbacks
):
    response = staff_writes(
        client, staff, candidacy, f"Bonjour Camille, {SECRET} ?", django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#conversation")
    message = Message.objects.get()
    assert (message.author_kind, message.author_user, message.thread.candidacy) == (Author.STAFF, staff, candidacy)

    # One mail, to the applicant, with their status link and without the text.
    assert [m.to for m in mail.outbox] == [["camille@exemple.fr"]]
    assert OutgoingMail.objects.get().to == ["camille@exemple.fr"]
    sent = mail.outbox[0]
    assert "Le garage des Collines" in sent.subject
    assert SECRET not in sent.body and SECRET not in sent.subject
    (link,) = links_in(sent.body)
    assert link.endswith("#conversation")

    page = client.get(link.split("#")[0].replace("http://testserver", "").removeprefix("http://localhost:8000"))
    assert page.status_code == 200
    assert SECRET in page.content.decode()
    response = submit(client, page, {"body": "Oui, c'est bien ça. Merci !"}, action="/message/")
    assert response.status_code == 302
    answer = Message.objects.get(author_kind=Author.APPLICANT)
    assert answer.thread == message.thread and answer.author_user is None and answer.notified_at is None

    # Staff read it on the candidacy page, in order, after their own.
    client.force_login(staff)
    body = client.get(candidacy_page(candidacy)).content.decode()
    assert body.index(SECRET) < body.index("Oui, c&#x27;est bien ça. Merci !")
    assert "Camille Martin (qui candidate)" in body


def test_the_staff_who_wrote_are_told_of_each_answer_once_in_one_batched_mail(
    client, staff, candidacy, django_capture_on_commit_callbacks
):
    colleague = StaffFactory(partner_structure=staff.partner_structure, email="colleague@exemple.fr")
    services.write_to_applicant(candidacy=candidacy, author=staff, body="Une question")
    for text in ("Réponse 1", "Réponse 2"):
        services.answer_as_applicant(client=_request(), candidacy=candidacy, body=text)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_answers() == 2
    assert [m.to for m in mail.outbox] == [[staff.email]]  # the writer, not the colleague who did not write
    assert colleague.email not in mail.outbox[0].to
    assert "2 nouvelles réponses" in mail.outbox[0].subject
    assert "Réponse 1" not in mail.outbox[0].body
    assert reverse("projects:candidacy_detail", args=[candidacy.pk]) + "#conversation" in mail.outbox[0].body
    # Told once: a second run has nothing to say.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_answers() == 0
    assert len(mail.outbox) == 1
    assert not Message.objects.filter(author_kind=Author.APPLICANT, notified_at__isnull=True).exists()


def test_an_applicant_who_writes_first_reaches_the_programmes_staff(
    candidacy, staff, other_staff, other_programme, django_capture_on_commit_callbacks
):
    coach = CoachFactory(partner_structure=staff.partner_structure)
    services.answer_as_applicant(client=_request(), candidacy=candidacy, body="Bonjour, une question")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_answers() == 1
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert coach.email not in mail.outbox[0].to and other_staff.email not in mail.outbox[0].to


def test_the_periodic_task_tells_the_team(candidacy, staff, django_capture_on_commit_callbacks):
    from projects.tasks import notify_conversation_answers

    services.answer_as_applicant(client=_request(), candidacy=candidacy, body="Bonjour")
    with django_capture_on_commit_callbacks(execute=True):
        notify_conversation_answers()
    assert len(mail.outbox) == 1


def _request():
    from django.test import RequestFactory

    return RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")


# --- Bad input, and the rate per link ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("   ", "Écrivez votre message avant de l&#x27;envoyer."),
        ("x" * (MESSAGE_MAX_LENGTH + 1), "Votre message est trop long"),
    ],
)
def test_an_empty_or_too_long_answer_is_refused_in_french_and_kept(client, candidacy, text, said):
    page = client.get(status_page(candidacy))
    response = submit(client, page, {"body": text}, action="/message/")
    assert response.status_code == 200
    body = response.content.decode()
    assert said in body
    if text.strip():
        assert text in body  # nothing typed is lost
    assert not Message.objects.exists()


def test_staff_too_long_message_is_refused_and_kept(client, staff, candidacy):
    client.force_login(staff)
    text = "y" * (MESSAGE_MAX_LENGTH + 5)
    response = submit(client, client.get(candidacy_page(candidacy)), {"body": text}, action="/message/")
    assert response.status_code == 200
    assert "Votre message est trop long" in response.content.decode()
    assert text in response.content.decode()
    assert "Écrire à Camille Martin" in response.content.decode()
    assert not Message.objects.exists() and not OutgoingMail.objects.exists()


def test_the_textarea_does_not_cut_a_long_paste(client, candidacy):
    assert "maxlength" not in client.get(status_page(candidacy)).content.decode().split('name="body"')[1][:200]


def test_one_link_posts_only_so_many_answers_an_hour(client, candidacy, settings):
    settings.CONVERSATION_ANSWER_RATES = ["3/h"]
    for n in range(3):
        response = submit(client, client.get(status_page(candidacy)), {"body": f"Message {n}"}, action="/message/")
        assert response.status_code == 302
    # Another network address does not reset the count: it is the link's.
    other = Client(REMOTE_ADDR="198.51.100.7")
    response = submit(other, other.get(status_page(candidacy)), {"body": "Encore un"}, action="/message/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Beaucoup de messages sont partis de ce lien" in body and "Encore un" in body
    assert Message.objects.count() == 3
    # Another applicant's link is counted on its own.
    second = CandidacyFactory(cohort=candidacy.cohort)
    assert submit(client, client.get(status_page(second)), {"body": "Bonjour"}, action="/message/").status_code == 302


# --- Who reaches what --------------------------------------------------------------------------------------


def test_a_swapped_forged_or_draft_link_finds_nothing(client, candidacy):
    other = CandidacyFactory(cohort=candidacy.cohort)
    services.write_to_applicant(candidacy=other, author=StaffFactory(), body="Pour l'autre personne seulement")
    body = client.get(status_page(candidacy)).content.decode()
    assert "Pour l&#x27;autre personne seulement" not in body
    for token in (tokens.make_token(candidacy, tokens.DRAFT), tokens.make_token(candidacy, tokens.STATUS) + "x"):
        response = client.post(reverse("projects:candidacy_reply", args=[token]), {"body": "Bonjour"})
        assert response.status_code == 404
    assert not Message.objects.filter(author_kind=Author.APPLICANT).exists()


def test_an_anonymised_candidacys_link_finds_nothing(client, candidacy):
    token = tokens.make_token(candidacy, tokens.STATUS)
    services.anonymise_candidacy(candidacy=candidacy)
    assert client.post(reverse("projects:candidacy_reply", args=[token]), {"body": "Bonjour"}).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("coach", 403),
        ("reviewing coach", 403),
        ("other staff", 404),
        ("staff", 302),
        ("superuser", 302),
    ],
)
def test_who_may_write_to_an_applicant(client, candidacy, staff, structure, other_staff, who, status):
    users = {
        "coach": CoachFactory(partner_structure=structure),
        "reviewing coach": CoachFactory(partner_structure=structure, is_reviewer=True),
        "other staff": other_staff,
        "staff": staff,
        "superuser": SuperuserFactory(),
    }
    if who != "anonymous":
        client.force_login(users[who])
    response = client.post(reverse("projects:candidacy_message", args=[candidacy.pk]), {"body": "Bonjour"})
    assert response.status_code == status
    if who == "anonymous":
        assert reverse("login") in response["Location"]
    assert Message.objects.exists() == (who in ("staff", "superuser"))


def test_a_reviewing_coach_does_not_see_the_conversation(client, candidacy, staff, structure):
    services.write_to_applicant(candidacy=candidacy, author=staff, body=SECRET)
    client.force_login(CoachFactory(partner_structure=structure, is_reviewer=True))
    response = client.get(candidacy_page(candidacy))
    assert response.status_code == 200
    assert SECRET not in response.content.decode() and 'id="conversation"' not in response.content.decode()


def test_the_message_page_takes_posts_only(client, staff, candidacy):
    client.force_login(staff)
    assert client.get(reverse("projects:candidacy_message", args=[candidacy.pk])).status_code == 405
    assert (
        client.get(reverse("projects:candidacy_reply", args=[tokens.make_token(candidacy, tokens.STATUS)])).status_code
        == 405
    )


# --- A project's members ---------------------------------------------------------------------------------


def test_the_projects_coach_writes_to_its_members_who_answer_from_their_page(
    client, project, lea, structure, django_capture_on_commit_callbacks
):
    ProjectMemberFactory(project=project, name="Sans adresse", email="")
    noe = ProjectMemberFactory(project=project, name="Noé Roux", email="noe@exemple.fr")
    coach = CoachFactory(partner_structure=structure)
    CoachAssignmentFactory(project=project, coach=coach)
    client.force_login(coach)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, client.get(project_page(project)), {"body": SECRET}, action="/message/")
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["lea@exemple.fr", "noe@exemple.fr"]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert all(SECRET not in m.body for m in mail.outbox)
    # Each member gets their own page's link.
    (link,) = links_in(by_address["noe@exemple.fr"].body)
    assert member_page_url(noe) in link
    client.logout()

    page = client.get(member_page_url(lea))
    assert SECRET in page.content.decode()
    assert submit(client, page, {"body": "Bien reçu, on en parle jeudi."}, action="/message/").status_code == 302
    answer = Message.objects.get(author_kind=Author.MEMBER)
    assert answer.author_member == lea and answer.thread.project == project
    # The other member reads it on their own page, and the coach on the project's.
    assert "Bien reçu, on en parle jeudi." in client.get(member_page_url(noe)).content.decode()
    assert "Léa Martin" in client.get(member_page_url(noe)).content.decode()
    client.force_login(coach)
    assert "Bien reçu, on en parle jeudi." in client.get(project_page(project)).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_answers() == 1
    assert [m.to for m in mail.outbox] == [[coach.email]]
    assert reverse("projects:project_detail", args=[project.pk]) in mail.outbox[0].body


def test_a_member_of_another_project_does_not_see_the_conversation(client, project, lea, staff, cohort):
    services.write_to_members(project=project, author=staff, body=SECRET)
    stranger = ProjectMemberFactory(project=ProjectFactory(cohort=cohort))
    assert SECRET not in client.get(member_page_url(stranger)).content.decode()
    submit(client, client.get(member_page_url(stranger)), {"body": "Bonjour"}, action="/message/")
    assert Message.objects.get(author_kind=Author.MEMBER).thread.project_id == stranger.project_id


def test_a_forged_member_link_finds_nothing(client, lea):
    response = client.post(
        reverse("trainings:member_reply", args=[member_page_url(lea).split("/")[-2] + "x"]), {"body": "Hé"}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_a_members_empty_answer_is_refused_in_french(client, lea):
    response = submit(client, client.get(member_page_url(lea)), {"body": ""}, action="/message/")
    assert response.status_code == 200
    assert "Écrivez votre message avant de l&#x27;envoyer." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("coach of the project", 302), ("other coach", 404), ("other staff", 404), ("staff", 302)],
)
def test_who_may_write_to_a_projects_members(client, project, lea, staff, structure, other_staff, who, status):
    coach = CoachFactory(partner_structure=structure)
    CoachAssignmentFactory(project=project, coach=coach)
    users = {
        "coach of the project": coach,
        "other coach": CoachFactory(partner_structure=structure),
        "other staff": other_staff,
        "staff": staff,
    }
    if who != "anonymous":
        client.force_login(users[who])
    response = client.post(reverse("projects:project_message", args=[project.pk]), {"body": "Bonjour"})
    assert response.status_code == status
    if who == "anonymous":
        assert reverse("login") in response["Location"]
    assert Message.objects.exists() == (who in ("coach of the project", "staff"))


def test_a_staff_message_to_a_project_without_addresses_says_so(client, project, staff):
    ProjectMemberFactory(project=project, email="")
    client.force_login(staff)
    response = submit(client, client.get(project_page(project)), {"body": "Bonjour"}, action="/message/", follow=True)
    assert "aucun membre n&#x27;a d&#x27;adresse e-mail" in response.content.decode()


# --- Erasure -------------------------------------------------------------------------------------------


def test_anonymising_a_candidacy_deletes_its_conversation_and_leaves_no_word_in_the_trail(
    client, staff, candidacy, django_capture_on_commit_callbacks
):
    staff_writes(client, staff, candidacy, SECRET, django_capture_on_commit_callbacks)
    submit(client, client.get(status_page(candidacy)), {"body": "Camille Martin, 06 12 34 56 78"}, action="/message/")
    assert Message.objects.count() == 2
    services.anonymise_candidacy(candidacy=candidacy)
    assert not Thread.objects.filter(candidacy=candidacy).exists()
    assert not Message.objects.exists()
    trail = " ".join(str(entry.changes) + entry.object_repr for entry in LogEntry.objects.all())
    assert SECRET not in trail and "06 12 34 56 78" not in trail and "Camille Martin" not in trail
    # The trail still says messages were written, without their words.
    assert LogEntry.objects.filter(content_type__model="message").exists()


def test_erasing_a_person_removes_their_conversations(staff, candidacy, project, lea):
    accepted = CandidacyFactory(
        cohort=candidacy.cohort, status=Candidacy.Status.ACCEPTED, contact_email="lea@exemple.fr"
    )
    services.write_to_applicant(candidacy=accepted, author=staff, body="Pour Léa")
    services.write_to_members(project=project, author=staff, body="À toute l'équipe")
    services.answer_as_member(client=_request(), member=lea, body="Léa répond")
    services.erase_personal_data(email="lea@exemple.fr")
    assert not Message.objects.filter(thread__candidacy=accepted).exists()
    assert list(Message.objects.values_list("body", flat=True)) == ["À toute l'équipe"]


def test_the_personal_data_export_holds_the_conversation(staff, candidacy, project, lea):
    services.write_to_applicant(candidacy=candidacy, author=staff, body="Question")
    services.answer_as_applicant(client=_request(), candidacy=candidacy, body="Réponse")
    services.answer_as_member(client=_request(), member=lea, body="Léa répond")
    data = services.export_personal_data(email="camille@exemple.fr")
    assert [m["text"] for m in data["candidacies"][0]["messages"]] == ["Question", "Réponse"]
    data = services.export_personal_data(email="lea@exemple.fr")
    assert [m["text"] for m in data["project_memberships"][0]["messages_written"]] == ["Léa répond"]


# --- A long conversation keeps the pages light ----------------------------------------------------------


def _messages(*, candidacy=None, project=None, member=None, count, author):
    thread, _created = Thread.objects.get_or_create(candidacy=candidacy, project=project)
    rows = []
    for n in range(count):
        if n % 2:
            rows.append(Message(thread=thread, author_kind=Author.STAFF, author_user=author, body=f"Question {n}"))
        elif candidacy is not None:
            rows.append(Message(thread=thread, author_kind=Author.APPLICANT, body=f"Réponse {n}"))
        else:
            rows.append(Message(thread=thread, author_kind=Author.MEMBER, author_member=member, body=f"Réponse {n}"))
    Message.objects.bulk_create(rows)


@pytest.mark.parametrize("count", [4, 40])
def test_the_status_and_candidacy_pages_run_as_many_queries_with_4_or_40_messages(
    client, staff, candidacy, count, django_assert_max_num_queries
):
    _messages(candidacy=candidacy, count=count, author=staff)
    # The candidacy with its season and programme (1, then members, attachments, history: 3), the latest
    # messages with their authors (1) and, past a page's worth, their count (1); the session's save is none.
    with django_assert_max_num_queries(7):
        response = client.get(status_page(candidacy))
    assert response.content.decode().count('class="card mb-2') == min(count, conversations.SHOWN_MESSAGES)
    client.force_login(staff)
    with django_assert_max_num_queries(CANDIDACY_PAGE_QUERIES):
        response = client.get(candidacy_page(candidacy))
    assert response.content.decode().count('class="card mb-2') == min(count, conversations.SHOWN_MESSAGES)
    _messages(candidacy=candidacy, count=count * 10, author=staff)
    with django_assert_max_num_queries(CANDIDACY_PAGE_QUERIES):
        response = client.get(candidacy_page(candidacy))
    assert "messages plus anciens ne sont pas affichés" in response.content.decode()


@pytest.mark.parametrize("count", [4, 40])
def test_the_project_and_member_pages_run_as_many_queries_with_4_or_40_messages(
    client, staff, project, lea, count, django_assert_max_num_queries
):
    _messages(project=project, member=lea, count=count, author=staff)
    # The member with project and season, their days, the days' trainers, the latest messages, their count.
    with django_assert_max_num_queries(5):
        response = client.get(member_page_url(lea))
    assert response.content.decode().count('class="card mb-2') == min(count, conversations.SHOWN_MESSAGES)
    client.force_login(staff)
    # The project page's own 17 (session, user, the project and its relations, its figures, the trail and the
    # rows it names, the staff notes on the project and on its candidacy, its follow-ups), the latest messages
    # with their authors (1) and, past a page's worth, their count (1).
    with django_assert_max_num_queries(19):
        response = client.get(project_page(project))
    assert response.status_code == 200


def test_a_long_conversation_shows_its_latest_messages_in_order(staff, candidacy):
    _messages(candidacy=candidacy, count=45, author=staff)
    shown = services.conversation(candidacy=candidacy)
    assert shown.earlier == 15 and len(shown.messages) == conversations.SHOWN_MESSAGES
    assert [m.body for m in shown.messages][-1] == "Réponse 44"
    assert [m.body for m in shown.messages][0] == "Question 15"


def test_an_anonymised_candidacy_takes_no_more_messages(client, staff, candidacy):
    client.force_login(staff)
    page = client.get(candidacy_page(candidacy))
    services.anonymise_candidacy(candidacy=candidacy)
    response = submit(client, page, {"body": "Encore une question"}, action="/message/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cette candidature est anonymisée" in body
    assert not Message.objects.exists() and not OutgoingMail.objects.exists()
    assert (
        'action="/projets/candidatures/'
        not in client.get(candidacy_page(candidacy))
        .content.decode()
        .split('id="conversation"')[1]
        .split("</section>")[0]
    )


def test_a_thread_belongs_to_one_candidacy_or_one_project(candidacy, project):
    from django.db import IntegrityError, transaction

    for fields in ({}, {"candidacy": candidacy, "project": project}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Thread.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(thread=Thread.objects.create(candidacy=candidacy), author_kind=Author.STAFF, body="x")


def test_the_mails_are_the_programmes_so_its_staff_see_a_failure(staff, candidacy, project, lea):
    services.write_to_applicant(candidacy=candidacy, author=staff, body="Bonjour")
    services.write_to_members(project=project, author=staff, body="Bonjour")
    assert set(OutgoingMail.objects.values_list("programme", flat=True)) == {candidacy.cohort.programme_id}


def test_the_trail_knows_who_wrote_never_what(client, staff, candidacy, lea, django_capture_on_commit_callbacks):
    staff_writes(client, staff, candidacy, SECRET, django_capture_on_commit_callbacks)
    submit(client, client.get(status_page(candidacy)), {"body": "Réponse de Camille"}, action="/message/")
    submit(client, client.get(member_page_url(lea)), {"body": "Réponse de Léa"}, action="/message/")
    entries = list(LogEntry.objects.filter(content_type__model="message").order_by("pk"))
    assert [entry.actor for entry in entries] == [staff, None, None]
    assert [(entry.additional_data or {}).get("by") for entry in entries[1:]] == ["applicant", "member"]
    assert all("body" not in (entry.changes or {}) for entry in entries)
    trail = " ".join(str(entry.changes) + str(entry.serialized_data) for entry in entries)
    assert SECRET not in trail and "Réponse de" not in trail

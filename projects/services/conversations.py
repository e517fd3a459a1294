"""Conversations: the team writes to an applicant or to a project's members, who answer from their own page.

One thread per candidacy and per project. The team (staff, and a project's coaches) write from the candidacy's
or the project's page; the applicant answers on the candidacy's status page, a member on their member page, by
the signed links they already have: no account, no password.

What the e-mails carry. Each message is announced by an e-mail with the signed link, *without the message's
text*: an e-mail is read on shared computers, forwarded, kept in mailboxes and in the servers it crosses,
and the outbox keeps a copy of every body. A public service writing about someone's project (and, in
answers, about their situation) keeps the words on its own site, behind the person's link, where erasure
reaches them: anonymising a candidacy deletes its thread, and nothing of it is left in an e-mail the
programme can no longer take back. The same holds for the team's notice of an answer.

Answers are told to the team once each, in batches: `notify_answers` (beat, every few minutes) gathers the
answers nobody was told of yet and mails, per thread, the staff who wrote on it (or, when nobody did yet, the
programme's staff), then marks them told. Answers are counted per link, not per network address: one link
posts only so many messages an hour and a day (`CONVERSATION_ANSWER_RATES`).
"""

import enum
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from incubator.models import User
from incubator.security import over_rate_limit, record_rate_limit
from outbox.emails import Mail, render_email, send_after_commit, send_many_after_commit

from .. import tokens
from ..models import Candidacy, Message, Project, ProjectMember, Thread
from . import hooks

# How many messages a page shows, the latest ones: a long conversation keeps the page light.
SHOWN_MESSAGES = 30
# How many answers one run of the notification reads: the rest waits for the next run, minutes later.
NOTIFY_BATCH = 500
ANSWER_GROUP = "projects.conversation.answer"

Author = Message.Author


@dataclass(frozen=True)
class Conversation:
    """What a page shows of a thread: its latest messages in order, and how many earlier ones are not shown."""

    messages: list[Message]
    earlier: int

    @property
    def total(self) -> int:
        return len(self.messages) + self.earlier


def conversation(*, candidacy: Candidacy | None = None, project: Project | None = None) -> Conversation:
    """The latest `SHOWN_MESSAGES` of the candidacy's or the project's thread, oldest first: two queries."""
    if candidacy is not None:
        messages = Message.objects.filter(thread__candidacy=candidacy)
    else:
        messages = Message.objects.filter(thread__project=project)
    messages = messages.select_related("author_user", "author_member")
    latest = list(messages.order_by("-created_at", "-pk")[: SHOWN_MESSAGES + 1])
    if len(latest) <= SHOWN_MESSAGES:
        return Conversation(messages=latest[::-1], earlier=0)
    return Conversation(messages=latest[:SHOWN_MESSAGES][::-1], earlier=messages.count() - SHOWN_MESSAGES)


def _thread(*, candidacy: Candidacy | None = None, project: Project | None = None) -> Thread:
    if candidacy is not None:
        thread, _created = Thread.objects.get_or_create(candidacy=candidacy)
    else:
        thread, _created = Thread.objects.get_or_create(project=project)
    return thread


@dataclass(frozen=True)
class Written:
    message: Message
    told: list[str]  # the addresses the e-mail announcing it goes to


class ConversationClosed(Exception):
    """The candidacy is anonymised: nobody is left to write to, and its link no longer opens."""


@transaction.atomic
def write_to_applicant(*, candidacy: Candidacy, author: User, body: str) -> Written:
    """The team's message to an applicant; an e-mail in their language tells them it waits on their status page."""
    if candidacy.anonymised_at is not None:
        raise ConversationClosed
    message = Message.objects.create(
        thread=_thread(candidacy=candidacy), author_kind=Author.STAFF, author_user=author, body=body
    )
    told = []
    if candidacy.contact_email:
        with translation.override(candidacy.language):
            subject, text = render_email(
                "projects/emails/message_to_applicant",
                {"candidacy": candidacy, "link": tokens.absolute(tokens.status_url(candidacy)) + "#conversation"},
            )
        if send_after_commit(
            to=[candidacy.contact_email], subject=subject, body=text, programme=candidacy.cohort.programme_id
        ):
            told.append(candidacy.contact_email)
    return Written(message=message, told=told)


@transaction.atomic
def write_to_members(*, project: Project, author: User, body: str) -> Written:
    """The team's message to a project's members; each member with an address gets an e-mail with their own link."""
    message = Message.objects.create(
        thread=_thread(project=project), author_kind=Author.STAFF, author_user=author, body=body
    )
    members = list(project.members.exclude(email="").order_by("pk"))
    mails = []
    with translation.override(settings.LANGUAGE_CODE):
        for member in members:
            subject, text = render_email(
                "projects/emails/message_to_member",
                {"project": project, "member": member, "link": hooks.member_link(member) + "#conversation"},
            )
            mails.append(Mail(to=[member.email], subject=subject, body=text, programme=project.cohort.programme_id))
    rows = send_many_after_commit(mails)
    told = [member.email for member, row in zip(members, rows, strict=True) if row is not None]
    return Written(message=message, told=told)


class Answer(enum.Enum):
    SAVED = "saved"
    TOO_MANY = "too_many"  # nothing saved: this link posted its share for now


@dataclass(frozen=True)
class Answered:
    outcome: Answer
    message: Message | None = None


def _link_key(*, candidacy: Candidacy | None = None, member: ProjectMember | None = None) -> str:
    return f"candidacy:{candidacy.pk}" if candidacy is not None else f"member:{member.pk}"


def _over_limit(client, key: str) -> bool:
    return any(
        over_rate_limit(client, group=ANSWER_GROUP, rate=rate, key=key) for rate in settings.CONVERSATION_ANSWER_RATES
    )


def _record(client, key: str) -> None:
    for rate in settings.CONVERSATION_ANSWER_RATES:
        record_rate_limit(client, group=ANSWER_GROUP, rate=rate, key=key)


@transaction.atomic
def answer_as_applicant(*, client, candidacy: Candidacy, body: str) -> Answered:
    """The applicant's message, from their status page; the team is told by the next `notify_answers`."""
    key = _link_key(candidacy=candidacy)
    if _over_limit(client, key):
        return Answered(Answer.TOO_MANY)
    message = Message.objects.create(thread=_thread(candidacy=candidacy), author_kind=Author.APPLICANT, body=body)
    _record(client, key)
    return Answered(Answer.SAVED, message)


@transaction.atomic
def answer_as_member(*, client, member: ProjectMember, body: str) -> Answered:
    """A member's message, from their member page, to the project's thread."""
    key = _link_key(member=member)
    if _over_limit(client, key):
        return Answered(Answer.TOO_MANY)
    message = Message.objects.create(
        thread=_thread(project=member.project), author_kind=Author.MEMBER, author_member=member, body=body
    )
    _record(client, key)
    return Answered(Answer.SAVED, message)


# --- Telling the team --------------------------------------------------------------------------------


def _staff_of(programme_ids) -> dict[int, list[str]]:
    """The programme's staff addresses, per programme: told when nobody of the team wrote on a thread yet."""
    found: dict[int, set[str]] = {}
    rows = User.objects.filter(
        role=User.Role.STAFF, is_active=True, partner_structure__programmes__in=programme_ids
    ).values_list("partner_structure__programmes", "email")
    for programme_id, email in rows:
        found.setdefault(programme_id, set()).add(email)
    return {programme_id: sorted(emails) for programme_id, emails in found.items()}


@transaction.atomic
def notify_answers(*, now=None) -> int:
    """Tell the team of the answers nobody was told of yet: one e-mail per thread and run, listing how many.

    Each answer is told once: the rows are locked (a second run at the same moment skips them) and marked in the
    same transaction as the e-mails are written to the outbox. Returns how many answers were told.
    """
    now = now or timezone.now()
    pending = list(
        Message.objects.filter(notified_at__isnull=True)
        .exclude(author_kind=Author.STAFF)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("created_at", "pk")
        .values_list("pk", "thread_id")[:NOTIFY_BATCH]
    )
    if not pending:
        return 0
    counts: dict[int, int] = {}
    for _pk, thread_id in pending:
        counts[thread_id] = counts.get(thread_id, 0) + 1
    threads = Thread.objects.filter(pk__in=counts).select_related(
        "candidacy__cohort__programme", "project__cohort__programme"
    )
    writers: dict[int, set[str]] = {}
    for thread_id, email in (
        Message.objects.filter(thread__in=counts, author_kind=Author.STAFF, author_user__is_active=True)
        .values_list("thread_id", "author_user__email")
        .distinct()
    ):
        writers.setdefault(thread_id, set()).add(email)
    programme_of = {thread.pk: (thread.candidacy or thread.project).cohort.programme_id for thread in threads}
    staff = _staff_of(set(programme_of.values()))
    mails = []
    with translation.override(settings.LANGUAGE_CODE):
        for thread in threads:
            to = sorted(writers.get(thread.pk) or staff.get(programme_of[thread.pk], []))
            if not to:
                continue
            if thread.candidacy_id:
                page = reverse("projects:candidacy_detail", args=[thread.candidacy_id])
            else:
                page = reverse("projects:project_detail", args=[thread.project_id])
            subject, text = render_email(
                "projects/emails/new_answers",
                {
                    "thread": thread,
                    "subject": thread.candidacy or thread.project,
                    "count": counts[thread.pk],
                    "link": tokens.absolute(page) + "#conversation",
                },
            )
            mails.append(Mail(to=to, subject=subject, body=text, programme=programme_of[thread.pk]))
    send_many_after_commit(mails)
    Message.objects.filter(pk__in=[pk for pk, _thread_id in pending]).update(notified_at=now)
    return len(pending)


# --- Erasure -------------------------------------------------------------------------------------------


def erase_candidacy_thread(*, candidacy: Candidacy) -> list[Message]:
    """Delete the candidacy's conversation (its words are the person's); returns the messages deleted."""
    messages = list(Message.objects.filter(thread__candidacy=candidacy))
    Thread.objects.filter(candidacy=candidacy).delete()
    return messages


def erase_member_messages(*, members) -> list[Message]:
    """Delete what these members wrote on their projects' threads (the team's messages stay); returns them."""
    messages = list(Message.objects.filter(author_member__in=members))
    Message.objects.filter(pk__in=[message.pk for message in messages]).delete()
    return messages

"""Mailings: staff write to a season's members, to a day's invitees, to its coaches or to its trainers.

The text may carry placeholders, replaced for each person: {prénom}, {projet}, {journée} and {lien} (the person's
own link: their member page, or their answer link for the day). Which ones make sense depends on who is written
to (`ALLOWED`); the form refuses the others before anything is previewed.

Sending is once only: the `Mailing` row's `key`, drawn when the preview is shown, is unique. The confirmation
posted twice (a double click, two tabs, a repeated request) finds the row already there, or waits on the
unique index for the first one to commit, and sends nothing more. Each address is written to once per mailing
(unique mailing × address), in one insert of outbox rows that the workers send in batches (`outbox.emails`).
"""

import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from incubator.dates import format_date
from incubator.models import User
from outbox.emails import Mail, send_many_after_commit
from outbox.models import OutgoingMail
from projects.models import ProjectMember
from projects.services.personal_data import erased_person_name

from .. import tokens
from ..models import Attendance, Mailing, MailingRecipient, Trainer, TrainingSession

Audience = Mailing.Audience
MailStatus = OutgoingMail.Status

FIRST_NAME, PROJECT, DAY, LINK = "prénom", "projet", "journée", "lien"
PLACEHOLDERS = (FIRST_NAME, PROJECT, DAY, LINK)
# What each audience's placeholders can be filled with: a coach follows several projects and has no signed link,
# a trainer leads several days.
ALLOWED = {
    Audience.MEMBERS: {FIRST_NAME, PROJECT, LINK},
    **{audience: {FIRST_NAME, PROJECT, DAY, LINK} for audience in Mailing.DAY_AUDIENCES},
    Audience.COACHES: {FIRST_NAME},
    Audience.TRAINERS: {FIRST_NAME},
}
PLACEHOLDER = re.compile(r"\{([^{}\n]{1,40})\}")
PRESENT = Attendance.Presence.PRESENT


def _name(raw: str) -> str:
    return " ".join(raw.split()).lower()


def placeholder_errors(text: str, *, audience: str) -> list[str]:
    """What is wrong with the placeholders of a text written to `audience`, in French (empty: nothing)."""
    errors = []
    allowed = ALLOWED.get(audience, set())
    for raw in dict.fromkeys(PLACEHOLDER.findall(text)):
        name = _name(raw)
        if name not in PLACEHOLDERS:
            errors.append(
                _("« {%(name)s} » n'est pas un mot que l'envoi sait remplacer. Vous pouvez écrire : %(known)s.")
                % {"name": raw, "known": _listed(PLACEHOLDERS)}
            )
        elif name not in allowed:
            errors.append(
                _("« {%(name)s} » ne peut pas être rempli pour ces destinataires. Ici, vous pouvez écrire : %(known)s.")
                % {"name": raw, "known": _listed(name for name in PLACEHOLDERS if name in allowed)}
            )
    return errors


def _listed(names) -> str:
    return ", ".join(f"{{{name}}}" for name in names)


def fill(text: str, values: dict[str, str]) -> str:
    """The text with each placeholder replaced by the person's value; anything else between braces is left."""

    def replace(match):
        name = _name(match.group(1))
        return values[name] if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, text)


# --- Who is written to ---------------------------------------------------------------------------------------


@dataclass
class Recipient:
    email: str
    name: str
    first_name: str
    project: str = ""
    member: ProjectMember | None = None
    link: str = ""  # filled only when the text asks for it: signing a token per person has a cost

    def values(self, session: TrainingSession | None) -> dict[str, str]:
        return {
            FIRST_NAME: self.first_name,
            PROJECT: self.project,
            DAY: _day(session) if session else "",
            LINK: self.link,
        }


def _day(session: TrainingSession) -> str:
    return f"{session.title}, {format_date(session.date, 'l j F Y')}"


def _first_word(name: str) -> str:
    return (name.split() or [""])[0]


def _members(rows) -> list[Recipient]:
    return [
        Recipient(
            email=member.email,
            name=member.name,
            first_name=_first_word(member.name),
            project=member.project.name,
            member=member,
        )
        for member in rows
    ]


def recipients(*, cohort: Cohort, audience: str, session: TrainingSession | None = None) -> list[Recipient]:
    """The people a mailing reaches, each address once (the first row found keeps it), in a stable order."""
    if audience == Audience.MEMBERS:
        people = _members(
            ProjectMember.objects.filter(project__cohort=cohort)
            .exclude(email="")
            .select_related("project")
            .order_by("project__name", "name", "pk")
        )
    elif audience in Mailing.DAY_AUDIENCES:
        attendances = Attendance.objects.filter(session=session, session__cohort=cohort).exclude(member__email="")
        if audience == Audience.DAY_CONFIRMED:
            attendances = attendances.filter(response=Attendance.Response.CONFIRMED)
        elif audience == Audience.DAY_NO_ANSWER:
            attendances = attendances.filter(response=Attendance.Response.INVITED)
        elif audience == Audience.DAY_PRESENT:
            attendances = attendances.filter(Q(morning=PRESENT) | Q(afternoon=PRESENT))
        members = attendances.select_related("member__project").order_by("member__project__name", "member__name", "pk")
        people = _members(attendance.member for attendance in members)
    elif audience == Audience.COACHES:
        coaches = (
            User.objects.filter(assignments__cohort=cohort, assignments__ended_on__isnull=True, is_active=True)
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )
        people = [
            Recipient(email=user.email, name=user.get_full_name() or user.email, first_name=user.first_name)
            for user in coaches
        ]
    elif audience == Audience.TRAINERS:
        trainers = (
            Trainer.objects.filter(
                sessions__in=TrainingSession.objects.filter(cohort=cohort).exclude(
                    status=TrainingSession.Status.CANCELLED
                )
            )
            .exclude(email="")
            .distinct()
            .order_by("name", "pk")
        )
        people = [Recipient(email=t.email, name=t.name, first_name=_first_word(t.name)) for t in trainers]
    else:
        raise ValueError(audience)
    seen, unique = set(), []
    for person in people:
        address = person.email.strip().lower()
        if address and address not in seen:
            seen.add(address)
            person.email = address
            unique.append(person)
    return unique


def _with_links(people: list[Recipient], *, audience: str, session: TrainingSession | None) -> None:
    for person in people:
        if person.member is None:
            continue
        token = tokens.member_token(person.member)
        if audience in Mailing.DAY_AUDIENCES:
            url = reverse("trainings:member_answer", kwargs={"token": token, "session_pk": session.pk})
        else:
            url = reverse("trainings:member_page", kwargs={"token": token})
        person.link = tokens.absolute(url)


@dataclass(frozen=True)
class Written:
    to: str
    subject: str
    body: str


def _write(person: Recipient, *, subject: str, body: str, session: TrainingSession | None) -> Written:
    values = person.values(session)
    return Written(to=person.email, subject=" ".join(fill(subject, values).split()), body=fill(body, values))


def _asks_for_links(subject: str, body: str) -> bool:
    return any(_name(raw) == LINK for raw in PLACEHOLDER.findall(f"{subject}\n{body}"))


@dataclass(frozen=True)
class Preview:
    count: int
    example: Written | None
    key: uuid.UUID = field(default_factory=uuid.uuid4)


def preview_mailing(
    *, cohort: Cohort, audience: str, session: TrainingSession | None, subject: str, body: str
) -> Preview:
    """How many people the mailing would reach, and the first one's mail as it would leave; nothing is written."""
    people = recipients(cohort=cohort, audience=audience, session=session)
    if not people:
        return Preview(count=0, example=None)
    first = people[:1]
    if _asks_for_links(subject, body):
        _with_links(first, audience=audience, session=session)
    return Preview(count=len(people), example=_write(first[0], subject=subject, body=body, session=session))


# --- Sending -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    mailing: Mailing
    created: bool  # False: this confirmation had already been sent (a second click): nothing more went
    queued: int = 0


@transaction.atomic
def send_mailing(
    *,
    cohort: Cohort,
    key: uuid.UUID,
    audience: str,
    session: TrainingSession | None,
    subject: str,
    body: str,
    sent_by: User | None,
) -> Sent:
    """Write the mailing, one outbox row per recipient and the log of who got what, in one transaction.

    Safe to call twice with the same `key`, even at the same moment: the second call returns the first mailing.
    """
    already = Mailing.objects.filter(key=key).first()
    if already is not None:
        return Sent(mailing=already, created=False)
    try:
        with transaction.atomic():  # a concurrent confirmation holds the key: this insert waits, then fails
            mailing = Mailing.objects.create(
                cohort=cohort,
                key=key,
                audience=audience,
                session=session if audience in Mailing.DAY_AUDIENCES else None,
                subject=subject,
                body=body,
                sent_by=sent_by,
            )
    except IntegrityError:
        return Sent(mailing=Mailing.objects.get(key=key), created=False)
    people = recipients(cohort=cohort, audience=audience, session=mailing.session)
    if _asks_for_links(subject, body):
        _with_links(people, audience=audience, session=mailing.session)
    with translation.override(settings.LANGUAGE_CODE):
        written = [_write(person, subject=subject, body=body, session=mailing.session) for person in people]
    rows = send_many_after_commit(
        [Mail(to=[mail.to], subject=mail.subject, body=mail.body, programme=cohort.programme_id) for mail in written]
    )
    MailingRecipient.objects.bulk_create(
        MailingRecipient(mailing=mailing, email=person.email, name=person.name, member=person.member, mail=row)
        for person, row in zip(people, rows, strict=True)
    )
    return Sent(mailing=mailing, created=True, queued=sum(row is not None for row in rows))


# --- Results -------------------------------------------------------------------------------------------------

WAITING = (MailStatus.QUEUED, MailStatus.SENDING, MailStatus.RETRY)


def with_results(mailings: QuerySet) -> QuerySet:
    """Each mailing with its recipients counted by where their mail stands, in the same query."""
    return mailings.annotate(
        total=Count("recipients", distinct=True),
        sent=Count("recipients", filter=Q(recipients__mail__status=MailStatus.SENT), distinct=True),
        waiting=Count("recipients", filter=Q(recipients__mail__status__in=WAITING), distinct=True),
        failed=Count("recipients", filter=Q(recipients__mail__status=MailStatus.FAILED), distinct=True),
        not_sent=Count("recipients", filter=Q(recipients__mail__isnull=True), distinct=True),
    )


def mailing_recipients(mailing: Mailing) -> QuerySet:
    return mailing.recipients.select_related("mail").order_by("name", "pk")


# --- Erasure -------------------------------------------------------------------------------------------------


def _rows_of(*, email: str, members, cohorts: QuerySet | None):
    rows = MailingRecipient.objects.filter(Q(email__iexact=email.strip()) | Q(member__in=[m.pk for m in members]))
    return rows if cohorts is None else rows.filter(mailing__cohort__in=cohorts)


def mailings_received(*, email: str, members, cohorts: QuerySet | None = None) -> list[dict]:
    """A person's export (`projects.services.export_personal_data`): the mailings sent to them, each with the
    season, the day, what it said and when it went — the words as written, before their name filled them in."""
    rows = (
        _rows_of(email=email, members=members, cohorts=cohorts)
        .select_related("mailing__cohort", "mailing__session", "mail")
        .order_by("mailing__created_at", "pk")
    )
    return [
        {
            "season": row.mailing.cohort.name,
            "day": row.mailing.session.date.isoformat() if row.mailing.session else None,
            "sent_at": row.mailing.created_at.isoformat(),
            "to": row.email,
            "subject": row.mailing.subject,
            "message": row.mailing.body,
            "state": row.mail.status if row.mail else None,
        }
        for row in rows
    ]


def erase_person(*, email: str, members, cohorts: QuerySet | None = None) -> int:
    """A person erased (`projects.services.erase_personal_data`): their rows in the mailings' log keep the fact
    that a mail went, not to whom; their mails not gone yet are withdrawn, the others lose address and text.
    Returns how many rows were changed."""
    rows = _rows_of(email=email, members=members, cohorts=cohorts)
    mails = OutgoingMail.objects.filter(mailing_recipient__in=rows)
    mails.filter(status__in=[MailStatus.QUEUED, MailStatus.RETRY, MailStatus.FAILED]).delete()
    mails.update(to=[], body="", html_body="")
    return rows.update(email="", name=erased_person_name())

"""Applicants' personal data: kept only as long as needed, handed over or erased on request.

What stays after anonymisation is what the season figures count (season, territory, sector, stage, how the
applicant heard of the programme, status, dates, scores); everything a person typed or uploaded goes.
"""

import calendar
import datetime
import json
import logging
import re
import uuid
from enum import StrEnum
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from incubator import audit
from outbox.models import OutgoingMail

from ..models import (
    Actor,
    Candidacy,
    CandidacyMember,
    FollowUp,
    Message,
    ProjectMember,
    ReviewScore,
    StaffNote,
    StatusChange,
)
from . import hooks
from .candidacies import withdraw_candidacy
from .conversations import erase_candidacy_thread, erase_member_messages

logger = logging.getLogger(__name__)

Status = Candidacy.Status

# Blanked by anonymisation: everything typed by the applicant that could tell who they are.
FREE_TEXT_FIELDS = [
    "summary",
    "need",
    "collective_dimension",
    "economic_model",
    "anchoring",
    "expectations",
    "commune",
    "contact_name",
    "contact_email",
    "contact_phone",
]
CONTACT_FIELDS = ["contact_name", "contact_email", "contact_phone"]
PENDING_STATUSES = [Status.SUBMITTED, Status.UNDER_REVIEW, Status.SHORTLISTED]
# A candidacy still undecided long after its season ended was, in effect, not retained.
EXPIRING_STATUSES = [Status.REJECTED, Status.WITHDRAWN, *PENDING_STATUSES]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months later, or the month's last day when it has no such day (31 → 30)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Placeholders are stored in the database: in the site's reference language, whoever's request wrote them.
def anonymised_project_name() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Candidature anonymisée")


def deleted_draft_name() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Brouillon supprimé")


def erased_person_name() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Personne effacée")


def _delete_files_after_commit(attachments) -> None:
    """Remove the stored files once the rows are gone for good (not if the transaction rolls back)."""
    files = [(attachment.file.storage, attachment.file.name) for attachment in attachments if attachment.file.name]

    def delete():
        for storage, name in files:
            try:
                storage.delete(name)
            except Exception:
                # The rows are already gone: an orphan file is not worth failing the whole sweep for.
                logger.exception("Could not delete the stored file %s", name)

    if files:
        transaction.on_commit(delete)


@transaction.atomic
def anonymise_candidacy(*, candidacy: Candidacy) -> Candidacy:
    """Strip a candidacy of everything personal and every free-text answer, keeping what the figures count.

    Team members, documents (rows and stored files), status-change notes, review comments,
    conflict-of-interest notes, the staff notes on the candidacy and the conversation with the team go; season,
    territory, sector, stage, how they heard of the programme, status, dates and scores stay. Running it again
    changes nothing (the first date is kept).
    """
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    people = _people_of(candidacy)
    for field in FREE_TEXT_FIELDS:
        setattr(candidacy, field, "")
    candidacy.project_name = anonymised_project_name()
    candidacy.anonymised_at = candidacy.anonymised_at or timezone.now()
    candidacy.save(update_fields=[*FREE_TEXT_FIELDS, "project_name", "anonymised_at", "updated_at"])

    candidacy.members.all().delete()
    attachments = list(candidacy.attachments.all())
    candidacy.attachments.all().delete()
    _delete_files_after_commit(attachments)
    StatusChange.objects.filter(candidacy=candidacy).exclude(note="").update(note="")
    ReviewScore.objects.filter(review__candidacy=candidacy).exclude(comment="").update(comment="")
    candidacy.reviews.exclude(conflict_note="").update(conflict_note="")
    StaffNote.objects.filter(candidacy=candidacy).delete()
    # The conversation goes whole: the applicant's words, and the team's, which are about them.
    messages = erase_candidacy_thread(candidacy=candidacy)
    # The trail keeps no applicant's answer, but its rows still bear the project's old name and the reviews'.
    audit.scrub(
        targets=[candidacy, candidacy.reviews.select_related("candidacy", "reviewer"), *messages], within=people
    )
    return candidacy


def _people_of(candidacy: Candidacy) -> list[str]:
    """What names the candidacy's people: searched in the trail when they are erased."""
    values = [candidacy.project_name, candidacy.contact_name, candidacy.contact_email, candidacy.contact_phone]
    for member in candidacy.members.all():
        values += [member.name, member.email, member.phone]
    return [value for value in values if value]


@transaction.atomic
def delete_candidacy(*, candidacy: Candidacy) -> None:
    """Delete a draft for good, with its team, history and stored files."""
    attachments = list(candidacy.attachments.all())
    # The draft's entries in the trail stay (it existed, it was deleted) without its name.
    people = _people_of(candidacy)
    candidacy.project_name = deleted_draft_name()
    audit.scrub(targets=[candidacy], within=people)
    candidacy.delete()
    _delete_files_after_commit(attachments)


# --- The retention sweep ------------------------------------------------------------------------


class Expired(NamedTuple):
    to_anonymise: QuerySet
    drafts_to_delete: QuerySet


def expired_candidacies(*, today: datetime.date | None = None) -> Expired:
    """What the retention rules say must go today (read only: the dry run shows it).

    A rejected or withdrawn candidacy is kept until CANDIDACY_RETENTION_MONTHS months after its season's
    last day, that day included, and anonymised from the next day on. A draft is deleted once nobody
    touched it for more than CANDIDACY_DRAFT_RETENTION_DAYS days. Accepted candidacies became projects:
    they are never touched here.
    """
    today = today or timezone.localdate()
    months = settings.CANDIDACY_RETENTION_MONTHS
    # A handful of seasons a year: month arithmetic in Python is exact, SQL date functions differ by database.
    expired_seasons = [
        pk
        for pk, end_date in Cohort.objects.filter(end_date__lt=today).values_list("pk", "end_date")
        if add_months(end_date, months) < today
    ]
    to_anonymise = Candidacy.objects.filter(
        cohort__in=expired_seasons, status__in=EXPIRING_STATUSES, anonymised_at__isnull=True
    )
    last_kept_day = today - datetime.timedelta(days=settings.CANDIDACY_DRAFT_RETENTION_DAYS)
    cutoff = timezone.make_aware(datetime.datetime.combine(last_kept_day, datetime.time.min))
    drafts_to_delete = Candidacy.objects.filter(status=Status.DRAFT, updated_at__lt=cutoff)
    return Expired(to_anonymise.order_by("pk"), drafts_to_delete.order_by("pk"))


def anonymise_expired_candidacies(*, today: datetime.date | None = None) -> int:
    """Apply the retention rules; returns how many candidacies were anonymised or deleted.

    Each candidacy is handled in its own transaction, so one failure does not undo the others and rows
    stay locked briefly. Safe to run twice: what is already done is not selected again.
    """
    today = today or timezone.localdate()
    count = 0
    for kind in Expired._fields:
        for pk in list(getattr(expired_candidacies(today=today), kind).values_list("pk", flat=True)):
            with transaction.atomic():
                # Checked again under the row lock: the applicant may have just come back to their draft.
                candidacy = getattr(expired_candidacies(today=today), kind).select_for_update().filter(pk=pk).first()
                if candidacy is None:
                    continue
                if kind == "drafts_to_delete":
                    delete_candidacy(candidacy=candidacy)
                else:
                    anonymise_candidacy(candidacy=candidacy)
                count += 1
    return count


# --- Requests from one person (export, erasure) ---------------------------------------------------


def _redact(rows: QuerySet, field: str, people) -> int:
    """Replace what names a person (name, address, phone) by « [effacé] » in one text field of these rows; returns
    how many rows changed."""
    needles = sorted({value.strip() for value in people if value and len(value.strip()) >= 3}, key=len, reverse=True)
    if not needles:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        erased = str(audit.ERASED)
    pattern = re.compile("|".join(re.escape(needle) for needle in needles), flags=re.IGNORECASE)
    changed = []
    for row in rows.filter(reduce(or_, (Q(**{f"{field}__icontains": needle}) for needle in needles))):
        setattr(row, field, pattern.sub(erased, getattr(row, field)))
        changed.append(row)
    # In bulk: no new entry in the trail quotes the old text (the trail is scrubbed of the person afterwards).
    rows.model.objects.bulk_update(changed, [field])
    return len(changed)


def redact_notes(notes: QuerySet, people) -> int:
    """Replace what names a person (name, address, phone) by « [effacé] » in these staff notes; returns how many
    notes changed."""
    return _redact(notes, "text", people)


def redact_actor_contacts(actors: QuerySet, people) -> int:
    """The directory's cards keep the organisation; the person to reach there, when it is the erased person, goes."""
    return _redact(actors, "contact", people)


def staff_notes_about(*, email: str, cohorts: QuerySet | None = None) -> int:
    """How many staff notes are on the person's candidacies and on the projects they are a member of: staff read
    them before answering an access request (see `export_personal_data`)."""
    candidacies = candidacies_of(email=email, cohorts=cohorts).values("pk")
    projects = project_memberships_of(email=email, cohorts=cohorts).values("project")
    return StaffNote.objects.filter(Q(candidacy__in=candidacies) | Q(project__in=projects)).count()


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        # An empty address would match every team member who gave none.
        raise ValueError("An e-mail address is required.")
    return email


def candidacies_of(*, email: str, cohorts: QuerySet | None = None) -> QuerySet:
    """Candidacies where the person is the contact or a team member, whatever the case of the address."""
    email = _clean_email(email)
    as_member = CandidacyMember.objects.filter(email__iexact=email).values("candidacy_id")
    candidacies = Candidacy.objects.filter(Q(contact_email__iexact=email) | Q(pk__in=as_member))
    if cohorts is not None:
        candidacies = candidacies.filter(cohort__in=cohorts)
    return candidacies


def project_memberships_of(*, email: str, cohorts: QuerySet | None = None) -> QuerySet:
    email = _clean_email(email)
    memberships = ProjectMember.objects.filter(email__iexact=email)
    if cohorts is not None:
        memberships = memberships.filter(project__cohort__in=cohorts)
    return memberships


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_personal_data(*, email: str, cohorts: QuerySet | None = None) -> dict:
    """Everything held about one person, as plain JSON-serialisable data.

    `cohorts` limits it to some seasons (the programmes a staff member runs); None means everything.
    A person who is only a team member of someone else's candidacy gets the project's answers and their
    own entry in the team, not the contact's details nor the other members' (those are other people's data).
    Status notes and reviews are the programme's internal work and are left out.

    Staff notes are left out too. They are personal data when they are about the person, and the right of access
    (GDPR art. 15) covers them; but they are written by several people, quote other members of the team and the
    programme's own deliberations, which art. 15(4) protects. So they are not handed over by this automatic export,
    where nobody reads them first: the personal-data page counts them, for staff to read and pass on by hand
    what concerns the person alone when they ask for it.
    """
    email = _clean_email(email)
    candidacies = (
        candidacies_of(email=email, cohorts=cohorts)
        .select_related("cohort__programme", "territory")
        .prefetch_related("members", "attachments", "history")
        .order_by("created_at", "pk")
    )
    memberships = (
        project_memberships_of(email=email, cohorts=cohorts)
        .select_related("project__cohort__programme", "project__territory")
        .prefetch_related("attendances__session")
    )
    follow_ups = FollowUp.objects.filter(email__iexact=email).select_related("project__cohort__programme")
    if cohorts is not None:
        follow_ups = follow_ups.filter(project__cohort__in=cohorts)
    # Recorded in the trail without the address nor the data: which rows were handed over, by whom.
    audit.record_event(candidacies, event="personal_data_export")
    audit.record_event(memberships, event="personal_data_export", object_repr=_membership_label)
    return {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "candidacies": [_candidacy_data(candidacy, email) for candidacy in candidacies],
        "project_memberships": [
            {
                "project": membership.project.name,
                "programme": membership.project.cohort.programme.name,
                "season": membership.project.cohort.name,
                "territory": str(membership.project.territory) if membership.project.territory else "",
                "commune": membership.project.commune,
                "name": membership.name,
                "email": membership.email,
                "phone": membership.phone,
                "role": membership.role,
                "collective_days": [
                    {
                        "date": attendance.session.date.isoformat(),
                        "title": attendance.session.title,
                        "answer": attendance.response,
                        "morning": attendance.morning,
                        "afternoon": attendance.afternoon,
                    }
                    for attendance in sorted(membership.attendances.all(), key=lambda a: a.session.date)
                ],
                "messages_written": [
                    {"at": _iso(message.created_at), "text": message.body}
                    for message in Message.objects.filter(author_member=membership).order_by("created_at", "pk")
                ],
            }
            for membership in memberships.order_by("project__cohort__start_date", "pk")
        ],
        # The follow-ups mailed to them months after a season, and what was answered behind the link.
        "follow_ups": [_follow_up_data(follow_up) for follow_up in follow_ups.order_by("due_on", "pk")],
        # The mailings staff sent them (kept by trainings).
        "mailings_received": hooks.mailings_received(email=email, members=list(memberships), cohorts=cohorts),
    }


def _follow_up_data(follow_up: FollowUp) -> dict:
    answered = follow_up.answered_at is not None
    return {
        "project": follow_up.project.name,
        "programme": follow_up.project.cohort.programme.name,
        "season": follow_up.project.cohort.name,
        "months_after_season": follow_up.months,
        "email": follow_up.email,
        "sent_at": _iso(follow_up.sent_at),
        "reminded_at": _iso(follow_up.reminded_at),
        "answered_at": _iso(follow_up.answered_at),
        "answer": {
            "status": follow_up.status,
            "legal_form": follow_up.legal_form,
            "jobs_fte": str(follow_up.jobs_fte) if follow_up.jobs_fte is not None else None,
            "volunteers": follow_up.volunteers,
            "funds_raised": str(follow_up.funds_raised) if follow_up.funds_raised is not None else None,
            "sentence": follow_up.sentence,
        }
        if answered
        else None,
    }


def _membership_label(membership: ProjectMember) -> str:
    """A team entry in the trail is named by its project, never by the person."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Membre de « %(project)s »") % {"project": membership.project.name}


def _candidacy_data(candidacy: Candidacy, email: str) -> dict:
    is_contact = candidacy.contact_email.lower() == email.lower()
    team = [m for m in candidacy.members.all() if is_contact or m.email.lower() == email.lower()]
    data = {
        "reference": candidacy.reference,
        "programme": candidacy.cohort.programme.name,
        "season": candidacy.cohort.name,
        "role": "contact" if is_contact else "team_member",
        "status": candidacy.status,
        "status_label": str(candidacy.get_status_display()),
        "created_at": _iso(candidacy.created_at),
        "submitted_at": _iso(candidacy.submitted_at),
        "consent_at": _iso(candidacy.consent_at),
        "answers": {
            "project_name": candidacy.project_name,
            "summary": candidacy.summary,
            "need": candidacy.need,
            "collective_dimension": candidacy.collective_dimension,
            "economic_model": candidacy.economic_model,
            "territory": str(candidacy.territory) if candidacy.territory else "",
            "commune": candidacy.commune,
            "anchoring": candidacy.anchoring,
            "sector": str(candidacy.get_sector_display()),
            "stage": str(candidacy.get_stage_display()),
            "expectations": candidacy.expectations,
            "heard_from": str(candidacy.get_heard_from_display()),
        },
        "team": [{"name": m.name, "email": m.email, "phone": m.phone, "role": m.role} for m in team],
        "status_history": [
            {"at": _iso(change.at), "from_status": change.from_status, "to_status": change.to_status}
            for change in candidacy.history.all()
        ],
        "attachments": [
            {"name": a.original_name, "size": a.size, "uploaded_at": _iso(a.uploaded_at)}
            for a in candidacy.attachments.all()
        ],
    }
    if is_contact:
        data["messages"] = [
            {"at": _iso(message.created_at), "from": message.author_kind, "text": message.body}
            for message in Message.objects.filter(thread__candidacy=candidacy).order_by("created_at", "pk")
        ]
        data["contact"] = {
            "name": candidacy.contact_name,
            "email": candidacy.contact_email,
            "phone": candidacy.contact_phone,
        }
    return data


class Erasure(StrEnum):
    """What an erasure request does to one candidacy (the staff page shows it before anyone confirms)."""

    DELETE = "delete"
    WITHDRAW_AND_ANONYMISE = "withdraw_and_anonymise"
    ANONYMISE = "anonymise"
    KEEP_PROJECT = "keep_project"
    LEAVE_TEAM = "leave_team"


def erasure_outcome(*, candidacy: Candidacy, email: str) -> Erasure:
    if candidacy.contact_email.lower() != email.strip().lower():
        return Erasure.LEAVE_TEAM
    if candidacy.status == Status.DRAFT:
        return Erasure.DELETE
    if candidacy.status == Status.ACCEPTED:
        return Erasure.KEEP_PROJECT
    if candidacy.status in PENDING_STATUSES:
        return Erasure.WITHDRAW_AND_ANONYMISE
    return Erasure.ANONYMISE


@transaction.atomic
def _erase_mails_to(email: str, cohorts: QuerySet | None) -> int:
    """The outbox's mails to this address: the unsent withdrawn, the sent emptied. The address is matched as a
    whole item of the recipients' list (its JSON text holds it in quotes), whatever its case, on any database."""
    mails = OutgoingMail.objects.annotate(recipients=Cast("to", TextField())).filter(
        recipients__icontains=json.dumps(email, ensure_ascii=False)
    )
    if cohorts is not None:
        mails = mails.filter(programme__in=cohorts.values("programme"))
    withdrawn, _kinds = mails.filter(
        status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.RETRY, OutgoingMail.Status.FAILED]
    ).delete()
    with translation.override(settings.LANGUAGE_CODE):
        erased = str(audit.ERASED)
    emptied = mails.exclude(status=OutgoingMail.Status.SENDING).update(
        to=[], subject=erased, body="", html_body="", attachments=[]
    )
    return withdrawn + emptied


def erase_personal_data(*, email: str, cohorts: QuerySet | None = None) -> int:
    """Erase one person from the candidacies and projects; returns how many records were changed.

    - Their drafts are deleted, with their files.
    - Their candidacies still under study (sent, under review, shortlisted) are first withdrawn, as if
      they had withdrawn them themselves, then anonymised like their rejected and withdrawn ones.
    - Their accepted candidacies became projects, which the programme keeps for the season reports its
      funders ask for: the project (name, presentation, sector, territory) and the candidacy's answers and
      documents stay, but the contact details are blanked and the person leaves the candidacy's team.
      Staff should still read those documents and answers, and edit out what is about the person.
    - They leave the teams of other people's candidacies.
    - In the projects' teams their entry stays (the team had that member) but the name becomes
      « Personne effacée » and the e-mail and phone are blanked; the role is kept.
    - The staff notes on the candidacies they sent are deleted, even when the candidacy became a project; in the
      notes on that project, on the projects they were a member of and on other people's candidacies they were in
      the team of, their name, address and phone are replaced by « [effacé] ».
    - The follow-ups mailed to them after a season keep the project's answers, without their address.
    - In the directory of actors, a card whose contact gives their name, address or phone keeps the organisation,
      with « [effacé] » in their place.
    - In the audit trail, every row that quotes their name, address or phone has it replaced by « [effacé] »;
      the erasure itself is recorded on each record, without any of the data. Staff notes never enter it.
    - Conversations: a candidacy's thread is deleted whole; on projects, the messages they wrote are deleted.
    - The outbox: mails to them not sent yet are withdrawn; those sent keep that a mail went, not to whom nor what
      it said (reminders, invitations, links, answers to the team).

    `cohorts` limits the erasure to some seasons (those of the programmes a staff member runs); None
    means everywhere.
    """
    email = _clean_email(email)
    changed = 0
    candidacies = candidacies_of(email=email, cohorts=cohorts).select_for_update().order_by("pk")
    memberships = list(project_memberships_of(email=email, cohorts=cohorts).select_related("project"))
    # Whatever names the person, searched in every row of the trail once the erasure is done.
    people = {email}
    erased = []
    mentioned_in: list[Q] = []  # notes where they may be named among others: the names go
    for candidacy in candidacies:
        changed += 1
        outcome = erasure_outcome(candidacy=candidacy, email=email)
        if outcome in (Erasure.LEAVE_TEAM, Erasure.KEEP_PROJECT):
            for member in candidacy.members.filter(email__iexact=email):
                people |= {member.name, member.phone}
        if outcome != Erasure.LEAVE_TEAM:
            people |= {candidacy.contact_name, candidacy.contact_phone}
        if outcome == Erasure.DELETE:
            audit.record_event([candidacy], event="personal_data_erasure", object_repr=deleted_draft_name())
            delete_candidacy(candidacy=candidacy)
            continue
        if outcome in (Erasure.LEAVE_TEAM, Erasure.KEEP_PROJECT):
            candidacy.members.filter(email__iexact=email).delete()
        if outcome == Erasure.LEAVE_TEAM:
            mentioned_in.append(Q(candidacy=candidacy.pk))
        if outcome == Erasure.KEEP_PROJECT:
            StaffNote.objects.filter(candidacy=candidacy).delete()
            mentioned_in.append(Q(project__candidacy=candidacy.pk))
            for field in CONTACT_FIELDS:
                setattr(candidacy, field, "")
            candidacy.save(update_fields=[*CONTACT_FIELDS, "updated_at"])
            # The project stays, the conversation with the person who applied does not.
            audit.scrub(targets=erase_candidacy_thread(candidacy=candidacy), within=people)
        if outcome == Erasure.WITHDRAW_AND_ANONYMISE:
            candidacy = withdraw_candidacy(candidacy=candidacy)
        if outcome in (Erasure.WITHDRAW_AND_ANONYMISE, Erasure.ANONYMISE):
            candidacy = anonymise_candidacy(candidacy=candidacy)
        erased.append(candidacy)

    # The mailings' log (kept by trainings) keeps that a mail went, not to whom.
    changed += hooks.erase_person(email=email, members=memberships, cohorts=cohorts)
    # What they wrote to the team goes; the team's messages to the whole project stay.
    audit.scrub(targets=erase_member_messages(members=memberships))
    # A new calendar key too: the old feed address stops working.
    for membership in memberships:
        people |= {membership.name, membership.phone}
        membership.name, membership.email, membership.phone = erased_person_name(), "", ""
        membership.calendar_key = uuid.uuid4()
        membership.save(update_fields=["name", "email", "phone", "calendar_key"])
        changed += 1
    mentioned_in += [Q(project=membership.project_id) for membership in memberships]
    if mentioned_in:
        changed += redact_notes(StaffNote.objects.filter(reduce(or_, mentioned_in)), people)
    follow_ups = FollowUp.objects.filter(email__iexact=email)
    if cohorts is not None:
        follow_ups = follow_ups.filter(project__cohort__in=cohorts)
    changed += follow_ups.update(email="")
    actors = Actor.objects.all()
    if cohorts is not None:
        actors = actors.filter(programme__in=cohorts.values("programme"))
    changed += redact_actor_contacts(actors, people)
    changed += _erase_mails_to(email, cohorts)
    audit.scrub(everywhere=people)
    audit.record_event(erased, event="personal_data_erasure")
    audit.record_event(memberships, event="personal_data_erasure", object_repr=_membership_label)
    return changed

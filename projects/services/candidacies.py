"""A candidacy's life: drafted and sent by the applicant, then moved through the workflow by staff."""

import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from outbox.emails import render_email, send_after_commit

from .. import tokens
from ..models import (
    Attachment,
    Candidacy,
    CandidacyMember,
    DecisionMessage,
    Project,
    ProjectMember,
    Review,
    StatusChange,
)
from . import hooks
from .coaching import create_default_milestones

Status = Candidacy.Status

# Where staff may move a candidacy (withdrawal is the applicant's own move).
TRANSITIONS = {
    Status.SUBMITTED: {Status.UNDER_REVIEW, Status.REJECTED},
    Status.UNDER_REVIEW: {Status.SHORTLISTED, Status.REJECTED},
    Status.SHORTLISTED: {Status.ACCEPTED, Status.REJECTED},
}
DECISIONS = {Status.SHORTLISTED, Status.ACCEPTED, Status.REJECTED}
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread on the phone


class TransitionNotAllowed(Exception):
    pass


class CallClosed(Exception):
    pass


class ConflictOfInterest(Exception):
    """The person declared a conflict of interest on this candidacy: they neither score nor decide it."""


class PlacesFull(Exception):
    """Every place of the season is taken: accepting one more needs staff to confirm it."""


@transaction.atomic
def save_draft(
    *,
    candidacy: Candidacy | None,
    cohort: Cohort,
    fields: dict,
    members: list[dict] | None = None,
    new_files=(),
    removed_attachments=(),
    send_link: bool = True,
) -> Candidacy:
    """Keep what the applicant typed and uploaded so far; nothing here needs to be complete.

    The link to come back is mailed to a new contact address, unless the candidacy is being sent at once
    (`send_link=False`): its confirmation carries the link that matters then.
    """
    created = candidacy is None
    previous_email = ""
    if created:
        # The applicant's language: every e-mail about this candidacy is written in it.
        candidacy = Candidacy(cohort=cohort, language=translation.get_language() or settings.LANGUAGE_CODE)
    else:
        # Checked under a row lock: the draft may have just been sent from another tab, or purged.
        locked = Candidacy.objects.select_for_update().filter(pk=candidacy.pk, status=Status.DRAFT).first()
        if locked is None:
            raise TransitionNotAllowed
        previous_email = locked.contact_email
    for name, value in fields.items():
        setattr(candidacy, name, value)
    candidacy.save()
    if members is not None:
        _save_team(candidacy, members)
    for attachment in removed_attachments:
        _delete_attachment(attachment)
    for upload in new_files:
        Attachment.objects.create(
            candidacy=candidacy,
            file=upload,
            original_name=upload.name[:255],
            content_type=upload.detected_content_type,
            size=upload.size,
        )
    if send_link and candidacy.contact_email and candidacy.contact_email != previous_email:
        _send_draft_link(candidacy)
    return candidacy


def _save_team(candidacy: Candidacy, members: list[dict]) -> None:
    """The team becomes exactly `members`: a member with the `id` of one of the candidacy's people updates
    that person (so the page's rows keep pointing at them), one without joins, anyone not listed leaves."""
    existing = {person.pk: person for person in candidacy.members.all()}
    kept, new = set(), []
    for member in members:
        fields = {name: value for name, value in member.items() if name != "id"}
        person = existing.get(member.get("id"))
        if person is None:
            new.append(CandidacyMember(candidacy=candidacy, **fields))
            continue
        kept.add(person.pk)
        if any(getattr(person, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(person, name, value)
            person.save(update_fields=list(fields))
    candidacy.members.exclude(pk__in=kept).delete()
    CandidacyMember.objects.bulk_create(new)


def _delete_attachment(attachment: Attachment) -> None:
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def _send_draft_link(candidacy: Candidacy) -> None:
    subject, body = render_email(
        "projects/emails/draft_link",
        {"candidacy": candidacy, "link": tokens.absolute(tokens.draft_url(candidacy))},
    )
    send_after_commit(to=[candidacy.contact_email], subject=subject, body=body, programme=candidacy.cohort.programme_id)


@transaction.atomic
def submit_candidacy(*, candidacy: Candidacy) -> Candidacy:
    candidacy = Candidacy.objects.select_for_update().select_related("cohort").get(pk=candidacy.pk)
    if candidacy.status != Status.DRAFT:
        raise TransitionNotAllowed
    if not candidacy.cohort.call_is_open():
        raise CallClosed
    candidacy.status = Status.SUBMITTED
    candidacy.submitted_at = timezone.now()
    while True:
        candidacy.reference = new_reference(candidacy.cohort)
        try:
            with transaction.atomic():  # another submission may draw the same reference at the same moment
                candidacy.save(update_fields=["reference", "status", "submitted_at", "updated_at"])
            break
        except IntegrityError:
            continue
    StatusChange.objects.create(candidacy=candidacy, from_status=Status.DRAFT, to_status=Status.SUBMITTED)
    subject, body = render_email(
        "projects/emails/candidacy_submitted",
        {"candidacy": candidacy, "link": tokens.absolute(tokens.status_url(candidacy))},
    )
    send_after_commit(to=[candidacy.contact_email], subject=subject, body=body, programme=candidacy.cohort.programme_id)
    return candidacy


def new_reference(cohort: Cohort) -> str:
    while True:
        reference = f"{cohort.start_date.year}-{''.join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))}"
        if not Candidacy.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def withdraw_candidacy(*, candidacy: Candidacy, note: str = "") -> Candidacy:
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    if not candidacy.can_be_withdrawn:
        raise TransitionNotAllowed
    return _move(candidacy, Status.WITHDRAWN, by=None, note=note)


@transaction.atomic
def change_status(
    *, candidacy: Candidacy, to_status: str, by, note: str = "", confirm_over_capacity: bool = False
) -> Candidacy:
    """Staff move a candidacy one step; accepting it creates its project in the season.

    Whoever declared a conflict of interest on the candidacy cannot move it (`ConflictOfInterest`).
    """
    candidacy = Candidacy.objects.select_for_update().select_related("cohort__programme").get(pk=candidacy.pk)
    if has_conflict(candidacy=candidacy, user=by):
        raise ConflictOfInterest
    if to_status not in TRANSITIONS.get(candidacy.status, ()):
        raise TransitionNotAllowed
    if to_status == Status.ACCEPTED:
        # Lock the season so that two staff accepting at once cannot both take the last place.
        cohort = Cohort.objects.select_for_update().get(pk=candidacy.cohort_id)
        if cohort.projects.count() >= cohort.places and not confirm_over_capacity:
            raise PlacesFull
        _create_project(candidacy)
    candidacy = _move(candidacy, to_status, by=by, note=note)
    if to_status in DECISIONS:
        subject, body = decision_message(candidacy)
        send_after_commit(
            to=[candidacy.contact_email], subject=subject, body=body, programme=candidacy.cohort.programme_id
        )
    return candidacy


def has_conflict(*, candidacy: Candidacy, user) -> bool:
    """Whether `user` stepped aside from this candidacy by declaring a conflict of interest."""
    if user is None or not user.pk:
        return False
    return Review.objects.filter(candidacy=candidacy, reviewer=user, conflict_of_interest=True).exists()


def _move(candidacy: Candidacy, to_status: str, *, by, note: str) -> Candidacy:
    StatusChange.objects.create(
        candidacy=candidacy, from_status=candidacy.status, to_status=to_status, by=by, note=note
    )
    candidacy.status = to_status
    candidacy.save(update_fields=["status", "updated_at"])
    return candidacy


def _create_project(candidacy: Candidacy) -> Project:
    project = Project.objects.create(
        cohort=candidacy.cohort,
        candidacy=candidacy,
        name=candidacy.project_name,
        summary=candidacy.summary,
        sector=candidacy.sector,
        territory=candidacy.territory,
        commune=candidacy.commune,
    )
    ProjectMember.objects.bulk_create(
        ProjectMember(project=project, name=m.name, email=m.email, phone=m.phone, role=m.role)
        for m in candidacy.members.all()
    )
    create_default_milestones(project=project)
    hooks.invite_members(members=project.members.all())  # the season's collective days still to come
    return project


# --- Decision e-mails, worded by staff -----------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(projet|saison|reference|lien_suivi)\}")


def default_decision_texts() -> dict[str, tuple[str, str]]:
    return {
        Status.SHORTLISTED: (
            _("Votre candidature « {projet} » est présélectionnée"),
            _(
                "Bonjour,\n\nBonne nouvelle : votre candidature « {projet} » pour la {saison} est présélectionnée. "
                "L'équipe du programme vous contacte très vite pour convenir d'un entretien.\n\n"
                "Vous pouvez suivre votre candidature (référence {reference}) ici :\n{lien_suivi}\n\n"
                "À bientôt,\nL'équipe du programme"
            ),
        ),
        Status.ACCEPTED: (
            _("Votre projet « {projet} » est retenu"),
            _(
                "Bonjour,\n\nNous avons le plaisir de vous annoncer que votre projet « {projet} » est retenu pour "
                "la {saison}. Vous recevrez bientôt le calendrier des journées collectives et le nom de la personne "
                "qui vous accompagnera.\n\nSuivi de votre candidature (référence {reference}) :\n{lien_suivi}\n\n"
                "Bienvenue dans le programme !\nL'équipe du programme"
            ),
        ),
        Status.REJECTED: (
            _("Votre candidature « {projet} »"),
            _(
                "Bonjour,\n\nMerci pour votre candidature « {projet} » pour la {saison}. Après une lecture attentive, "
                "nous ne pouvons pas la retenir cette fois-ci. Ce n'est pas un jugement sur la valeur de votre "
                "projet : n'hésitez pas à nous écrire pour en parler, ou à candidater de nouveau à une prochaine "
                "saison.\n\nSuivi de votre candidature (référence {reference}) :\n{lien_suivi}\n\n"
                "Bien cordialement,\nL'équipe du programme"
            ),
        ),
    }


def decision_message(candidacy: Candidacy) -> tuple[str, str]:
    """The subject and text of the e-mail for the candidacy's current decision, in the applicant's language."""
    saved = DecisionMessage.objects.filter(programme_id=candidacy.cohort.programme_id, kind=candidacy.status).first()
    with translation.override(candidacy.language):
        subject, body = (saved.subject, saved.body) if saved else default_decision_texts()[candidacy.status]
    values = {
        "projet": candidacy.project_name,
        "saison": candidacy.cohort.name,
        "reference": candidacy.reference or "",
        "lien_suivi": tokens.absolute(tokens.status_url(candidacy)),
    }

    def fill(text):
        return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)

    return " ".join(fill(subject).split()), fill(body)

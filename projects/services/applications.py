"""What becomes of the application form when it is posted: kept, sent, or refused — decided here, told by the view.

The form and its team formset have already read the post; this decides what to save, checks the limits that keep
robots from turning the form into a mail cannon, and sends the candidacy when asked. Limits count per network
address (`client`, the request), and fail open when the shared cache does not answer.
"""

import enum
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from cohorts.models import Cohort
from incubator.security import over_rate_limit, record_rate_limit

from ..models import Candidacy
from .candidacies import CallClosed, save_draft, submit_candidacy

SEND_GROUP = "projects.apply.submit"
DRAFT_GROUP = "projects.apply.new-draft"
ADDRESS_GROUP = "projects.apply.mails-to-address"


class Outcome(enum.Enum):
    SAVED = "saved"  # a draft, its link mailed when the address is new
    SENT = "sent"  # sent, its confirmation mailed
    INVALID = "invalid"  # answers to correct; kept when there was something worth keeping (`candidacy` then)
    TOO_MANY_DRAFTS = "too_many_drafts"  # nothing saved: this address started too many drafts this hour
    TOO_MANY_SENT = "too_many_sent"  # nothing new saved (a draft's changes are): too many sent this hour
    CALL_CLOSED = "call_closed"  # kept as a draft: the call closed meanwhile
    TOO_MANY_MAILS = "too_many_mails"  # nothing saved: this contact address was mailed too often lately


@dataclass(frozen=True)
class Received:
    outcome: Outcome
    candidacy: Candidacy | None = None


def receive_application(
    *, client, form, members, cohort: Cohort, candidacy: Candidacy | None, sending: bool
) -> Received:
    """Keep, send or refuse what the applicant posted; `form` and `members` are bound and not validated yet."""
    valid = form.is_valid() & members.is_valid()
    if form.has_error(NON_FIELD_ERRORS, code="robot"):
        # A filled honeypot or a post faster than a person: nothing is saved, nothing is mailed.
        return Received(Outcome.INVALID, candidacy)
    keeping = valid or candidacy is not None or bool(form.cleaned_data.get("documents"))
    new_draft = keeping and candidacy is None
    if new_draft and over_rate_limit(client, group=DRAFT_GROUP, rate=settings.APPLY_DRAFT_RATE):
        return Received(Outcome.TOO_MANY_DRAFTS)
    # The address a link would be mailed to: the confirmation's when sending, the draft link's when it changes.
    address = form.cleaned_data.get("contact_email") or ""
    address_changed = address != (form.initial.get("contact_email") or "")
    mails = keeping and bool(address) and ((valid and sending) or address_changed)
    if mails and _address_over_limit(client, address):
        # However many network addresses a robot uses, one inbox gets only so many links.
        return Received(Outcome.TOO_MANY_MAILS, candidacy)
    if valid and sending and over_rate_limit(client, group=SEND_GROUP, rate=settings.APPLY_RATE):
        # A new candidacy is not saved (its link mail would be the robot's gain); a draft keeps its changes.
        if candidacy is None:
            return Received(Outcome.TOO_MANY_SENT)
        if address_changed:
            _record_address(client, address)
        return Received(Outcome.TOO_MANY_SENT, _save(form, members, cohort, candidacy))
    if mails:
        _record_address(client, address)
    if not valid:
        # Keep whatever can be kept, uploaded documents first: nobody should have to pick them again.
        if keeping:
            if new_draft:
                record_rate_limit(client, group=DRAFT_GROUP, rate=settings.APPLY_DRAFT_RATE)
            candidacy = _save(form, members, cohort, candidacy)
        return Received(Outcome.INVALID, candidacy)

    if candidacy is None:
        record_rate_limit(client, group=DRAFT_GROUP, rate=settings.APPLY_DRAFT_RATE)
    candidacy = _save(form, members, cohort, candidacy, sending=sending)
    if not sending:
        return Received(Outcome.SAVED, candidacy)
    try:
        candidacy = submit_candidacy(candidacy=candidacy)
    except CallClosed:
        return Received(Outcome.CALL_CLOSED, candidacy)
    record_rate_limit(client, group=SEND_GROUP, rate=settings.APPLY_RATE)
    return Received(Outcome.SENT, candidacy)


def _address_over_limit(client, address: str) -> bool:
    key = address.strip().lower()  # one inbox, whatever its capitals
    return any(
        over_rate_limit(client, group=ADDRESS_GROUP, rate=rate, key=key) for rate in settings.APPLY_ADDRESS_RATES
    )


def _record_address(client, address: str) -> None:
    for rate in settings.APPLY_ADDRESS_RATES:
        record_rate_limit(client, group=ADDRESS_GROUP, rate=rate, key=address.strip().lower())


def _save(form, members, cohort, candidacy, *, sending=False) -> Candidacy:
    fields = form.model_fields()
    if not form.cleaned_data.get("consent"):
        fields["consent_at"] = None
    elif candidacy is None or candidacy.consent_at is None:
        fields["consent_at"] = timezone.now()
    return save_draft(
        candidacy=candidacy,
        cohort=cohort,
        fields=fields,
        members=members.members(),
        new_files=form.cleaned_data.get("documents") or [],
        removed_attachments=form.cleaned_data.get("remove_documents") or [],
        send_link=not sending,
    )

"""What the layers above projects add to its flows, handed over once at start-up.

projects sits below trainings in the house's order, so it never imports trainings. Five things only trainings
knows are still part of projects' pages and flows: the collective days a project's new members are invited to
when it is accepted, the share of those days its members attended, the mailings a person received (in their
export) and the log of them their erasure leaves, and
the address of a member's own page (where they read and answer the team's messages). `TrainingsConfig.ready`
installs them here. Each is one plain function called in the caller's transaction, so the flow reads as before — no signal,
no queue — and a test sees the same behaviour whatever the order the apps load in.
"""

from collections.abc import Callable


def _not_installed(*args, **kwargs):
    raise RuntimeError("The trainings app installs this at start-up (TrainingsConfig.ready); is it installed?")


# invite_members(members=<ProjectMember queryset>): invitations to the season's days still to come, sent.
invite_members: Callable = _not_installed
# attendance_rates(<projects or their pks>) -> {project pk: rate with a `.value` from 0 to 1, or None}
attendance_rates: Callable = _not_installed
# erase_person(email=..., members=[ProjectMember...], cohorts=<Cohort queryset or None>): their mailings' log rows.
erase_person: Callable = _not_installed
# mailings_received(email=..., members=[ProjectMember...], cohorts=<Cohort queryset or None>) -> [dict]: for the export.
mailings_received: Callable = _not_installed
# member_link(member) -> the absolute address of the member's own page (where they read and answer messages).
member_link: Callable = _not_installed


def install(
    *,
    invite_members: Callable,
    attendance_rates: Callable,
    erase_person: Callable,
    mailings_received: Callable,
    member_link: Callable,
) -> None:
    globals().update(
        invite_members=invite_members,
        attendance_rates=attendance_rates,
        erase_person=erase_person,
        mailings_received=mailings_received,
        member_link=member_link,
    )

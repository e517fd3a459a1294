"""Two programmes side by side, each with one of everything a page can show, and the people around them.

Programme P (its partner structure, staff, coaches, a trainer) and programme Q (another structure, its own
staff) each hold a season whose call is open, a candidacy sent with a document, a draft, a project with a
member, a coach, a meeting and its next step, a day to come and a day held (the member present, asked for a
word), a venue, a trainer, a prepared report and a failed mail; and, around them, a staff note on the project's
candidacy and one on the project, a conversation with the applicant and one with the project's members, a
follow-up asked of the project months later, a link for funders to the season's report, an actor of the
directory met by the project, a mailing to the season's members and what the partner structure commits. The
access matrix asks every page for P's objects as every role; the site-wide fuzz test posts and queries every
page of both.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.signing import dumps
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.models import PartnerCommitment
from outbox.models import OutgoingMail
from projects import services as project_services
from projects import tokens as project_tokens
from projects.models import Candidacy, DecisionMessage, FollowUp, MilestoneTemplate, Outcome
from projects.services.follow_ups import follow_up_token
from reports import sharing
from reports.models import ReportExport
from tests.factories import (
    ActorMetFactory,
    AttachmentFactory,
    CandidacyFactory,
    CoachAssignmentFactory,
    CoachFactory,
    CoachingSessionFactory,
    CohortFactory,
    DraftFactory,
    MilestoneFactory,
    NextStepFactory,
    PartnerStructureFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StaffFactory,
    SuperuserFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
    VenueFactory,
)
from trainings import services as training_services
from trainings import tokens as member_tokens
from trainings.models import Attendance, Mailing, Survey, TrainingSession
from trainings.services.surveys import survey_token


@dataclass
class Party:
    """One programme and one of each of its objects."""

    structure: object
    programme: object
    season: object
    staff: object
    coach: object
    candidacy: object
    draft: object
    attachment: object
    project: object
    member: object
    meeting: object
    next_step: object
    venue: object
    trainer: object
    day: object  # a collective day to come, the member invited
    held_day: object  # a day held, the member present and asked for a word
    survey: object
    export: object
    failed_mail: object
    programme_template: object = None
    candidacy_note: object = None  # a staff note on the project's candidacy
    project_note: object = None  # a staff note on the project
    follow_up: object = None  # the project asked where it stands, months after its season
    share: object = None  # a link for funders to the season's report
    actor: object = None  # an actor of the programme's directory, met by the project
    mailing: object = None  # a mailing to the season's members


def _party(label: str, today: datetime.date) -> Party:
    structure = PartnerStructureFactory(name=f"Structure {label}")
    programme = ProgrammeFactory(name=f"Programme {label}", partners=[structure])
    season = CohortFactory(
        programme=programme,
        name=f"Saison {label}",
        start_date=today - datetime.timedelta(days=60),
        call_opens_on=today - datetime.timedelta(days=10),
        call_closes_on=today + datetime.timedelta(days=10),
    )
    staff = StaffFactory(partner_structure=structure, email=f"equipe.{label.lower()}@exemple.fr")
    coach = CoachFactory(partner_structure=structure, email=f"coach.{label.lower()}@exemple.fr", is_reviewer=True)
    candidacy = CandidacyFactory(cohort=season, project_name=f"Candidature {label}")
    attachment = AttachmentFactory(candidacy=candidacy)
    draft = DraftFactory(cohort=season, project_name=f"Brouillon {label}")
    accepted = CandidacyFactory(cohort=season, status=Candidacy.Status.ACCEPTED, project_name=f"Projet {label}")
    project = ProjectFactory(cohort=season, candidacy=accepted, name=f"Projet {label}")
    member = ProjectMemberFactory(project=project, email=f"membre.{label.lower()}@exemple.fr")
    CoachAssignmentFactory(project=project, coach=coach)
    meeting = CoachingSessionFactory(project=project, coach=coach)
    next_step = NextStepFactory(project=project, meeting=meeting)
    MilestoneFactory(project=project)
    actor = ActorMetFactory(project=project).actor
    Outcome.objects.create(project=project, status=Outcome.Status.LAUNCHED)
    venue = VenueFactory(partner_structure=structure, name=f"Lieu {label}")
    trainer = TrainerFactory(partner_structure=structure, name=f"Formatrice {label}", user=UserFactory())
    day = TrainingSessionFactory(
        cohort=season, venue=venue, trainers=[trainer], date=today + datetime.timedelta(days=20)
    )
    held_day = TrainingSessionFactory(
        cohort=season,
        venue=venue,
        trainers=[trainer],
        date=today - datetime.timedelta(days=2),
        status=TrainingSession.Status.HELD,
    )
    Attendance.objects.create(session=day, member=member)
    Attendance.objects.create(
        session=held_day, member=member, morning=Attendance.Presence.PRESENT, afternoon=Attendance.Presence.PRESENT
    )
    survey = Survey.objects.create(session=held_day, member=member)
    export = ReportExport.objects.create(
        cohort=season,
        requested_by=staff,
        format=ReportExport.Format.CSV,
        status=ReportExport.Status.DONE,
        finished_at=timezone.now(),
    )
    export.file.save("rapport.csv", ContentFile(b"a,b\n1,2\n"))
    failed_mail = OutgoingMail.objects.create(
        to=[member.email], subject=f"Rappel {label}", body="Bonjour", status=OutgoingMail.Status.FAILED,
        programme=programme,
    )  # fmt: skip
    DecisionMessage.objects.create(
        programme=programme, kind=Candidacy.Status.ACCEPTED, subject="Bonne nouvelle", body="Bienvenue {projet}"
    )
    template = MilestoneTemplate.objects.create(programme=programme, name="Statuts déposés", order=1)
    candidacy_note = project_services.add_note(author=staff, text="Dossier solide", candidacy=accepted).note
    project_note = project_services.add_note(author=staff, text="À relancer en mars", project=project).note
    project_services.write_to_applicant(candidacy=candidacy, author=staff, body="Pouvez-vous préciser le budget ?")
    project_services.write_to_members(project=project, author=coach, body="Rendez-vous jeudi ?")
    follow_up = FollowUp.objects.create(
        project=project, months=FollowUp.Months.SIX, due_on=today, email=accepted.contact_email, sent_at=timezone.now()
    )
    share = sharing.create_share(
        cohort=season, label=f"Fondation {label}", expires_on=today + datetime.timedelta(days=30), user=staff
    )
    preview = training_services.preview_mailing(
        cohort=season, audience=Mailing.Audience.MEMBERS, session=None, subject="Bonjour", body="Bonjour {prénom}"
    )
    mailing = training_services.send_mailing(
        cohort=season,
        key=preview.key,
        audience=Mailing.Audience.MEMBERS,
        session=None,
        subject="Bonjour",
        body="Bonjour {prénom}",
        sent_by=staff,
    ).mailing
    cohort_services.record_commitments(
        cohort=season,
        commitments=[PartnerCommitment(cohort=season, partner_structure=structure, coaching_hours=40, days_hosted=2)],
    )
    return Party(
        structure=structure,
        programme=programme,
        season=season,
        staff=staff,
        coach=coach,
        candidacy=candidacy,
        draft=draft,
        attachment=attachment,
        project=project,
        member=member,
        meeting=meeting,
        next_step=next_step,
        venue=venue,
        trainer=trainer,
        day=day,
        held_day=held_day,
        survey=survey,
        export=export,
        failed_mail=failed_mail,
        programme_template=template,
        candidacy_note=candidacy_note,
        project_note=project_note,
        follow_up=follow_up,
        share=share,
        actor=actor,
        mailing=mailing,
    )


@dataclass
class Role:
    """Someone who asks for a page: a login (or none), and the signed links they hold (or none)."""

    name: str
    user: object = None
    status_of: object = None  # the candidacy whose status link they hold
    draft_of: object = None  # the draft whose link they hold
    member: object = None  # the project member whose links they hold (their project's follow-up link too)
    shares: bool = False  # shown the season's links for funders (staff of P, a superuser)


@dataclass
class World:
    p: Party
    q: Party
    roles: dict = field(default_factory=dict)

    # What a role presents for a signed link: its own, or else P's object signed for another purpose (a
    # swapped link), which must open nothing.
    def status_token(self, role: Role) -> str:
        if role.status_of:
            return project_tokens.make_token(role.status_of, project_tokens.STATUS)
        return project_tokens.make_token(self.p.candidacy, project_tokens.DRAFT)

    def draft_token(self, role: Role) -> str:
        if role.draft_of:
            return project_tokens.make_token(role.draft_of, project_tokens.DRAFT)
        return project_tokens.make_token(self.p.draft, project_tokens.STATUS)

    def member_token(self, role: Role) -> str:
        if role.member:
            return member_tokens.member_token(role.member)
        return dumps(self.p.member.pk, salt=project_tokens.STATUS)

    def survey_token(self, role: Role) -> str:
        if role.member:
            return survey_token(role.member.surveys.get())
        return member_tokens.member_token(self.p.member)

    def follow_up_token(self, role: Role) -> str:
        if role.member:  # the project's contact: here, its member
            return follow_up_token(role.member.project.follow_ups.get())
        return member_tokens.member_token(self.p.member)

    def share_token(self, role: Role) -> str:
        if role.shares:
            return sharing.share_token(self.p.share)
        return follow_up_token(self.p.follow_up)

    def calendar_key(self, role: Role):
        return role.member.calendar_key if role.member else self.q.day.uid  # a uuid, but no member's key


def build_world() -> World:
    today = timezone.localdate()
    p, q = _party("P", today), _party("Q", today)
    other_coach = CoachFactory(partner_structure=p.structure, email="coach.autre@exemple.fr")
    roles = [
        Role("anonymous"),
        Role("applicant (status link)", status_of=p.candidacy),
        Role("applicant (draft link)", draft_of=p.draft),
        Role("member of A", member=p.member),
        Role("member of B", member=q.member),
        Role("coach of A", user=p.coach),
        Role("other coach", user=other_coach),
        Role("staff of P", user=p.staff, shares=True),
        Role("staff of Q", user=q.staff),
        Role("trainer", user=p.trainer.user),
        Role("superuser", user=SuperuserFactory(email="admin@exemple.fr"), shares=True),
    ]
    return World(p=p, q=q, roles={role.name: role for role in roles})

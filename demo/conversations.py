"""A short conversation on one candidacy under review and on the projects whose members' pages the demo shows."""

import datetime

from django.utils import timezone

from incubator.models import User
from projects.models import Candidacy, Message, Project, ProjectMember, Thread

Author = Message.Author

CANDIDACY_TALK = [
    (
        Author.STAFF,
        "Bonjour, merci pour votre candidature. Pourriez-vous nous dire combien de personnes portent le projet "
        "aujourd'hui, et si un local est déjà repéré ?",
    ),
    (
        Author.APPLICANT,
        "Bonjour, nous sommes quatre, dont deux à mi-temps sur le projet. La mairie nous propose l'ancienne poste, "
        "nous la visitons la semaine prochaine.",
    ),
    (Author.STAFF, "Merci, c'est noté. Nous vous tenons au courant après le comité de sélection."),
]
PROJECT_TALK = [
    (
        Author.STAFF,
        "Bonjour à toutes et à tous, la prochaine journée collective porte sur le modèle économique : "
        "pensez à apporter vos premiers chiffres, même approximatifs.",
    ),
    (Author.MEMBER, "Bien reçu ! Nous viendrons à deux, avec le budget prévisionnel du garage."),
]


def seed_conversations(*, season, staff: User | None) -> int:
    """Add the demo's conversations once; returns how many messages were added."""
    if season is None or staff is None:
        return 0
    added = 0
    candidacy = Candidacy.objects.filter(cohort=season, status=Candidacy.Status.UNDER_REVIEW).order_by("pk").first()
    if candidacy is not None:
        added += _talk(Thread.objects.get_or_create(candidacy=candidacy)[0], CANDIDACY_TALK, staff=staff)
    # The project of the member whose link the demo prints, and of the first member invited to days.
    members = ProjectMember.objects.exclude(email="").filter(project__cohort__programme=season.programme)
    wanted = {
        member.project_id
        for member in (
            members.filter(project__cohort=season).order_by("pk").first(),
            members.filter(attendances__isnull=False).distinct().order_by("pk").first(),
        )
        if member is not None
    }
    for project in Project.objects.filter(pk__in=wanted).order_by("pk"):
        member = project.members.exclude(email="").order_by("pk").first()
        coach = User.objects.filter(assignments__project=project, assignments__ended_on__isnull=True).first()
        added += _talk(
            Thread.objects.get_or_create(project=project)[0], PROJECT_TALK, staff=coach or staff, member=member
        )
    return added


def _talk(thread: Thread, lines, *, staff: User, member: ProjectMember | None = None) -> int:
    if thread.messages.exists():
        return 0
    start = timezone.now() - datetime.timedelta(days=len(lines) + 1)
    for index, (kind, body) in enumerate(lines):
        message = Message.objects.create(
            thread=thread,
            author_kind=kind,
            author_user=staff if kind == Author.STAFF else None,
            author_member=member if kind == Author.MEMBER else None,
            body=body,
        )
        moment = start + datetime.timedelta(days=index, hours=index * 3)
        # Demo answers are not news to the team: the notification leaves them alone.
        Message.objects.filter(pk=message.pk).update(
            created_at=moment, notified_at=None if kind == Author.STAFF else moment
        )
    return len(lines)

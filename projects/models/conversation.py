from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .candidacy import Candidacy
from .project import Project, ProjectMember

# The longest message, in characters: a long letter.
MESSAGE_MAX_LENGTH = 4000


class Thread(models.Model):
    """The conversation between the programme's team and an applicant, or a project's members: one each."""

    candidacy = models.OneToOneField(
        Candidacy, verbose_name=_("candidature"), on_delete=models.CASCADE, related_name="thread", null=True, blank=True
    )
    project = models.OneToOneField(
        Project, verbose_name=_("projet"), on_delete=models.CASCADE, related_name="thread", null=True, blank=True
    )
    created_at = models.DateTimeField(_("commencée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(candidacy__isnull=False, project__isnull=True)
                | models.Q(candidacy__isnull=True, project__isnull=False),
                name="thread_is_for_a_candidacy_or_a_project",
            ),
        ]

    def __str__(self):
        # Never a person's name: the trail keeps this text.
        return str(_("Conversation n° %(pk)s")) % {"pk": self.pk}


class Message(models.Model):
    """One message of a thread: written by the team (staff or a coach), the applicant, or a member."""

    class Author(models.TextChoices):
        STAFF = "staff", _("L'équipe du programme")
        APPLICANT = "applicant", _("La personne qui candidate")
        MEMBER = "member", _("Un membre du projet")

    thread = models.ForeignKey(
        Thread, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="messages"
    )
    author_kind = models.CharField(_("écrit par"), max_length=20, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membre de l'équipe"),
        on_delete=models.PROTECT,  # a departed colleague's account is deactivated, never deleted
        null=True,
        blank=True,
        related_name="+",
    )
    author_member = models.ForeignKey(
        ProjectMember,
        verbose_name=_("membre du projet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(_("écrit le"), auto_now_add=True, db_index=True)
    # Answers only: when the team was told of it (once, by the batched notification).
    notified_at = models.DateTimeField(_("équipe prévenue le"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            models.Index(
                fields=["created_at"],
                name="message_answer_to_notify",
                condition=models.Q(notified_at__isnull=True) & ~models.Q(author_kind="staff"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(author_kind="staff", author_user__isnull=False)
                | (~models.Q(author_kind="staff") & models.Q(author_user__isnull=True)),
                name="message_staff_have_a_user",
            ),
        ]

    def __str__(self):
        return str(_("Message n° %(pk)s")) % {"pk": self.pk}

    @property
    def is_answer(self):
        return self.author_kind != self.Author.STAFF

"""The outbox's rows: one per e-mail, written in the same transaction as what it announces."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.models import Programme


class OutgoingMailQuerySet(models.QuerySet):
    def failed_for_user(self, user):
        """Failed mails a person may read and send again: their programmes' (superusers: all)."""
        failed = self.filter(status=OutgoingMail.Status.FAILED)
        if not (user.is_authenticated and user.is_programme_staff):
            return failed.none()
        if user.is_superuser:
            return failed
        return failed.filter(programme__in=Programme.objects.for_user(user))


class OutgoingMail(models.Model):
    """One e-mail the application sends, written in the same transaction as what it announces.

    The row is the source of truth: a Celery task delivers it, and a periodic sweeper hands again to
    the workers whatever the broker or a dead worker lost (see `outbox.emails`).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente d'envoi")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyé")
        RETRY = "retry", _("Nouvel essai prévu")
        FAILED = "failed", _("Échec")

    to = models.JSONField(_("destinataires"), default=list)
    subject = models.CharField(_("objet"), max_length=998)
    body = models.TextField(_("texte"))
    html_body = models.TextField(_("texte HTML"), blank=True)
    # [{"filename": ..., "mimetype": ..., "content": base64}, ...]: small files such as an .ics.
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("prochain essai le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    # Whose mail it is: that programme's staff see it if it fails. None: only superusers (e.g. old rows).
    programme = models.ForeignKey(
        "cohorts.Programme",
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("e-mail sortant")
        verbose_name_plural = _("e-mails sortants")
        indexes = [models.Index(fields=["status", "created_at"], name="outgoing_mail_status_created")]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

"""Collective training days: venues across the territory, local trainers, sessions and attendance."""

import uuid
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Programme
from incubator.models import PartnerStructure, Territory
from projects.models import ProjectMember


class AddressBookQuerySet(models.QuerySet):
    """Venues and trainers belong to a partner structure: the programmes it takes part in may use them, and only
    its own staff change them."""

    def for_user(self, user):
        """What staff may see and choose: the entries of every structure that runs one of their programmes."""
        if not (user.is_authenticated and user.is_programme_staff):
            return self.none()
        if user.is_superuser:
            return self
        partners = PartnerStructure.objects.filter(programmes__in=Programme.objects.for_user(user))
        return self.filter(partner_structure__in=partners)

    def editable_by(self, user):
        """What staff may change: their own structure's entries (a superuser, all of them)."""
        if not (user.is_authenticated and user.is_programme_staff):
            return self.none()
        if user.is_superuser:
            return self
        if user.partner_structure_id is None:
            return self.none()
        return self.filter(partner_structure_id=user.partner_structure_id)


class Venue(models.Model):
    class Kind(models.TextChoices):
        PARTNER_OFFICE = "partner_office", _("Locaux d'une structure partenaire")
        THIRD_PLACE = "third_place", _("Tiers-lieu")
        OTHER = "other", _("Autre lieu")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type de lieu"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("adresse"), max_length=300)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    commune = models.CharField(_("commune"), max_length=120)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, related_name="venues"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacité"), null=True, blank=True)
    step_free_access = models.BooleanField(_("accessible de plain-pied"), default=False)
    public_transport = models.BooleanField(_("desservi par les transports en commun"), default=False)
    parking = models.BooleanField(_("parking"), default=False)
    accessibility_notes = models.TextField(_("précisions sur l'accès"), blank=True)
    contact_name = models.CharField(_("contact sur place"), max_length=200, blank=True)
    contact_phone = models.CharField(_("téléphone du contact"), max_length=30, blank=True)
    partner_structure = models.ForeignKey(
        PartnerStructure,
        verbose_name=_("structure partenaire"),
        on_delete=models.PROTECT,
        related_name="venues",
        help_text=_("La structure qui tient cette fiche : son équipe seule la modifie."),
    )

    objects = AddressBookQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")

    def __str__(self):
        return f"{self.name} ({self.commune})"

    @property
    def full_address(self):
        return ", ".join(part for part in [self.name, self.address, f"{self.postcode} {self.commune}".strip()] if part)

    @property
    def map_url(self):
        """A link to a map, opened only if the person clicks it: nothing is loaded on our pages."""
        if self.latitude is not None and self.longitude is not None:
            return f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}#map=16/{self.latitude}/{self.longitude}"
        return f"https://www.openstreetmap.org/search?query={quote(self.full_address)}"


class Trainer(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    organisation = models.CharField(_("structure"), max_length=200, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    home_commune = models.CharField(_("commune"), max_length=120, blank=True)
    home_territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainers",
    )
    topics = models.CharField(_("sujets"), max_length=300, blank=True)
    daily_rate = models.DecimalField(
        _("tarif journée (€)"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainer",
        help_text=_("Facultatif : pour voir ses journées et faire l'émargement."),
    )
    partner_structure = models.ForeignKey(
        PartnerStructure,
        verbose_name=_("structure partenaire"),
        on_delete=models.PROTECT,
        related_name="trainers",
        help_text=_("La structure qui tient cette fiche : son équipe seule la modifie."),
    )

    objects = AddressBookQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("formateur·rice")
        verbose_name_plural = _("formateur·rices")

    def __str__(self):
        return self.name

    def is_local_to(self, programme_territories) -> bool:
        """Local: living in one of the territories the programme serves."""
        return self.home_territory_id is not None and self.home_territory_id in {t.pk for t in programme_territories}


class TrainingSessionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff: their programmes' sessions; a trainer with a login: the sessions they lead."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_programme_staff:
            return self.filter(cohort__in=Cohort.objects.for_user(user))
        return self.filter(trainers__user=user).distinct()


class TrainingSession(models.Model):
    """A collective day of a season: everyone of the season's projects is invited."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        CONFIRMED = "confirmed", _("Confirmée")
        CANCELLED = "cancelled", _("Annulée")
        HELD = "held", _("Tenue")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # stable across calendar updates
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("saison"), on_delete=models.CASCADE, related_name="training_sessions"
    )
    title = models.CharField(_("titre"), max_length=200)
    topic = models.CharField(_("thème"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    morning_start = models.TimeField(_("début du matin"), null=True, blank=True)
    morning_end = models.TimeField(_("fin du matin"), null=True, blank=True)
    afternoon_start = models.TimeField(_("début de l'après-midi"), null=True, blank=True)
    afternoon_end = models.TimeField(_("fin de l'après-midi"), null=True, blank=True)
    venue = models.ForeignKey(
        Venue, verbose_name=_("lieu"), on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    trainers = models.ManyToManyField(Trainer, verbose_name=_("formateur·rices"), blank=True, related_name="sessions")
    description = models.TextField(_("programme de la journée"), blank=True)
    what_to_bring = models.TextField(_("à apporter"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    sequence = models.PositiveIntegerField(_("version"), default=0, editable=False)  # iCalendar SEQUENCE

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["date", "morning_start", "pk"]
        verbose_name = _("journée collective")
        verbose_name_plural = _("journées collectives")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "date"], name="training_session_one_per_day_per_season"),
            models.CheckConstraint(
                condition=models.Q(morning_start__isnull=True)
                | models.Q(morning_end__isnull=True)
                | models.Q(morning_end__gt=models.F("morning_start")),
                name="training_session_morning_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(afternoon_start__isnull=True)
                | models.Q(afternoon_end__isnull=True)
                | models.Q(afternoon_end__gt=models.F("afternoon_start")),
                name="training_session_afternoon_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.title} — {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("trainings:session_detail", kwargs={"pk": self.pk})


class Attendance(models.Model):
    """One participant at one collective day: their answer, then their presence per half-day."""

    class Response(models.TextChoices):
        INVITED = "invited", _("Invité·e")
        CONFIRMED = "confirmed", _("Présence confirmée")
        DECLINED = "declined", _("Absence annoncée")

    class Presence(models.TextChoices):
        UNKNOWN = "", _("Non renseigné")
        PRESENT = "present", _("Présent·e")
        ABSENT = "absent", _("Absent·e")
        EXCUSED = "excused", _("Excusé·e")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        ProjectMember, verbose_name=_("participant·e"), on_delete=models.CASCADE, related_name="attendances"
    )
    response = models.CharField(_("réponse"), max_length=20, choices=Response.choices, default=Response.INVITED)
    responded_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    morning = models.CharField(_("matin"), max_length=10, choices=Presence.choices, blank=True, default="")
    afternoon = models.CharField(_("après-midi"), max_length=10, choices=Presence.choices, blank=True, default="")

    class Meta:
        ordering = ["session", "member__project__name", "member__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="attendance_one_per_member_per_session")
        ]

    def __str__(self):
        return f"{self.member} — {self.session}"


def _validate_offsets(value: str) -> None:
    try:
        offsets = parse_offsets(value)
    except ValueError:
        offsets = None
    if not offsets:
        raise ValidationError(_("Indiquez des nombres de jours séparés par des virgules, par exemple 7,1."))


def parse_offsets(value: str) -> list[int]:
    """ "7,1" → [7, 1]: days before the session, largest first, no repeats."""
    offsets = {int(part) for part in value.split(",") if part.strip()}
    if any(offset < 0 or offset > 60 for offset in offsets):
        raise ValueError(value)
    return sorted(offsets, reverse=True)


class ReminderPolicy(models.Model):
    """When a programme's participants and trainers are reminded of a collective day.

    A programme without a policy uses the defaults (7 and 1 days before, at 9:00).
    """

    DEFAULT_OFFSETS = "7,1"
    DEFAULT_HOUR = 9

    programme = models.OneToOneField(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="reminder_policy"
    )
    offsets_days = models.CharField(
        _("rappels (jours avant)"),
        max_length=50,
        default=DEFAULT_OFFSETS,
        validators=[_validate_offsets],
        help_text=_("Nombres de jours avant la journée, séparés par des virgules."),
    )
    hour = models.PositiveSmallIntegerField(
        _("heure d'envoi"), default=DEFAULT_HOUR, validators=[MaxValueValidator(23)]
    )

    class Meta:
        verbose_name = _("règle de rappel")
        verbose_name_plural = _("règles de rappel")
        constraints = [models.CheckConstraint(condition=models.Q(hour__lte=23), name="reminder_policy_hour_of_day")]

    def __str__(self):
        return f"{self.programme} : {self.offsets_days} @ {self.hour}h"

    @property
    def offsets(self) -> list[int]:
        return parse_offsets(self.offsets_days)


class Reminder(models.Model):
    """One reminder for one person about one day on one date: the unique constraint makes it exactly one.

    The date belongs to the reminder: a day moved to another date is reminded again for its new date (the
    reminders of the old one announced a date that is no longer true), and moved back, never twice.
    """

    class Audience(models.TextChoices):
        MEMBER = "member", _("Participant·e")
        TRAINER = "trainer", _("Formateur·rice")

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="reminders")
    email = models.EmailField(_("adresse e-mail"))
    kind = models.CharField(_("rappel"), max_length=20, help_text=_("Par exemple « 7d » : sept jours avant."))
    date = models.DateField(_("date annoncée"), help_text=_("La date de la journée quand le rappel a été écrit."))
    audience = models.CharField(_("destinataire"), max_length=10, choices=Audience.choices)
    member = models.ForeignKey(
        ProjectMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders"
    )
    trainer = models.ForeignKey(Trainer, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders")
    mail = models.OneToOneField(
        "outbox.OutgoingMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="reminder"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["session", "kind", "email"]
        verbose_name = _("rappel")
        verbose_name_plural = _("rappels")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email", "kind", "date"], name="reminder_once_per_person_kind_and_date"
            )
        ]

    def __str__(self):
        return f"{self.session} — {self.email} ({self.kind})"

    @staticmethod
    def kind_for(offset_days: int) -> str:
        return f"{offset_days}d"


class Survey(models.Model):
    """A word after a held day: one per participant marked present, mailed the next morning, answered once.

    The unique constraint makes the mail go once, even when two sweeps run at the same moment; the person may
    change their answer for a week after giving it (`services.surveys.CHANGE_DAYS`).
    """

    SCORES = [(score, str(score)) for score in range(1, 6)]

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("journée collective"), on_delete=models.CASCADE, related_name="surveys"
    )
    member = models.ForeignKey(
        ProjectMember, verbose_name=_("participant·e"), on_delete=models.CASCADE, related_name="surveys"
    )
    mail = models.OneToOneField(
        "outbox.OutgoingMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey"
    )
    usefulness = models.PositiveSmallIntegerField(_("utilité"), choices=SCORES, null=True, blank=True)
    organisation = models.PositiveSmallIntegerField(_("organisation"), choices=SCORES, null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    changed_at = models.DateTimeField(_("modifié le"), null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("avis sur une journée")
        verbose_name_plural = _("avis sur les journées")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="survey_once_per_member_per_session"),
            models.CheckConstraint(
                condition=models.Q(usefulness__isnull=True) | models.Q(usefulness__gte=1, usefulness__lte=5),
                name="survey_usefulness_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=True) | models.Q(organisation__gte=1, organisation__lte=5),
                name="survey_organisation_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(usefulness__isnull=False, organisation__isnull=False),
                name="survey_answer_has_both_scores",
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.session}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class Mailing(models.Model):
    """A message staff wrote to a season's people, sent once to each recipient through the outbox.

    `key` is drawn when the preview is shown and comes back with the confirmation: a second click, or the same
    confirmation posted twice at once, finds the mailing already written and sends nothing more.
    """

    class Audience(models.TextChoices):
        MEMBERS = "members", _("Les membres des projets de la saison")
        DAY_ALL = "day_all", _("Les invité·es d'une journée : toutes et tous")
        DAY_CONFIRMED = "day_confirmed", _("Les invité·es d'une journée : présence confirmée")
        DAY_NO_ANSWER = "day_no_answer", _("Les invité·es d'une journée : pas encore de réponse")
        DAY_PRESENT = "day_present", _("Les invité·es d'une journée : présent·es")
        COACHES = "coaches", _("Les chargé·es d'accompagnement de la saison")
        TRAINERS = "trainers", _("Les formateur·rices de la saison")

    DAY_AUDIENCES = (Audience.DAY_ALL, Audience.DAY_CONFIRMED, Audience.DAY_NO_ANSWER, Audience.DAY_PRESENT)

    cohort = models.ForeignKey(Cohort, verbose_name=_("saison"), on_delete=models.CASCADE, related_name="mailings")
    key = models.UUIDField(unique=True, editable=False)
    audience = models.CharField(_("destinataires"), max_length=20, choices=Audience.choices)
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("journée collective"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mailings",
    )
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("envoi groupé")
        verbose_name_plural = _("envois groupés")

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("cohorts:mailing_detail", kwargs={"cohort_pk": self.cohort_id, "mailing_pk": self.pk})

    @property
    def is_for_a_day(self) -> bool:
        return self.audience in self.DAY_AUDIENCES


class MailingRecipient(models.Model):
    """Who got a mailing, and its outbox row (sent, waiting, failed). One row per mailing and address."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    email = models.EmailField(_("adresse e-mail"), blank=True)
    name = models.CharField(_("nom"), max_length=200, blank=True)
    member = models.ForeignKey(
        ProjectMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="mailings_received"
    )
    mail = models.OneToOneField(
        "outbox.OutgoingMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="mailing_recipient"
    )

    class Meta:
        ordering = ["mailing", "name", "pk"]
        verbose_name = _("destinataire d'un envoi")
        verbose_name_plural = _("destinataires d'un envoi")
        constraints = [
            # Erased people keep their row (the mailing had them) with no address: they do not count twice.
            models.UniqueConstraint(
                fields=["mailing", "email"], condition=~models.Q(email=""), name="mailing_recipient_once_per_address"
            )
        ]

    def __str__(self):
        return f"{self.mailing} → {self.name or self.email}"

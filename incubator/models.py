"""The partnership itself: the structures that run the programme, their people, the territories."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class PartnerStructure(models.Model):
    class Kind(models.TextChoices):
        CAE = "cae", _("Coopérative d'activités et d'emploi (CAE)")
        INCUBATOR = "incubator", _("Incubateur d'innovation sociale")
        UNION = "union", _("Union de coopératives")
        FUNDER = "funder", _("Financeur")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("type de structure"), max_length=20, choices=Kind.choices)
    town = models.CharField(_("ville"), max_length=120, blank=True)
    website = models.URLField(_("site web"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("structure partenaire")
        verbose_name_plural = _("structures partenaires")

    def __str__(self):
        return self.name


class Territory(models.Model):
    name = models.CharField(_("nom"), max_length=120, unique=True)
    department_code = models.CharField(
        _("code du département"), max_length=3, help_text=_("Par exemple 26 pour la Drôme, 07 pour l'Ardèche.")
    )

    class Meta:
        ordering = ["department_code", "name"]
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")

    def __str__(self):
        return f"{self.name} ({self.department_code})"


class UserManager(DjangoUserManager):
    """Users log in with their e-mail address, whatever its case."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def coaches_of(self, programme):
        """Active coaches of the structures that run a programme."""
        return self.filter(role=User.Role.COACH, is_active=True, partner_structure__programmes=programme).order_by(
            "last_name", "first_name"
        )


class User(AbstractUser):
    """A person who logs in: the programme's staff, its coaches, and the superusers who run the site.

    `is_staff` keeps Django's meaning (may open the admin); the programme role is `role`.
    """

    class Role(models.TextChoices):
        STAFF = "staff", _("Équipe du programme")
        COACH = "coach", _("Chargé·e d'accompagnement")

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, blank=True)
    is_reviewer = models.BooleanField(
        _("évalue les candidatures"),
        default=False,
        help_text=_("Pour un·e chargé·e d'accompagnement : peut lire et noter les candidatures de ses programmes."),
    )
    partner_structure = models.ForeignKey(
        PartnerStructure,
        verbose_name=_("structure partenaire"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rices")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(partner_structure__isnull=False),
                name="user_role_needs_partner_structure",
                violation_error_message=_(
                    "L'équipe et les chargé·es d'accompagnement appartiennent à une structure partenaire."
                ),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def is_programme_staff(self):
        return self.is_active and (self.is_superuser or self.role == self.Role.STAFF)

    @property
    def is_coach(self):
        return self.is_active and self.role == self.Role.COACH

    @property
    def is_trainer(self):
        """Whether this login belongs to a trainer (the collective days' `Trainer.user`).

        Reading a reverse one-to-one that does not exist raises; Django caches the answer either way, so the
        check costs one query per request at most.
        """
        try:
            return self.trainer is not None
        except ObjectDoesNotExist:
            return False

    @property
    def can_review(self):
        """Staff review candidacies; so do coaches given the reviewer role."""
        return self.is_programme_staff or (self.is_coach and self.is_reviewer)


class Heartbeat(models.Model):
    """When each background process last proved it was alive (the health page reads it)."""

    source = models.CharField(_("source"), max_length=50, unique=True)
    seen_at = models.DateTimeField(_("vu à"))

    class Meta:
        verbose_name = _("signal de vie")
        verbose_name_plural = _("signaux de vie")

    def __str__(self):
        return f"{self.source} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class PeriodicRun(models.Model):
    """The moment beat last sent a periodic task that ran, so that a second beat's copy of that moment is skipped."""

    task = models.CharField(_("tâche"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("envoyée par beat à"), null=True, blank=True)
    beat = models.CharField(_("planificateur"), max_length=200, blank=True)
    runs = models.PositiveIntegerField(_("départs"), default=0)
    duplicates_skipped = models.PositiveIntegerField(_("doublons écartés"), default=0)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")

    def __str__(self):
        return self.task


class BeatSightingQuerySet(models.QuerySet):
    def seen_since(self, moment):
        return self.filter(last_seen_at__gte=moment).order_by("first_seen_at", "identity")


class BeatSighting(models.Model):
    """A beat process (host and process id) seen through the tasks it sent: first and last time."""

    identity = models.CharField(_("planificateur"), max_length=200, unique=True)
    first_seen_at = models.DateTimeField(_("vu la première fois"))
    last_seen_at = models.DateTimeField(_("vu la dernière fois"))

    objects = BeatSightingQuerySet.as_manager()

    class Meta:
        verbose_name = _("planificateur vu")
        verbose_name_plural = _("planificateurs vus")

    def __str__(self):
        return self.identity

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Programme
from incubator.models import Territory


class Sector(models.TextChoices):
    THIRD_PLACE = "third_place", _("Tiers-lieu")
    SOLIDARITY_GARAGE = "solidarity_garage", _("Garage solidaire")
    AGEING_WELL = "ageing_well", _("Bien-vieillir")
    REFUGEES = "refugees", _("Accueil et insertion des personnes réfugiées")
    FOOD = "food", _("Alimentation")
    MOBILITY = "mobility", _("Mobilité")
    CULTURE = "culture", _("Culture")
    OTHER = "other", _("Autre")


class SearchedText(models.Func):
    """The columns the staff's search reads, as one text with a space between each.

    A search word never holds a space, so it is found in this text exactly when it is found in one of the
    columns. A single trigram index on this very expression (migration 0007) answers the search on PostgreSQL,
    and its statistics tell the planner how many candidacies a word matches.
    """

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self):
        # Only the reference can be NULL (a draft has none yet).
        super().__init__(
            models.F("project_name"),
            models.Func(models.F("reference"), template="COALESCE(%(expressions)s, '')"),
            models.F("contact_name"),
            models.F("contact_email"),
            models.F("summary"),
        )


class CandidacyQuerySet(models.QuerySet):
    def for_user(self, user):
        """Candidacies a person may read: those sent to a season of a programme they review for.

        Drafts are the applicant's own business until they are sent.
        """
        if not (user.is_authenticated and user.can_review):
            return self.none()
        return self.filter(cohort__in=Cohort.objects.for_user(user)).received()

    def search(self, text):
        """Candidacies holding every word of `text` in one of the searched columns, case aside."""
        queryset = self.alias(searched=SearchedText())
        for word in text.split():
            queryset = queryset.filter(searched__icontains=word)
        return queryset

    def received(self):
        """Everything an applicant actually sent (drafts are not candidacies yet)."""
        return self.exclude(status=Candidacy.Status.DRAFT)


class Candidacy(models.Model):
    """An application to a season's call, from its first draft to the decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Envoyée")
        UNDER_REVIEW = "under_review", _("À l'étude")
        SHORTLISTED = "shortlisted", _("Présélectionnée")
        ACCEPTED = "accepted", _("Retenue")
        REJECTED = "rejected", _("Non retenue")
        WITHDRAWN = "withdrawn", _("Retirée")

    class Stage(models.TextChoices):
        IDEA = "idea", _("Une idée à mûrir")
        STUDY = "study", _("Une étude en cours (besoins, faisabilité)")
        TESTING = "testing", _("Des premières actions ou un test")
        RUNNING = "running", _("Une activité déjà lancée")

    class HeardFrom(models.TextChoices):
        WORD_OF_MOUTH = "word_of_mouth", _("Le bouche-à-oreille")
        PARTNER = "partner", _("La CAE ou l'incubateur")
        NETWORK = "network", _("Un réseau de l'économie sociale et solidaire")
        PUBLIC_SERVICE = "public_service", _("Une collectivité ou un service public")
        SOCIAL_MEDIA = "social_media", _("Les réseaux sociaux")
        PRESS = "press", _("La presse ou la radio")
        OTHER = "other", _("Autrement")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cohort = models.ForeignKey(Cohort, verbose_name=_("saison"), on_delete=models.PROTECT, related_name="candidacies")
    reference = models.CharField(_("référence"), max_length=20, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    project_name = models.CharField(_("nom du projet"), max_length=200, blank=True)
    summary = models.TextField(_("le projet en quelques lignes"), blank=True)
    need = models.TextField(_("le besoin social ou environnemental auquel il répond"), blank=True)
    collective_dimension = models.TextField(_("la dimension collective du projet"), blank=True)
    economic_model = models.TextField(_("le modèle économique envisagé"), blank=True)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, null=True, blank=True
    )
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    anchoring = models.TextField(_("les liens du projet avec son territoire"), blank=True)
    sector = models.CharField(_("secteur"), max_length=30, choices=Sector.choices, blank=True)
    stage = models.CharField(_("où en est le projet"), max_length=20, choices=Stage.choices, blank=True)
    expectations = models.TextField(_("ce que vous attendez du programme"), blank=True)
    heard_from = models.CharField(
        _("comment avez-vous connu le programme"), max_length=20, choices=HeardFrom.choices, blank=True
    )

    contact_name = models.CharField(_("nom et prénom"), max_length=200, blank=True)
    contact_email = models.EmailField(_("adresse e-mail"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    consent_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    language = models.CharField(
        _("langue"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE, editable=False
    )

    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    submitted_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)

    objects = CandidacyQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        indexes = [
            models.Index(fields=["cohort", "status"]),
            # The staff's list, newest first: its page is read from this index, not sorted from every row.
            models.Index(
                fields=["-submitted_at", "-id"],
                condition=~models.Q(status="draft"),
                name="candidacy_received_order_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(reference__isnull=False, submitted_at__isnull=False),
                name="candidacy_sent_has_reference",
            ),
        ]

    def __str__(self):
        return self.project_name or str(_("Candidature sans nom"))

    @property
    def is_open_to_applicant_changes(self):
        return self.status == self.Status.DRAFT

    @property
    def can_be_withdrawn(self):
        return self.status in {self.Status.SUBMITTED, self.Status.UNDER_REVIEW, self.Status.SHORTLISTED}


class CandidacyMember(models.Model):
    """A person of the project's team, as the applicant described them."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("nom et prénom"), max_length=200)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    role = models.CharField(_("rôle dans le projet"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("membre de l'équipe")
        verbose_name_plural = _("membres de l'équipe")

    def __str__(self):
        return self.name


def attachment_path(instance, filename):
    # Never the applicant's file name in the path: it is kept in `original_name` instead.
    return f"candidatures/{instance.candidacy.public_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


class Attachment(models.Model):
    """A document joined to a candidacy: stored through the storage API, readable by staff only."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille en octets"))
    uploaded_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self):
        return self.original_name


class StatusChange(models.Model):
    """One step of a candidacy's workflow: who moved it, when, and why."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("avant"), max_length=20, choices=Candidacy.Status.choices)
    to_status = models.CharField(_("après"), max_length=20, choices=Candidacy.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,  # a departed colleague's account is deactivated, never deleted
        null=True,
        blank=True,
        help_text=_("Vide quand c'est la personne qui candidate."),
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("changement d'état")
        verbose_name_plural = _("changements d'état")

    def __str__(self):
        return f"{self.candidacy}: {self.from_status} → {self.to_status}"


class DecisionMessage(models.Model):
    """The e-mail an applicant gets at a decision, as the programme's staff worded it."""

    KINDS = [
        (Candidacy.Status.SHORTLISTED, Candidacy.Status.SHORTLISTED.label),
        (Candidacy.Status.ACCEPTED, Candidacy.Status.ACCEPTED.label),
        (Candidacy.Status.REJECTED, Candidacy.Status.REJECTED.label),
    ]

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="decision_messages")
    kind = models.CharField(_("décision"), max_length=20, choices=KINDS)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(
        _("texte"),
        help_text=_(
            "Vous pouvez utiliser {projet}, {saison}, {reference} et {lien_suivi} : "
            "ils seront remplacés dans chaque e-mail."
        ),
    )

    class Meta:
        ordering = ["programme", "kind"]
        verbose_name = _("message de décision")
        verbose_name_plural = _("messages de décision")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="decision_message_unique_per_programme")
        ]

    def __str__(self):
        return f"{self.programme} — {self.get_kind_display()}"

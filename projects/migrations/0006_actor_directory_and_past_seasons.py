"""The territory's actors become one directory per programme; each meeting points to its actor. And seasons held
before the site, brought in from a file, keep their candidacies as counts.

The free text typed so far becomes actors: one per programme and normalised name (accents, case and punctuation
aside), its kind the one first typed. What was typed as « mise en relation par » is kept as the meeting's note.
"""

import re
import unicodedata

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def actor_key(name):
    # A copy of projects.models.actor_key as it stood when this migration was written.
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())


def free_text_to_actors(apps, schema_editor):
    Actor = apps.get_model("projects", "Actor")
    ActorMet = apps.get_model("projects", "ActorMet")
    actors = {}
    meetings = ActorMet.objects.select_related("project__cohort").order_by("met_on", "pk")
    for meeting in meetings.iterator(chunk_size=2000):
        organisation = " ".join(meeting.organisation.split()) or "?"
        key = (meeting.project.cohort.programme_id, actor_key(organisation) or "?")
        if key not in actors:
            actors[key] = Actor.objects.create(
                programme_id=key[0], organisation=organisation, name_key=key[1], kind=meeting.kind or "other"
            )
        meeting.actor = actors[key]
        meeting.note = meeting.introduced_by
        meeting.save(update_fields=["actor", "note"])
    if schema_editor.connection.vendor == "postgresql":
        # The rows' deferred checks run now, before the table's columns change below.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def actors_to_free_text(apps, schema_editor):
    ActorMet = apps.get_model("projects", "ActorMet")
    for meeting in ActorMet.objects.select_related("actor").iterator(chunk_size=2000):
        meeting.organisation = meeting.actor.organisation
        meeting.kind = meeting.actor.kind
        meeting.introduced_by = meeting.note[:200]
        meeting.save(update_fields=["organisation", "kind", "introduced_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0003_programme_coaching_pair_settings"),
        ("incubator", "0002_periodic_runs_and_beat_sightings"),
        ("projects", "0005_follow_ups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Actor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("organisation", models.CharField(max_length=200, verbose_name="organisation")),
                ("name_key", models.CharField(editable=False, max_length=200)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("local_authority", "Collectivité"),
                            ("association", "Association"),
                            ("company", "Entreprise"),
                            ("funder", "Financeur"),
                            ("public_service", "Service public"),
                            ("other", "Autre"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("commune", models.CharField(blank=True, max_length=120, verbose_name="commune")),
                (
                    "contact",
                    models.TextField(
                        blank=True,
                        help_text="La personne à joindre, son téléphone ou son adresse e-mail.",
                        verbose_name="contact",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="actors",
                        to="cohorts.programme",
                        verbose_name="programme",
                    ),
                ),
                (
                    "territory",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="incubator.territory",
                        verbose_name="territoire",
                    ),
                ),
            ],
            options={
                "verbose_name": "acteur du territoire",
                "verbose_name_plural": "acteurs du territoire",
                "ordering": ["organisation", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("programme", "name_key"),
                        name="actor_one_name_per_programme",
                        violation_error_message="Cet acteur est déjà dans l'annuaire du programme.",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="actormet",
            name="actor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meetings",
                to="projects.actor",
                verbose_name="acteur",
            ),
        ),
        migrations.AddField(
            model_name="actormet",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.RunPython(free_text_to_actors, actors_to_free_text),
        migrations.AlterField(
            model_name="actormet",
            name="actor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meetings",
                to="projects.actor",
                verbose_name="acteur",
            ),
        ),
        migrations.RemoveField(model_name="actormet", name="organisation"),
        migrations.RemoveField(model_name="actormet", name="kind"),
        migrations.RemoveField(model_name="actormet", name="introduced_by"),
        migrations.AddField(
            model_name="actormet",
            name="introduced_by_actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="introductions",
                to="projects.actor",
                verbose_name="mis en relation par un acteur",
            ),
        ),
        migrations.AddField(
            model_name="actormet",
            name="introduced_by_project",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="introductions",
                to="projects.project",
                verbose_name="mis en relation par un projet",
            ),
        ),
        migrations.AlterField(
            model_name="actormet",
            name="met_on",
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name="rencontré le"),
        ),
        migrations.AlterModelOptions(
            name="actormet",
            options={
                "ordering": ["-met_on", "pk"],
                "verbose_name": "rencontre avec un acteur du territoire",
                "verbose_name_plural": "rencontres avec des acteurs du territoire",
            },
        ),
        migrations.AddConstraint(
            model_name="actormet",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("introduced_by_actor__isnull", True), ("introduced_by_project__isnull", True), _connector="OR"
                ),
                name="actor_met_one_introducer",
                violation_error_message="Une mise en relation vient d'un acteur ou d'un projet, pas des deux.",
            ),
        ),
        migrations.CreateModel(
            name="SeasonImport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file_name", models.CharField(max_length=255, verbose_name="fichier")),
                ("imported_at", models.DateTimeField(auto_now_add=True, verbose_name="le")),
                (
                    "cohort",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="season_import",
                        to="cohorts.cohort",
                        verbose_name="saison",
                    ),
                ),
                (
                    "imported_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="par",
                    ),
                ),
            ],
            options={
                "verbose_name": "saison reprise d'un fichier",
                "verbose_name_plural": "saisons reprises d'un fichier",
                "ordering": ["-imported_at"],
            },
        ),
        migrations.CreateModel(
            name="ImportedCandidacyCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "sector",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("third_place", "Tiers-lieu"),
                            ("solidarity_garage", "Garage solidaire"),
                            ("ageing_well", "Bien-vieillir"),
                            ("refugees", "Accueil et insertion des personnes réfugiées"),
                            ("food", "Alimentation"),
                            ("mobility", "Mobilité"),
                            ("culture", "Culture"),
                            ("other", "Autre"),
                        ],
                        max_length=30,
                        verbose_name="secteur",
                    ),
                ),
                ("received", models.PositiveIntegerField(verbose_name="candidatures reçues")),
                ("accepted", models.PositiveIntegerField(default=0, verbose_name="candidatures retenues")),
                (
                    "cohort",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="imported_candidacy_counts",
                        to="cohorts.cohort",
                        verbose_name="saison",
                    ),
                ),
                (
                    "territory",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="incubator.territory",
                        verbose_name="territoire",
                    ),
                ),
            ],
            options={
                "verbose_name": "candidatures reprises d'un fichier",
                "verbose_name_plural": "candidatures reprises d'un fichier",
                "ordering": ["cohort", "territory", "sector"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("accepted__lte", models.F("received"))),
                        name="imported_count_accepted_within_received",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("territory__isnull", False)),
                        fields=("cohort", "territory", "sector"),
                        name="imported_count_one_per_territory_and_sector",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("territory__isnull", True)),
                        fields=("cohort", "sector"),
                        name="imported_count_one_per_sector_without_territory",
                    ),
                ],
            },
        ),
    ]

import django.db.models.deletion
from django.db import migrations, models


def give_each_entry_an_owner(apps, schema_editor):
    """An entry without a structure goes to a structure of the programme whose days use it; failing that, to the
    first structure, so that no venue or trainer is lost."""
    PartnerStructure = apps.get_model("incubator", "PartnerStructure")
    Venue = apps.get_model("trainings", "Venue")
    Trainer = apps.get_model("trainings", "Trainer")
    TrainingSession = apps.get_model("trainings", "TrainingSession")
    fallback = None
    for model, link in ((Venue, "venue"), (Trainer, "trainers")):
        for entry in model.objects.filter(partner_structure__isnull=True):
            session = (
                TrainingSession.objects.filter(**{link: entry})
                .exclude(cohort__programme__partners=None)
                .order_by("date")
                .first()
            )
            owner = session.cohort.programme.partners.order_by("pk").first() if session else None
            if owner is None:
                if fallback is None:
                    fallback = PartnerStructure.objects.order_by("pk").first() or PartnerStructure.objects.create(
                        name="Structure à préciser", kind="other"
                    )
                owner = fallback
            entry.partner_structure = owner
            entry.save(update_fields=["partner_structure"])


class Migration(migrations.Migration):
    dependencies = [
        ("incubator", "0001_initial"),
        ("trainings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainer",
            name="partner_structure",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="trainers",
                to="incubator.partnerstructure",
                verbose_name="structure partenaire",
            ),
        ),
        migrations.RunPython(give_each_entry_an_owner, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="trainer",
            name="partner_structure",
            field=models.ForeignKey(
                help_text="La structure qui tient cette fiche : son équipe seule la modifie.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="trainers",
                to="incubator.partnerstructure",
                verbose_name="structure partenaire",
            ),
        ),
        migrations.AlterField(
            model_name="venue",
            name="partner_structure",
            field=models.ForeignKey(
                help_text="La structure qui tient cette fiche : son équipe seule la modifie.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="venues",
                to="incubator.partnerstructure",
                verbose_name="structure partenaire",
            ),
        ),
    ]

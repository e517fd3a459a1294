from django.db import migrations, models


class Migration(migrations.Migration):
    """Each reminder keeps the date it announced; existing ones announced their day's current date."""

    dependencies = [
        ("trainings", "0003_day_survey"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="date",
            field=models.DateField(
                null=True, help_text="La date de la journée quand le rappel a été écrit.", verbose_name="date annoncée"
            ),
        ),
        migrations.RunSQL(
            "UPDATE trainings_reminder SET date = (SELECT date FROM trainings_trainingsession"
            " WHERE trainings_trainingsession.id = trainings_reminder.session_id)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="reminder",
            name="date",
            field=models.DateField(
                help_text="La date de la journée quand le rappel a été écrit.", verbose_name="date annoncée"
            ),
        ),
        migrations.RemoveConstraint(model_name="reminder", name="reminder_once_per_person_and_kind"),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                fields=("session", "email", "kind", "date"), name="reminder_once_per_person_kind_and_date"
            ),
        ),
    ]

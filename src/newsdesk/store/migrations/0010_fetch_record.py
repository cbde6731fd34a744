import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0009_site_logo"),
    ]

    operations = [
        migrations.CreateModel(
            name="FetchRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("fetched_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("status", models.IntegerField(default=200)),
                ("url", models.CharField(max_length=2000)),
                ("headers", models.JSONField(blank=True, default=dict)),
                ("body", models.BinaryField()),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="fetches",
                        to="store.source",
                    ),
                ),
            ],
            options={
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["source", "-id"], name="fetch_record_source")],
            },
        ),
    ]

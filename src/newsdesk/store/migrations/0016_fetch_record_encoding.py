"""Kept fetches may hold their body as it came over the wire, compressed: the encoding says
how. A nullable column, so SQLite adds it in place rather than copying every kept body."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0015_search_body_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="fetchrecord",
            name="encoding",
            field=models.CharField(blank=True, max_length=100, null=True),
        ),
    ]

"""The Administrators and Editors groups with their permissions (see store.people)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from newsdesk.store.people import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0006_editorial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

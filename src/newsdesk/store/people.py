"""Users and their roles.

Two Django groups carry the roles: "Administrators" may do everything, users and groups
included; "Editors" run the desk (sources, rules, articles and the review queue, categories,
site settings) and read the audit log, but cannot manage people. `sync_roles` sets both
groups' permissions; a data migration and every `migrate` (post_migrate) call it, so a model
added later reaches the groups without another data migration.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model

ADMINISTRATORS = "Administrators"
EDITORS = "Editors"

# (app label, model name) → the permission verbs editors get on it
EDITOR_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("store", "source"): ("view", "add", "change", "delete"),
    ("store", "sourcepolicy"): ("view", "add", "change", "delete"),
    ("store", "rule"): ("view", "add", "change", "delete"),
    ("store", "article"): ("view", "change", "delete"),
    ("store", "heldarticle"): ("view", "change"),
    ("store", "category"): ("view", "add", "change", "delete"),
    ("store", "sitesettings"): ("view", "change"),
    ("store", "tombstone"): ("view",),
    ("store", "auditentry"): ("view",),
}


def _ensure_permissions(apps: Any) -> None:
    """Create the permission rows now: inside a migration, Django only creates them after
    the whole migrate run (post_migrate), too late for a data migration to use them."""
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        # historical app configs have no models_module, and create_permissions skips an
        # app without one: lend it a true value for the call
        config.models_module = True
        try:
            create_permissions(config, apps=apps, verbosity=0)
        finally:
            config.models_module = None


def sync_roles(apps: Any = global_apps) -> None:
    """Create both groups and give them their permissions (idempotent)."""
    if apps is not global_apps:
        _ensure_permissions(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    administrators, _ = group_model.objects.get_or_create(name=ADMINISTRATORS)
    administrators.permissions.set(permission_model.objects.all())
    editors, _ = group_model.objects.get_or_create(name=EDITORS)
    wanted = []
    for (app_label, model), verbs in EDITOR_PERMISSIONS.items():
        codenames = [f"{verb}_{model}" for verb in verbs]
        wanted.extend(
            permission_model.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )
    editors.permissions.set(wanted)


def ensure_admin(username: str, password: str) -> bool:
    """Create the administrator, or reset its password; True when it was created."""
    users = get_user_model()
    user = users.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = users(username=username)
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    user.set_password(password)
    user.save()
    _join(user, ADMINISTRATORS)
    return created


def ensure_editor(username: str, password: str) -> bool:
    """Create an editor (staff, in the Editors group, not a superuser); True when created."""
    users = get_user_model()
    user = users.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = users(username=username)
    user.is_staff = True
    user.is_superuser = False
    user.is_active = True
    user.set_password(password)
    user.save()
    _join(user, EDITORS)
    return created


def _join(user: Any, group_name: str) -> None:
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=group_name).first()
    if group is None:  # a database migrated before the roles existed
        sync_roles()
        group = Group.objects.get(name=group_name)
    user.groups.add(group)


def has_staff() -> bool:
    """Whether anyone can log in to the editor's desk yet."""
    return get_user_model().objects.filter(is_staff=True, is_active=True).exists()

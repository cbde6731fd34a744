from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: Any, **kwargs: Any) -> None:
    # after every migrate, so permissions of models added later reach the two groups
    from newsdesk.store.people import sync_roles

    sync_roles()


class EditorialConfig(AppConfig):
    name = "newsdesk.editorial"
    label = "editorial"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="editorial-sync-roles")

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _repair_search_index(sender: AppConfig, **kwargs: Any) -> None:
    # A later migration that rebuilds store_article on SQLite drops the search triggers;
    # putting them back after every migrate keeps search in step with the articles.
    from newsdesk.store import search

    if sender.label == "store":
        search.repair_index()


class SiteConfig(AppConfig):
    name = "newsdesk.site"
    label = "newsdesk_site"

    def ready(self) -> None:
        post_migrate.connect(_repair_search_index, dispatch_uid="newsdesk-search-repair")

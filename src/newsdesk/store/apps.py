from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "newsdesk.store"
    label = "store"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from newsdesk.store import sqlite_pragmas

        sqlite_pragmas.connect()

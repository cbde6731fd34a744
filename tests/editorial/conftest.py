"""Fixtures for the editor's desk: people in both roles, a source, held articles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# WhiteNoise warns (an error under our filterwarnings) when STATIC_ROOT is missing.
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_shared_answers() -> Iterator[None]:
    from newsdesk.site import caching
    from newsdesk.store import reads

    reads.forget_shared()
    caching.pages.clear()
    yield
    reads.forget_shared()
    caching.pages.clear()


@pytest.fixture
def boss(db: Any) -> Any:
    from django.contrib.auth import get_user_model

    from newsdesk.store.people import ensure_admin

    ensure_admin("boss", PASSWORD)
    return get_user_model().objects.get(username="boss")


@pytest.fixture
def editor(db: Any) -> Any:
    from django.contrib.auth import get_user_model

    from newsdesk.store.people import ensure_editor

    ensure_editor("ed", PASSWORD)
    return get_user_model().objects.get(username="ed")


@pytest.fixture
def source(db: Any) -> Any:
    from newsdesk.store.models import Source

    return Source.objects.create(
        name="Partner Post", slug="partner-post", feed_url="https://partner.example/feed/"
    )


def make_article(source: Any, n: int, status: str = "held", **fields: Any) -> Any:
    from newsdesk.store.models import Article

    values: dict[str, Any] = {
        "source": source,
        "identity": f"https://partner.example/?p={n}",
        "guid": f"https://partner.example/?p={n}",
        "url": f"https://partner.example/2026/11/story-{n}/",
        "title": f"Story number {n} from the harbour",
        "slug": f"story-number-{n}-from-the-harbour",
        "summary": f"The summary of story {n}.",
        "body_html": f"<p>The body of story {n}.</p>\n<p>A second paragraph.</p>",
        "status": status,
        "sort_at": datetime(2026, 11, 20 + n % 5, 9, 0, tzinfo=UTC),
        "published_at": datetime(2026, 11, 20 + n % 5, 9, 0, tzinfo=UTC),
        "attribution_site": "Partner Post",
        "image_url": "https://partner.example/uploads/ferry.jpg",
        "image_caption": "The ferry at dawn.",
        "image_credit": "Partner Wire/Jon Aas",
    }
    values.update(fields)
    return Article.objects.create(**values)

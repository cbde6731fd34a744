"""What the desk shows about ingest (issue 7): replay on the source page, quiet sources on
the dashboard, the identity a source is keyed on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from conftest import make_article
from newsdesk.store import fetchlog
from newsdesk.store.models import Source
from newsdesk.types import Fetched

pytestmark = [pytest.mark.django_db, pytest.mark.db_both]

FEED = (Path(__file__).resolve().parents[1] / "data" / "pipeline" / "partner.rss").read_bytes()


@pytest.fixture
def desk(client: Client, editor: Any) -> Client:
    client.force_login(editor)
    return client


def test_the_source_page_replays_a_kept_fetch(desk: Client, source: Source) -> None:
    replay_url = f"/admin/store/source/{source.pk}/replay/"
    change = desk.get(f"/admin/store/source/{source.pk}/change/").content.decode()
    assert f'href="{replay_url}"' in change and "identity_rule" in change
    empty = desk.get(replay_url).content.decode()
    assert 'id="nd-replay-none"' in empty
    fetched = Fetched(url=source.feed_url, status=200, content=FEED, headers={})
    fetchlog.record_fetch(source.pk, fetched, datetime(2026, 11, 25, tzinfo=UTC), keep=3)
    kept = make_article(source, 9, status="published")
    page = desk.get(replay_url).content.decode()
    assert "replayed offline, nothing saved" in page and "identity: guid" in page
    assert page.count('<tr class="nd-new">') == 3
    assert "Harbour council approves new ferry timetable" in page
    assert "image from figure" in page
    assert "would be: 3 new, 0 held, 0 updated, 0 unchanged" in page
    assert kept.title not in page  # only the fetch's items, not the source's other articles
    assert desk.get(replay_url + "?fetch=7").status_code == 200  # out of range: the newest


def test_quiet_sources_are_on_the_dashboard_and_the_desk(desk: Client, source: Source) -> None:
    now = datetime.now(UTC)
    Source.objects.filter(pk=source.pk).update(
        quiet_since=now - timedelta(hours=2),
        last_new_at=now - timedelta(days=3),
        usual_gap_seconds=3 * 3600,
        last_success_at=now,
    )
    Source.objects.create(name="Aardvark Daily", slug="a", feed_url="https://a.example/feed")
    page = desk.get("/admin/store/source/health/").content.decode()
    assert "quiet: nothing new since" in page and "usually every 3 h" in page
    assert page.index("Partner Post") < page.index("Aardvark Daily")  # quiet before ok
    index = desk.get("/admin/").content.decode()
    assert "<strong>1</strong> gone quiet" in index

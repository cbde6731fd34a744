"""The desk through the admin: review queue, article acts, tombstones, audit log, sources,
site settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from conftest import make_article
from newsdesk.store import editorial
from newsdesk.store.models import Article, AuditEntry, Rule, SiteSettings, Source, Tombstone

pytestmark = [pytest.mark.django_db, pytest.mark.db_both]

FEED = (Path(__file__).resolve().parents[1] / "data" / "pipeline" / "partner.rss").read_bytes()
QUEUE = "/admin/store/heldarticle/"


@pytest.fixture
def desk(client: Client, editor: Any) -> Client:
    client.force_login(editor)
    return client


def actions(**filters: Any) -> list[tuple[str, str, str]]:
    rows = AuditEntry.objects.filter(**filters).order_by("id")
    return [(e.username, e.action, e.object_id) for e in rows]


def test_queue_shows_held_articles_as_published(desk: Client, source: Source) -> None:
    held = make_article(source, 1)
    make_article(source, 2, status="published")
    page = desk.get(QUEUE).content.decode()
    assert held.title in page and "Story number 2" not in page
    assert "The ferry at dawn." in page and "Partner Wire/Jon Aas" in page
    assert "The post Story number 1 from the harbour first appeared on Partner Post." in page
    assert 'src="/static/editorial/review.js"' in page and "<script>" not in page
    assert "the source is set to review" not in page  # held by hand: no rule, no review mode


def test_approve_with_an_edited_headline(desk: Client, source: Source) -> None:
    held = make_article(source, 1)
    response = desk.post(
        QUEUE,
        {
            "approve": str(held.pk),
            f"title-{held.pk}": "A better headline",
            f"summary-{held.pk}": held.summary,
        },
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.status, held.title, held.slug) == (
        "published",
        "A better headline",
        "a-better-headline",
    )
    assert held.edited_fields == ["title"]
    assert held.feed_version == {"title": "Story number 1 from the harbour"}
    assert actions() == [("ed", "edit", str(held.pk)), ("ed", "approve", str(held.pk))]


def test_reject_and_bulk_approve(desk: Client, source: Source) -> None:
    a, b, c = (make_article(source, n) for n in (1, 2, 3))
    desk.post(QUEUE, {"reject": str(a.pk)})
    desk.post(QUEUE, {"bulk": "approve", "ids": [str(b.pk), str(c.pk)]})
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "rejected", b.pk: "published", c.pk: "published"}
    assert [x[1] for x in actions()] == ["reject", "approve", "approve"]
    assert "Nothing is waiting for review." in desk.get(QUEUE).content.decode()


def test_delete_leaves_a_tombstone(desk: Client, source: Source) -> None:
    gone = make_article(source, 1, status="published")
    kept = make_article(source, 2, status="published")
    response = desk.post(
        "/admin/store/article/",
        {"action": "delete_selected", "_selected_action": [gone.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=gone.pk).exists()
    assert editorial.tombstoned(source.pk, [gone.identity, kept.identity]) == {gone.identity}
    assert Tombstone.objects.get().deleted_by == "ed"
    assert actions(action="delete") == [("ed", "delete", str(gone.pk))]


def test_pin_unpublish_actions_are_audited(desk: Client, source: Source) -> None:
    art = make_article(source, 1, status="published")
    desk.post("/admin/store/article/", {"action": "pin", "_selected_action": [art.pk]})
    desk.post("/admin/store/article/", {"action": "unpublish", "_selected_action": [art.pk]})
    art.refresh_from_db()
    assert art.pinned and art.status == "held"
    assert [a for _, a, _ in actions()] == ["pin", "unpublish"]


def test_edit_form_marks_fields_and_shows_the_feed_version(desk: Client, source: Source) -> None:
    art = make_article(source, 1, status="held")
    url = f"/admin/store/article/{art.pk}/change/"
    form = desk.get(url)
    assert "Save and approve" in form.content.decode()
    data = {
        "title": "Edited headline",
        "slug": art.slug,
        "author": "",
        "summary": art.summary,
        # a textarea sends \r\n line ends: not an edit of the body
        "body_html": art.body_html.replace("\n", "\r\n") + "\r\n",
        "status": "held",
        "sort_at_0": "2026-11-21",
        "sort_at_1": "09:00:00",
        "image_url": art.image_url,
        "image_caption": art.image_caption,
        "image_credit": art.image_credit,
        "places": "[]",
        "enclosures": "[]",
        "_approve": "Save and approve",
    }
    response = desk.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    art.refresh_from_db()
    assert art.status == "published" and art.edited_fields == ["title"]
    page = desk.get(url).content.decode()
    assert "What the feed now says" in page and "Story number 1 from the harbour" in page
    assert [a for _, a, _ in actions()] == ["edit", "approve"]


def test_audit_log_is_read_only(desk: Client, boss: Any, source: Source) -> None:
    editorial.record(None, "pause", source)
    entry = AuditEntry.objects.get()
    assert entry.username == "system"
    assert desk.get("/admin/store/auditentry/").status_code == 200
    assert desk.get("/admin/store/auditentry/add/").status_code == 403
    desk.force_login(boss)
    assert (
        desk.post(f"/admin/store/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert AuditEntry.objects.count() == 1


def test_pause_and_resume(desk: Client, source: Source) -> None:
    desk.post("/admin/store/source/", {"action": "pause", "_selected_action": [source.pk]})
    source.refresh_from_db()
    assert not source.enabled and source.disabled_reason == "paused by an editor"
    desk.post("/admin/store/source/", {"action": "resume", "_selected_action": [source.pk]})
    source.refresh_from_db()
    assert source.enabled and source.disabled_reason == ""
    assert [a for _, a, _ in actions()] == ["pause", "resume"]


def test_health_dashboard_puts_failing_first_with_a_chart(desk: Client, source: Source) -> None:
    broken = Source.objects.create(
        name="Zeta Broken",
        slug="zeta",
        feed_url="https://broken.example/feed",
        consecutive_errors=3,
        last_status=500,
        last_error="fetch: HTTP 500 from broken.example",
    )
    make_article(source, 1, status="published")
    page = desk.get("/admin/store/source/health/").content.decode()
    assert page.index("Zeta Broken") < page.index("Partner Post")
    assert "fetch: HTTP 500 from broken.example" in page and "failing (3 errors, HTTP 500)" in page
    assert page.count('<svg class="nd-bars"') == 2 and "<rect" in page
    rows = editorial.health(__import__("django.utils.timezone").utils.timezone.now())
    assert rows[0].id == broken.pk and sum(rows[1].per_day) == 1


def test_opml_export_and_import(desk: Client, source: Source, tmp_path: Path) -> None:
    out = desk.get("/admin/store/source/opml/export/")
    assert out.status_code == 200 and b"https://partner.example/feed/" in out.content
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        b'<outline text="World"><outline type="rss" text="Other" xmlUrl="https://other.example/rss"/>'
        b"</outline></body></opml>"
    )
    upload = tmp_path / "subs.opml"
    upload.write_bytes(opml)
    with upload.open("rb") as f:
        response = desk.post("/admin/store/source/opml/import/", {"file": f, "full_text": "auto"})
    assert response.status_code == 302
    other = Source.objects.get(feed_url="https://other.example/rss")
    assert other.category is not None and other.category.name == "World"
    assert actions(action="import-opml")


def test_would_this_item_pass(desk: Client, source: Source) -> None:
    Rule.objects.create(source=source, action="hold", field="title", pattern="storm")
    Rule.objects.create(source=None, action="exclude", field="body", pattern="advert")
    url = f"/admin/store/source/{source.pk}/rules/"
    held = desk.post(url, {"title": "Storm warning", "body": "", "author": "", "categories": ""})
    assert 'Verdict: <span class="nd-hold">hold</span>' in held.content.decode()
    dropped = desk.post(
        url, {"title": "Ferry", "body": "<p>An advert</p>", "author": "", "categories": ""}
    )
    assert "nd-drop" in dropped.content.decode()
    passed = desk.post(url, {"title": "Ferry", "body": "", "author": "", "categories": ""})
    assert 'class="nd-pass">publish' in passed.content.decode()


def test_bad_regex_is_refused(desk: Client) -> None:
    response = desk.post(
        "/admin/store/rule/add/",
        {"action": "exclude", "field": "any", "kind": "regex", "pattern": "(oops", "enabled": "on"},
    )
    assert (
        response.status_code == 200
        and "not a valid regular expression" in response.content.decode()
    )
    assert not Rule.objects.exists()


def test_add_source_with_preview(desk: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.editorial import sources
    from newsdesk.pipeline import subscribe
    from newsdesk.types import Fetched

    url = "https://partner.example/feed/"
    fetched = Fetched(
        url=url, status=200, content=FEED, headers={"content-type": "application/rss+xml"}
    )
    monkeypatch.setattr(sources, "fetch_for_preview", lambda u: (url, fetched, "Partner Post"))
    page = desk.post(
        "/admin/store/source/add-preview/", {"url": url, "full_text": "auto", "preview": "1"}
    )
    text = page.content.decode()
    assert "Harbour council approves new ferry timetable" in text
    assert "https://partner.example/uploads/ferry.jpg" in text and "Partner Wire/Jon Aas" in text
    assert "first appeared on Partner Post" in text
    assert not Source.objects.exists()  # a preview subscribes to nothing

    async def fake_fetch(settings: Any, u: str) -> Any:
        return url, fetched, "Partner Post", "https://partner.example/"

    monkeypatch.setattr(subscribe, "_fetch_feed", fake_fetch)
    done = desk.post(
        "/admin/store/source/add-preview/",
        {"url": url, "full_text": "auto", "review": "on", "subscribe": "1"},
    )
    assert done.status_code == 302
    assert Source.objects.get().review is True
    assert actions(action="add-source")


def test_site_settings_change_shows_on_the_front_page_at_once(desk: Client, source: Source) -> None:
    make_article(source, 1, status="published")
    assert desk.get("/").status_code == 200  # warms any page cache
    anonymous = Client()
    anonymous.get("/")
    row = SiteSettings.objects.get(pk=1)
    data = {
        "name": row.name,
        "tagline": row.tagline,
        "social_links": '[{"label": "RSS", "url": "/feed/rss.xml"}]',
        "footer": "© {year} Harbour Daily: every word checked",
        "attribution_template": row.attribution_template,
        "listing_style": row.listing_style,
        "time_zone": row.time_zone,
    }
    response = desk.post("/admin/store/sitesettings/1/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Harbour Daily: every word checked" in anonymous.get("/").content.decode()
    assert actions(action="site-settings")


def test_source_forms_render_with_settings_and_rules(desk: Client, source: Source) -> None:
    page = desk.get(f"/admin/store/source/{source.pk}/change/").content.decode().lower()
    assert "mapping, attribution and fetching" in page and "include/exclude/hold rule" in page
    assert f"/admin/store/source/{source.pk}/rules/" in page
    listing = desk.get("/admin/store/source/").content.decode()
    for link in ("Health", "Import OPML", "Export OPML", "Add with preview"):
        assert link in listing
    assert desk.get("/admin/store/source/add/").status_code == 200
    assert desk.get("/admin/store/rule/add/").status_code == 200


def test_undo_edits_follows_the_feed_again(desk: Client, source: Source) -> None:
    art = make_article(source, 1, status="published")
    editorial.edit_article(None, art.pk, {"title": "Mine"})
    desk.post("/admin/store/article/", {"action": "revert", "_selected_action": [art.pk]})
    art.refresh_from_db()
    assert (art.title, art.edited_fields, art.feed_version) == (
        "Story number 1 from the harbour",
        [],
        None,
    )
    assert [a for _, a, _ in actions()] == ["edit", "revert"]


def test_site_settings_refuse_a_bad_time_zone_and_links(desk: Client) -> None:
    from newsdesk.store import reads

    reads.site_settings()
    row = SiteSettings.objects.get(pk=1)
    data = {
        "name": row.name,
        "tagline": row.tagline,
        "social_links": '{"label": "RSS"}',
        "footer": row.footer,
        "attribution_template": row.attribution_template,
        "listing_style": row.listing_style,
        "time_zone": "Mars/Olympus",
    }
    page = desk.post("/admin/store/sitesettings/1/change/", data).content.decode()
    assert "is not a time zone name" in page and "label" in page
    data.update(time_zone="Europe/Oslo", social_links="[]")
    assert desk.post("/admin/store/sitesettings/1/change/", data).status_code == 302
    assert SiteSettings.objects.get(pk=1).time_zone == "Europe/Oslo"


def test_bars_scale_to_the_busiest_day() -> None:
    from newsdesk.editorial.charts import bars

    svg = str(bars([0, 5, 10], width=30, height=20, label="<a>"))
    assert svg.count("<rect") == 4  # three days and the baseline
    assert 'height="20.0"><title>10</title>' in svg and 'height="10.0"><title>5</title>' in svg
    assert 'aria-label="&lt;a&gt;"' in svg
    assert str(bars([])) == ""

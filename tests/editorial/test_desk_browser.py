"""The editor's journeys in a real browser (Debian's chromium through Playwright): log in,
add a source with a preview, set review mode and a rule, approve from the queue with the
keyboard and see the article on the front page, edit a headline and keep it through the next
fetch, change the footer and see it on the site."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsdesk.config import Settings
from newsdesk.pipeline.update import HttpSeam, update
from newsdesk.store import reads, writes
from newsdesk.store.models import Article, AuditEntry, Rule, Source
from newsdesk.store.people import ensure_editor
from newsdesk.types import Fetched

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FEED = (Path(__file__).resolve().parents[1] / "data" / "pipeline" / "partner.rss").read_bytes()
URL = "https://partner.example/feed/"
PASSWORD = "a long editor password"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # git-ignored, for people

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"headless Chromium not found at {CHROMIUM}"),
]


def fetch(tmp_path: Path, body: bytes) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/rss+xml"})

    update(
        Settings(home=tmp_path, database_url="sqlite:///unused"),
        everything=True,
        rng=random.Random(1),
        seam=HttpSeam(httpx.MockTransport(handle), resolve=lambda host, port: ["93.184.215.14"]),
    )


@pytest.fixture
def page(live_server: Any) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    # ORM calls from the test thread while Playwright's loop runs in it
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ensure_editor("ed", PASSWORD)
    reads.site_settings()  # the settings row exists, as on any site that served a page
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            tab = context.new_page()
            tab.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.base = live_server.url
            tab.goto(live_server.url + "/admin/")
            assert "/admin/login/" in tab.url
            tab.fill("#id_username", "ed")
            tab.fill("#id_password", PASSWORD)
            tab.click("input[type=submit]")
            tab.wait_for_selector("#site-name")
            assert "Review queue" in tab.inner_text("body")
            yield tab
        finally:
            browser.close()
    # the admin's own images (icons) are fine; no script may fail
    assert [e for e in errors if "pageerror" in e] == []


def test_review_mode_then_approve_with_the_keyboard(page: Any, tmp_path: Path) -> None:
    source, _ = writes.add_source(URL, "Partner Post")
    page.goto(f"{page.base}/admin/store/source/{source.id}/change/")
    page.check("#id_review")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert Source.objects.get(pk=source.id).review is True

    fetch(tmp_path, FEED)
    assert set(Article.objects.values_list("status", flat=True)) == {"held"}
    page.goto(page.base + "/admin/store/heldarticle/")
    cards = page.locator(".nd-card")
    assert cards.count() == 3
    first = cards.nth(0)
    assert "Harbour council approves new ferry timetable" in first.inner_text()
    assert first.locator("img").get_attribute("src") == "https://partner.example/uploads/ferry.jpg"
    assert "Partner Wire/Jon Aas" in first.text_content()  # shown in capitals by the CSS
    assert "first appeared on Partner Post" in first.inner_text()
    assert "the source is set to review" in first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-review-queue.png"), full_page=True)
    # j moves to the second card (the library), a approves it
    page.keyboard.press("j")
    assert "nd-current" in (cards.nth(1).get_attribute("class") or "")
    with page.expect_navigation():
        page.keyboard.press("a")
    assert "Approved" in page.inner_text(".messagelist")
    # k then r: back to the first card (the ferry) and reject it
    page.keyboard.press("r")  # the first card is current again after the reload
    page.wait_for_selector(".messagelist .success")
    statuses = dict(Article.objects.values_list("title", "status"))
    assert statuses["Library extends weekend opening hours"] == "published"
    assert statuses["Harbour council approves new ferry timetable"] == "rejected"
    assert statuses["Storm warning for the outer islands"] == "held"

    page.goto(page.base + "/")
    front = page.inner_text("body")
    assert "Library extends weekend opening hours" in front
    assert "Harbour council approves new ferry timetable" not in front
    assert "Storm warning" not in front
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"approve", "reject"}
    page.goto(page.base + "/admin/store/source/health/")
    assert page.locator("#nd-health svg.nd-bars rect:not(.nd-base)").count() == 14
    page.screenshot(path=str(ARTIFACTS / "admin-source-health.png"), full_page=True)


def test_edit_a_headline_and_keep_it_through_the_next_fetch(page: Any, tmp_path: Path) -> None:
    writes.add_source(URL, "Partner Post")
    fetch(tmp_path, FEED)
    ferry = Article.objects.get(guid="https://partner.example/?p=101")
    page.goto(f"{page.base}/admin/store/article/{ferry.pk}/change/")
    page.fill("#id_title", "Ferries every twenty minutes from spring")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    changed = FEED.replace(b"approves new ferry timetable</title>", b"backs ferry plan</title>")
    changed = changed.replace(b"every twenty minutes from the spring", b"every 20 minutes")
    fetch(tmp_path, changed)
    ferry.refresh_from_db()
    assert ferry.title == "Ferries every twenty minutes from spring"
    assert "every 20 minutes" in ferry.body_html

    page.goto(page.base + "/")
    assert "Ferries every twenty minutes from spring" in page.inner_text("body")
    page.goto(f"{page.base}/admin/store/article/{ferry.pk}/change/")
    versions = page.inner_text(".nd-versions")
    assert "Ferries every twenty minutes from spring" in versions
    # beside the editor's headline: what the feed says now, not what it said at first
    assert "Harbour council backs ferry plan" in versions


def test_set_a_rule_see_an_item_held_and_approve_it(page: Any, tmp_path: Path) -> None:
    source, _ = writes.add_source(URL, "Partner Post")
    page.goto(f"{page.base}/admin/store/source/{source.id}/change/")
    page.select_option("#id_rules-0-action", "hold")
    page.select_option("#id_rules-0-field", "title")
    page.fill("#id_rules-0-pattern", "storm, gale")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert Rule.objects.get().pattern == "storm, gale"
    page.goto(f"{page.base}/admin/store/source/{source.id}/rules/")
    page.fill("#id_title", "Storm warning for the outer islands")
    page.click("#nd-rule-test input[type=submit]")
    assert "hold" in page.inner_text("#nd-verdict")
    page.fill("#id_title", "Library opens on Sundays")
    page.click("#nd-rule-test input[type=submit]")
    assert "publish" in page.inner_text("#nd-verdict")

    # the next fetch holds the storm item only, and says which rule held it
    fetch(tmp_path, FEED)
    statuses = dict(Article.objects.values_list("title", "status"))
    assert statuses["Storm warning for the outer islands"] == "held"
    assert statuses["Library extends weekend opening hours"] == "published"
    page.goto(page.base + "/")
    assert "Storm warning" not in page.inner_text("main")
    page.goto(page.base + "/admin/store/heldarticle/")
    cards = page.locator(".nd-card")
    assert cards.count() == 1
    assert "storm, gale" in cards.first.locator(".nd-reason").inner_text()
    with page.expect_navigation():
        cards.first.locator(".nd-approve").click()
    assert "Approved" in page.inner_text(".messagelist")
    page.goto(page.base + "/")
    assert "Storm warning for the outer islands" in page.inner_text("main")


def test_add_a_source_with_a_preview(page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.editorial import sources
    from newsdesk.pipeline import subscribe

    fetched = Fetched(
        url=URL, status=200, content=FEED, headers={"content-type": "application/rss+xml"}
    )
    monkeypatch.setattr(sources, "fetch_for_preview", lambda url: (URL, fetched, "Partner Post"))

    async def fake_fetch(settings: Any, url: str) -> Any:
        return URL, fetched, "Partner Post", "https://partner.example/"

    monkeypatch.setattr(subscribe, "_fetch_feed", fake_fetch)
    page.goto(page.base + "/admin/store/source/")
    page.click("text=Add with preview")
    page.fill("#id_url", URL)
    page.click("input[name=preview]")
    page.wait_for_selector(".nd-preview")
    preview = page.inner_text("#content-main")
    assert "Harbour council approves new ferry timetable" in preview
    assert "partner wire/jon aas" in preview.lower() and "first appeared on Partner Post" in preview
    assert not Source.objects.exists()
    page.click("input[name=subscribe]")
    page.wait_for_selector(".messagelist .success")
    assert Source.objects.get().feed_url == URL


def test_change_the_footer_and_see_it_on_the_site(page: Any) -> None:
    page.goto(page.base + "/")  # the front page is rendered (and cached) before the change
    page.goto(page.base + "/admin/store/sitesettings/1/change/")
    page.fill("#id_footer", "© {year} Harbour Daily, checked by hand")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    page.goto(page.base + "/")
    assert "Harbour Daily, checked by hand" in page.inner_text("body")

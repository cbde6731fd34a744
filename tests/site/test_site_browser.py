"""The site in a real browser: desktop and phone widths, no console errors, no third parties.

Screenshots land in test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from site_rows import Seed

from newsdesk.config import DEMO_ORIGIN
from newsdesk.site import demo_files, security
from newsdesk.store.models import Article

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ALL_IMAGES_LOADED = "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
# name: (width, height, color scheme)
DEVICES = {
    "desktop": (1280, 900, "light"),
    "phone": (390, 844, "light"),
    "phone-dark": (390, 844, "dark"),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"headless Chromium not found at {CHROMIUM}"),
]

# Our own drawing: a harbour at dusk, standing in for a news photo.
PHOTO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675"
viewBox="0 0 1200 675">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="#2b3a67"/><stop offset="0.6" stop-color="#e07a5f"/>
<stop offset="1" stop-color="#f2cc8f"/></linearGradient></defs>
<rect width="1200" height="675" fill="url(#sky)"/>
<circle cx="860" cy="330" r="70" fill="#f9e0a8"/>
<path d="M0 420 L220 300 L420 410 L640 280 L900 420 L1200 330 L1200 675 L0 675 Z" fill="#3d405b"/>
<rect y="500" width="1200" height="175" fill="#274060"/>
<path d="M180 520 h260 l-30 40 h-200 z" fill="#1b1b2f"/>
<rect x="290" y="450" width="8" height="70" fill="#1b1b2f"/>
</svg>"""

BODY = "".join(
    f"<p>{text}</p>"
    for text in (
        "Rebel fighters reached the edge of a central city on Saturday, residents and officials "
        "said, as front lines shifted across the region and the roads filled with families "
        "heading south.",
        "A resident said the fighting could be heard from the market square through the night, "
        "and that the main bakery had closed for the first time in years.",
        "Officials did not immediately comment on the reports. A regional analyst said the city "
        "sits on the crossroads between the capital and the coast, which makes it the key to "
        "the weeks ahead.",
    )
)


@pytest.fixture
def browser_rows(seed: Seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seed:
    images = tmp_path / "images"
    images.mkdir()
    for name in ("convoy.svg", "envoy.svg", "leaders.svg"):
        (images / name).write_text(PHOTO_SVG)
    monkeypatch.setattr(demo_files, "demo_root", lambda: tmp_path)
    # Keep every image on this host: the test forbids requests elsewhere.
    for article, name in zip(seed.articles, ("convoy", "envoy", "leaders"), strict=True):
        article.image_url = f"{DEMO_ORIGIN}/images/{name}.svg"
    seed.articles[0].body_html = BODY + "<h2>THE ROAD NORTH</h2>" + BODY
    Article.objects.bulk_update(seed.articles, ["image_url", "body_html"])
    return seed


def _with_policy(route: Any) -> None:
    """Serve every page under our CSP even when the middleware is not installed in settings."""
    from playwright.sync_api import Error

    response = route.fetch()
    headers = dict(response.headers)
    headers.setdefault("content-security-policy", security.POLICY)
    try:
        route.fulfill(response=response, headers=headers)
    except Error as e:
        # the page moved on while this answer was in flight (a click on a link while an
        # image was still loading); the browser no longer wants it. Seen under load in CI:
        # "Route.fulfill: Fetch response has been disposed"
        if "disposed" not in str(e):
            raise


def _visible_text(page: Any) -> str:
    return " ".join(str(page.inner_text("body")).split())


@pytest.mark.django_db(transaction=True)
def test_front_and_article_pages_in_chromium(live_server: Any, browser_rows: Seed) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    first = browser_rows.articles[0]
    pages = {"front": "/", "article": f"/article/{first.pk}/{first.slug}/"}
    base = urlsplit(live_server.url)
    errors: list[str] = []
    foreign: list[str] = []
    # The ORM is done; Playwright's sync API runs an event loop that Django would refuse.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            for device, (width, height, scheme) in DEVICES.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, color_scheme=scheme
                )
                page = context.new_page()
                page.route(live_server.url + "/**", _with_policy)
                page.on(
                    "console",
                    lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None,
                )
                page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
                page.on(
                    "response",
                    lambda r: errors.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
                )
                page.on(
                    "request",
                    lambda r: (
                        foreign.append(r.url) if urlsplit(r.url).netloc != base.netloc else None
                    ),
                )
                for name, path in pages.items():
                    response = page.goto(live_server.url + path, wait_until="load")
                    assert response is not None and response.status == 200
                    text = _visible_text(page)
                    assert first.title in text
                    assert "A convoy passes a checkpoint outside the city" in text
                    assert f"The post {first.title} first appeared on Algemeiner.com." in text
                    assert "Connect with us" in text
                    # Lazy images load once near the viewport: bring each into view, then every
                    # image must have decoded (an SVG served by /demo/ has a natural width).
                    for img in page.query_selector_all("img"):
                        img.scroll_into_view_if_needed()
                    page.wait_for_function(ALL_IMAGES_LOADED)
                    # nothing wider than the viewport: no sideways scrolling on a phone
                    scroll_width = page.evaluate("document.documentElement.scrollWidth")
                    assert scroll_width <= width, f"{name} at {device} scrolls sideways"
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{device}.png"), full_page=True)
                context.close()
        finally:
            browser.close()
    assert errors == []
    assert foreign == []


@pytest.mark.django_db(transaction=True)
def test_reader_journey_front_article_category_search_feed(
    live_server: Any, browser_rows: Seed
) -> None:
    """Front page → article → its category → a search from the header → the search result →
    the site feed, under the real CSP: no console error, no CSP violation (the JSON-LD block
    is data, never run), nothing fetched from another host."""
    sync_api = pytest.importorskip("playwright.sync_api")
    first = browser_rows.articles[0]
    base = urlsplit(live_server.url)
    errors: list[str] = []
    foreign: list[str] = []
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            # Counts violations the page itself sees, whatever the console shows.
            context.add_init_script(
                "window.__csp = [];"
                "document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            page = context.new_page()
            page.route(live_server.url + "/**", _with_policy)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.on(
                "request",
                lambda r: foreign.append(r.url) if urlsplit(r.url).netloc != base.netloc else None,
            )
            page.goto(live_server.url + "/")
            page.click(f"#card-{first.pk} a")
            page.wait_for_url(f"**/article/{first.pk}/{first.slug}/")
            assert page.locator('script[type="application/ld+json"]').count() == 1
            assert page.evaluate("window.__csp") == []
            assert page.locator("link[rel=canonical]").get_attribute("href") == first.url
            page.click(".story-header .label a")
            page.wait_for_url("**/category/middle-east/")
            assert page.locator("h1").inner_text() == "Middle East"
            page.fill("#header-q", '"central city" -zzz')
            page.press("#header-q", "Enter")
            page.wait_for_url("**/search?q=*")
            results = page.locator("li.result")
            assert results.count() == 1
            # FTS5 marks the phrase as one span, PostgreSQL word by word: the words are the point
            marks = " ".join(page.locator("li.result mark").all_inner_texts()).lower().split()
            assert marks and set(marks) == {"central", "city"}
            page.screenshot(path=str(ARTIFACTS / "search-desktop.png"), full_page=True)
            page.click("li.result h2 a")
            page.wait_for_url(f"**/article/{first.pk}/{first.slug}/")
            feed = page.locator('link[rel=alternate][type="application/rss+xml"]').first
            href = feed.get_attribute("href")
            assert href == "/feed/rss.xml"
            response = page.request.get(live_server.url + href)
            assert response.ok and b"<rss" in response.body()
            assert page.evaluate("window.__csp") == []
            context.close()
        finally:
            browser.close()
    assert errors == []
    assert foreign == []


def _axe_script() -> Path | None:
    """axe-core's axe.min.js: $NEWSDESK_AXE, or an npm install into a cache folder."""
    given = os.environ.get("NEWSDESK_AXE")
    if given:
        return Path(given) if Path(given).is_file() else None
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "newsdesk-axe"
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if script.is_file():
        return script
    npm = shutil.which("npm")
    if npm is None:
        return None
    cache.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(cache),
             "axe-core@4"],
            check=True, timeout=180, capture_output=True,
        )  # fmt: skip
    except (subprocess.SubprocessError, OSError):
        return None
    return script if script.is_file() else None


@pytest.mark.django_db(transaction=True)
def test_pages_pass_axe_core(live_server: Any, browser_rows: Seed) -> None:
    """WCAG 2.1 A and AA rules of axe-core on every page family, light and dark."""
    sync_api = pytest.importorskip("playwright.sync_api")
    axe = _axe_script()
    if axe is None:
        pytest.skip("axe-core unavailable: set NEWSDESK_AXE or make npm reach its registry")
    first = browser_rows.articles[0]
    paths = [
        "/",
        f"/article/{first.pk}/{first.slug}/",
        "/category/middle-east/",
        "/source/algemeiner/",
        "/story/7/",
        "/search?q=envoy",
        "/search?q=nothing-matches-this",
    ]
    found: list[str] = []
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            for scheme in ("light", "dark"):
                # axe is injected as a script, which our CSP rightly forbids: bypass it here.
                context = browser.new_context(
                    viewport={"width": 1280, "height": 900}, color_scheme=scheme, bypass_csp=True
                )
                page = context.new_page()
                for path in paths:
                    page.goto(live_server.url + path, wait_until="load")
                    page.add_script_tag(path=str(axe))
                    result = page.evaluate(
                        "axe.run(document, {runOnly: {type: 'tag', values:"
                        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
                    )
                    for violation in result["violations"]:
                        targets = [n["target"] for n in violation["nodes"]][:3]
                        found.append(f"{scheme} {path}: {violation['id']} {targets}")
                context.close()
        finally:
            browser.close()
    assert found == []


@pytest.mark.django_db(transaction=True)
def test_dates_are_shown_in_the_readers_time_zone(live_server: Any, browser_rows: Seed) -> None:
    """The server writes dates in the site's zone (UTC here); a reader in Tokyo sees the
    date of Tokyo, from the same datetime attribute."""
    sync_api = pytest.importorskip("playwright.sync_api")
    first = browser_rows.articles[0]
    # 23:30 UTC on the 13th is already the 14th in Tokyo
    Article.objects.filter(pk=first.pk).update(
        published_at=datetime(2025, 6, 13, 23, 30, tzinfo=UTC)
    )
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shown: dict[str, str] = {}
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            for zone in ("UTC", "Asia/Tokyo"):
                context = browser.new_context(timezone_id=zone, locale="en-US")
                page = context.new_page()
                page.goto(f"{live_server.url}/article/{first.pk}/{first.slug}/")
                page.wait_for_load_state("networkidle")
                shown[zone] = page.locator(".byline time").inner_text()
                context.close()
        finally:
            browser.close()
    assert shown == {"UTC": "June 13, 2025", "Asia/Tokyo": "June 14, 2025"}

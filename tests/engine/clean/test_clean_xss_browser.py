"""Every sanitized XSS vector rendered in headless Chromium, with traps set: no script runs,
no event handler fires, no javascript: link is left to click, nothing but images loads."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import pytest
from xss_corpus import payloads

from newsdesk.engine.clean import sanitize_html

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ORIGIN = "http://xss.newsdesk.test/"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"headless Chromium not found at {CHROMIUM}"),
]

# Set before any vector can run: every way script announces itself lands in window.__fired.
TRAPS = """
window.__fired = [];
const note = (what) => (...args) => {
  window.__fired.push(what + ' ' + String(args[0]).slice(0, 80));
};
for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) { window[name] = note(name); }
const write = Document.prototype.write;
Document.prototype.write = function (...a) { note('document.write')(a[0]); };
"""

# After load: fire the events handlers wait for, and look for what is left to click.
PROBE = """
() => {
  const left = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith('on')) left.push(el.tagName + ' ' + attr);
    }
    for (const type of ['mouseover', 'mouseenter', 'focus', 'click', 'animationstart',
                        'error', 'load', 'toggle']) {
      el.dispatchEvent(new Event(type, {bubbles: true, cancelable: true}));
    }
  }
  for (const a of document.querySelectorAll('a[href], area[href], form[action], [formaction]')) {
    const url = a.href || a.action || a.formAction || '';
    if (!/^(https?:|mailto:)/i.test(url)) {
      left.push('link ' + url.slice(0, 80));
    }
  }
  const scripts = document.scripts.length;
  return left.concat(scripts ? ['script elements: ' + scripts] : []);
}
"""


def test_no_sanitized_vector_does_anything_in_chromium(shared_dir: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    vectors = list(payloads(shared_dir))
    assert len(vectors) > 500
    sections = "\n".join(
        f'<section id="v{i}" data-name="{html.escape(name)}">{sanitize_html(payload)}</section>'
        for i, (name, payload) in enumerate(vectors)
    )
    document = (
        f"<!doctype html><html><head><meta charset=utf-8></head><body>{sections}</body></html>"
    )
    requests: list[tuple[str, str]] = []
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(java_script_enabled=True)
            context.add_init_script(TRAPS)
            page = context.new_page()

            def serve(route: Any) -> None:
                # the page itself, from a real origin so relative links resolve as they would
                # on the site; everything else the page asks for is recorded and refused
                if route.request.url == ORIGIN:
                    route.fulfill(status=200, content_type="text/html", body=document)
                    return
                requests.append((route.request.resource_type, route.request.url[:120]))
                route.abort()

            page.route("**/*", serve)
            page.on("dialog", lambda d: (requests.append(("dialog", d.message)), d.dismiss()))
            page.goto(ORIGIN, wait_until="load")
            rendered = page.evaluate("document.querySelectorAll('body > section').length")
            left = page.evaluate(PROBE)
            page.wait_for_timeout(500)  # vectors that wait on a timer
            fired = page.evaluate("window.__fired")
        finally:
            browser.close()
    assert rendered == len(vectors)  # every vector made it into the page as its own section
    assert fired == []
    assert left == [], left
    # images are article content (hotlinked photos); any other request is a vector firing
    assert [r for r in requests if r[0] != "image"] == []
    assert all(url.startswith(("http://", "https://")) for _, url in requests)


def test_the_traps_catch_an_unsanitized_vector() -> None:
    """The same harness on raw payloads must see them fire, or the test above proves nothing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    raw = (
        '<img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a>'
        "<script>prompt(3)</script>"
    )
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            context = browser.new_context()
            context.add_init_script(TRAPS)
            page = context.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.fulfill(body=f"<!doctype html><body>{raw}</body>")
                    if route.request.url == ORIGIN
                    else route.abort()
                ),
            )
            page.goto(ORIGIN, wait_until="load")
            left = page.evaluate(PROBE)
            page.wait_for_timeout(200)
            fired = page.evaluate("window.__fired")
        finally:
            browser.close()
    assert any(f.startswith("prompt 3") for f in fired)
    assert any(f.startswith("alert 1") for f in fired)
    assert "IMG onerror" in left and any(item.startswith("link javascript:") for item in left)

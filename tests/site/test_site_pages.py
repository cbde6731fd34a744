"""The public pages: structure, redirects, 404s, escaping, pagination, demo files, headers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from django.test import Client
from html_query import select
from site_rows import BASE_TIME, Seed, make_article

from newsdesk.site import demo_files
from newsdesk.store.models import Article, Category, SiteSettings

LD_JSON = re.compile(r'<script type="application/ld\+json">[^<]*</script>')
LOCAL_TIME = re.compile(r'<script src="/static/site/localtime(?:\.[0-9a-f]+)?\.js" defer></script>')
CSP_MIDDLEWARE = "newsdesk.site.security.ContentSecurityPolicyMiddleware"


def page(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return lxml.html.fromstring(response.content.decode())


def text(node: Any) -> str:
    return " ".join(node.text_content().split())


@pytest.mark.django_db
def test_front_page_cards_follow_the_seed_layout(client: Client, seed: Seed) -> None:
    doc = page(client, "/")
    cards = select(doc, "main article.card")
    assert len(cards) == 3
    first = cards[0]
    assert text(select(first, ".label")[0]) == "Middle East"
    title_link = select(first, "h2 a")[0]
    assert text(title_link) == seed.articles[0].title
    assert title_link.get("href") == f"/article/{seed.articles[0].pk}/{seed.articles[0].slug}/"
    img = select(first, "figure img")[0]
    # the demo origin is served locally
    assert img.get("src") == "/demo/images/convoy.svg"
    assert img.get("loading") == "lazy"
    assert img.get("alt")
    assert "Photo: REUTERS/Staff Photographer" in text(select(first, "figcaption .credit")[0])
    assert text(select(first, ".excerpt")[0]).startswith("Rebel fighters reached")
    assert text(select(first, ".attribution")[0]) == (
        f"The post {seed.articles[0].title} first appeared on Algemeiner.com."
    )
    assert text(select(first, ".more a")[0]) == "Continue Reading"
    assert select(first, "time")[0].get("datetime") == "2025-06-14T08:00:00+00:00"


@pytest.mark.django_db
def test_header_and_footer_come_from_site_settings(client: Client, seed: Seed) -> None:
    doc = page(client, "/")
    assert doc.get("lang") == "en"
    header = select(doc, "body > header")[0]
    assert "Connect with us" in text(header)
    links = {text(a): a.get("href") for a in select(header, ".social a")}
    assert links == {"RSS": "/feed/rss.xml", "Facebook": "https://facebook.example/jpn"}
    assert text(select(header, ".site-name")[0]) == "Jewish Post & News"
    nav = [text(a) for a in select(doc, "nav.site-nav a")]
    assert nav == ["Latest", "Middle East", "News"]
    footer = text(select(doc, "body > footer")[0])
    assert footer.startswith("Copyright © 2017 - 20")
    assert "{year}" not in footer
    assert "Jewish Post & News" in footer
    assert select(doc, "a.skip-link")[0].get("href") == "#main"
    assert select(doc, "main#main")


@pytest.mark.django_db
def test_article_page_shows_the_whole_story(client: Client, seed: Seed) -> None:
    a = seed.articles[1]
    doc = page(client, f"/article/{a.pk}/{a.slug}/")
    story = select(doc, "main article.story")[0]
    assert text(select(story, "h1")[0]) == a.title
    assert "Algemeiner.com" in text(select(story, ".byline")[0])
    assert select(story, ".byline time")[0].get("datetime") == "2025-06-14T07:00:00+00:00"
    img = select(story, "figure.lead-image img")[0]
    assert img.get("src") == "https://images.algemeiner.example/envoy.jpg"
    assert img.get("loading") is None  # the lead image is needed at once
    caption = text(select(story, "figcaption")[0])
    assert caption.startswith("The envoy speaks to reporters")
    # a credit that already says "Photo:" is not prefixed twice
    assert text(select(story, "figcaption .credit")[0]) == "Photo: REUTERS/Another Photographer"
    assert "special envoy said the state" in text(select(story, ".body")[0])
    line = select(story, "p.attribution")[0]
    assert text(line) == f"The post {a.title} first appeared on Algemeiner.com."
    hrefs = [x.get("href") for x in select(line, "a")]
    assert hrefs == [a.url, "https://www.algemeiner.example/"]
    assert text(select(story, ".origin")[0]) == "Originally by i24 News, via Algemeiner.com"
    more = select(story, ".more a")[0]
    assert (text(more), more.get("href")) == ("Continue Reading", a.url)
    assert [text(x) for x in select(story, ".tags a")] == ["Middle East"]
    # the other article of story 7
    others = [text(x) for x in select(story, ".same-story li > a")]
    assert others == [seed.articles[0].title]


@pytest.mark.django_db
def test_attribution_falls_back_to_the_source(client: Client, seed: Seed) -> None:
    a = make_article(seed.source, 30)
    doc = page(client, f"/article/{a.pk}/{a.slug}/")
    line = select(doc, "p.attribution")[0]
    assert text(line) == "The post Story number 30 first appeared on Algemeiner.com."
    assert select(line, "a")[1].get("href") == "https://www.algemeiner.example/"


@pytest.mark.django_db
def test_a_source_can_have_its_own_attribution_line(client: Client, seed: Seed) -> None:
    from newsdesk.store.models import SourcePolicy

    SourcePolicy.objects.create(
        source=seed.source, attribution_template="Republished from {site}: {title}."
    )
    a = seed.articles[0]
    for path in (f"/article/{a.pk}/{a.slug}/", "/"):
        lines = [text(x) for x in select(page(client, path), "p.attribution")]
        assert f"Republished from Algemeiner.com: {a.title}." in lines, path


def _edit_settings(**changes: str) -> None:
    """As the admin saves them: through the model, so pages see the change at once."""
    row = SiteSettings.objects.get(pk=1)
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()


@pytest.mark.django_db
def test_the_logo_from_site_settings_sits_beside_the_name(client: Client, seed: Seed) -> None:
    from newsdesk.store.reads import site_settings

    site_settings()  # the row with its defaults
    _edit_settings(logo_url="/static/site/favicon.svg")
    logo = select(page(client, "/"), ".site-name img.logo")
    assert [x.get("src") for x in logo] == ["/static/site/favicon.svg"]
    _edit_settings(logo_url="javascript:alert(1)")
    a = seed.articles[0]
    assert not select(page(client, f"/article/{a.pk}/{a.slug}/"), ".site-name img")


@pytest.mark.django_db
def test_feed_data_is_escaped(client: Client, seed: Seed) -> None:
    evil = make_article(
        seed.source,
        31,
        when=BASE_TIME,
        title="<script>alert(1)</script>",
        slug="script",
        summary="<script>alert(2)</script>",
        image_url="https://images.example/x.jpg",
        image_caption="<script>alert(3)</script>",
        image_credit='"><script>alert(4)</script>',
        attribution_site="<script>alert(5)</script>",
        attribution_url='javascript:alert("6")',
        origin="<b>bold</b>",
    )
    for path in ("/", f"/article/{evil.pk}/script/"):
        html = client.get(path).content.decode()
        # The scripts allowed: the JSON-LD data block, which must hold no raw "<", and our
        # own file for dates in the reader's time zone.
        html = LOCAL_TIME.sub("", LD_JSON.sub("", html), count=1)
        assert "<script" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "javascript:" not in html
        assert "<b>bold</b>" not in html
    doc = page(client, f"/article/{evil.pk}/script/")
    line = text(select(doc, "p.attribution")[0])
    assert line == "The post <script>alert(1)</script> first appeared on <script>alert(5)</script>."


@pytest.mark.django_db
def test_short_and_wrong_slug_urls_redirect(client: Client, seed: Seed) -> None:
    a = seed.articles[0]
    target = f"/article/{a.pk}/{a.slug}/"
    for path in (f"/article/{a.pk}/", f"/article/{a.pk}/old-title/"):
        response = client.get(path)
        assert response.status_code in {301, 302}
        assert response["Location"] == target


@pytest.mark.django_db
def test_held_and_unknown_articles_are_404(client: Client, seed: Seed) -> None:
    held = make_article(seed.source, 32, status=Article.Status.HELD)
    for path in (
        f"/article/{held.pk}/{held.slug}/",
        f"/article/{held.pk}/",
        "/article/999999/x/",
        "/category/nope/",
        "/source/nope/",
        "/category/nope/rss.xml",
    ):
        assert client.get(path).status_code == 404, path
    front = client.get("/").content.decode()
    assert held.title not in front


@pytest.mark.django_db
def test_listing_pages_use_keyset_older_links(client: Client, seed: Seed) -> None:
    for n in range(40, 65):
        a = make_article(seed.source, n)
        a.categories.set([seed.news])
    seen: list[str] = []
    path = "/category/news/"
    pages = 0
    while path:
        doc = page(client, path)
        assert text(select(doc, "main h1")[0]) == "News"
        seen.extend(x.get("href") for x in select(doc, "article.card h2 a"))
        older = select(doc, "nav.pager a[rel=next]")
        assert not older or text(older[0]) == "Older"
        path = "/category/news/" + older[0].get("href") if older else ""
        assert "offset" not in path and "page=" not in path
        pages += 1
    assert pages == 2
    assert len(seen) == len(set(seen)) == 27


@pytest.mark.django_db
def test_source_page_lists_its_articles(client: Client, seed: Seed) -> None:
    doc = page(client, "/source/algemeiner/")
    assert text(select(doc, "main h1")[0]) == "Algemeiner.com"
    assert len(select(doc, "article.card")) == 3


@pytest.mark.django_db
def test_bad_cursor_is_a_bad_request(client: Client, seed: Seed) -> None:
    assert client.get("/?before=garbage").status_code == 400


@pytest.mark.django_db
def test_empty_front_page_says_how_to_start(client: Client) -> None:
    doc = page(client, "/")
    assert "No articles yet — add a source with newsdesk add URL" in text(doc)
    assert SiteSettings.objects.get(pk=1).name == "newsdesk"


@pytest.mark.django_db
def test_full_listing_style_shows_the_body(client: Client, seed: Seed) -> None:
    _edit_settings(listing_style="full")
    doc = page(client, "/")
    assert "The highway north was closed" in text(select(doc, "article.card .body")[0])


@pytest.mark.django_db
def test_pages_cost_a_constant_number_of_queries(
    client: Client, seed: Seed, django_assert_max_num_queries: Any
) -> None:
    for n in range(70, 100):
        a = make_article(seed.source, n)
        a.categories.set([seed.news, seed.middle_east])
    for path in (
        "/",
        "/category/news/",
        "/source/algemeiner/",
        f"/article/{seed.articles[0].pk}/{seed.articles[0].slug}/",
    ):
        with django_assert_max_num_queries(8):
            assert client.get(path).status_code == 200


def test_healthz(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_stylesheet_is_served(client: Client) -> None:
    response = client.get("/static/site/site.css")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"prefers-color-scheme: dark" in body


def test_demo_files_serve_images_only(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "feed.xml").write_text("<rss/>")
    (tmp_path.parent / "secret.png").write_bytes(b"\x89PNG")
    monkeypatch.setattr(demo_files, "demo_root", lambda: tmp_path)
    ok = client.get("/demo/images/a.svg")
    assert ok.status_code == 200
    assert ok["Content-Type"] == "image/svg+xml"
    assert "sandbox" in ok["Content-Security-Policy"]
    for path in (
        "/demo/feed.xml",
        "/demo/../secret.png",
        "/demo/images/../../secret.png",
        "/demo/%2e%2e/secret.png",
        "/demo/images/missing.png",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.django_db
def test_security_headers(client: Client, seed: Seed, settings: Any) -> None:
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, CSP_MIDDLEWARE]
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-src https://www.youtube-nocookie.com" in policy
    assert "frame-ancestors 'none'" in policy
    assert client.get("/article/999999/").has_header("Content-Security-Policy")


@pytest.mark.django_db
def test_no_inline_script_or_style_in_pages(client: Client, seed: Seed) -> None:
    a = seed.articles[0]
    for path in ("/", f"/article/{a.pk}/{a.slug}/", "/category/news/"):
        doc = page(client, path)
        # JSON-LD is data, never run; the one script that runs is our own file, no inline code
        scripts = [s for s in select(doc, "script") if s.get("type") != "application/ld+json"]
        assert [s.get("src", "").rsplit("/", 1)[-1].split(".")[0] for s in scripts] == [
            "localtime"
        ], path
        assert all(s.get("src", "").startswith("/static/") and not s.text for s in scripts)
        assert not select(doc, "style, [style]"), path


@pytest.mark.django_db
def test_story_page_groups_articles_across_sources(client: Client, seed: Seed) -> None:
    doc = page(client, "/story/7/")
    titles = [text(x) for x in select(doc, "article.card h2 a")]
    assert titles == [seed.articles[0].title, seed.articles[1].title]
    assert "Reported by Algemeiner.com" in text(doc)
    assert client.get("/story/8/").status_code == 404


@pytest.mark.django_db
def test_nav_keeps_the_busiest_categories(client: Client, seed: Seed) -> None:
    for n in range(12):
        cat = Category.objects.create(name=f"Tag {n:02}", slug=f"tag-{n}")
        seed.articles[0].categories.add(cat)
    nav = [text(a) for a in select(page(client, "/"), "nav.site-nav a")]
    # Middle East and News carry two articles each; the one-article tags fill the rest.
    assert nav[0] == "Latest"
    assert len(nav) == 9
    assert {"Middle East", "News"} <= set(nav)


@pytest.mark.django_db
def test_not_found_page_is_friendly(client: Client, settings: Any) -> None:
    settings.DEBUG = False
    response = client.get("/article/424242/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_the_kept_header_follows_settings_and_the_current_page(client: Client, seed: Seed) -> None:
    def header(path: str) -> Any:
        return select(page(client, path), "header.site-header")[0]

    def current(path: str) -> list[str]:
        return [text(a) for a in select(header(path), "nav a[aria-current=page]")]

    assert current("/?before=2030-01-01T00:00:00.000000Z,1") == ["Latest"]
    assert current("/category/news/") == ["News"]
    assert current("/category/middle-east/") == ["Middle East"]
    assert current("/source/algemeiner/") == []
    row = SiteSettings.objects.get(pk=1)
    row.name = "The Renamed Post"
    row.save()
    assert text(select(header("/category/news/"), ".site-name")[0]) == "The Renamed Post"
    assert current("/category/news/") == ["News"]


@pytest.mark.django_db
def test_pages_show_dates_in_the_sites_time_zone(client: Client, seed: Seed) -> None:
    # the first article is dated 08:00 UTC on June 14: the evening before in Honolulu
    _edit_settings(time_zone="Pacific/Honolulu")
    first = seed.articles[0]
    for path in ("/", f"/article/{first.pk}/{first.slug}/", "/search?q=rebels"):
        html = client.get(path).content.decode()
        assert '<time datetime="2025-06-13T22:00:00-10:00">June 13, 2025</time>' in html, path
    article = client.get(f"/article/{first.pk}/{first.slug}/").content.decode()
    assert '"datePublished": "2025-06-14T08:00:00Z"' in article  # machine-read dates stay UTC

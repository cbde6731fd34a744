from __future__ import annotations

import lxml.html
import pytest

from newsdesk.engine.clean.fragment import serialize_children
from newsdesk.engine.clean.images import (
    drop_tracking_pixels,
    restore_noscript_images,
    split_credit,
    take_lead_image,
)
from newsdesk.types import Enclosure, MediaImage, ParsedItem

ITEM = ParsedItem(guid="g", link="https://news.example/story/", title="T")


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


@pytest.mark.parametrize(
    ("raw", "caption", "credit"),
    [
        ("Rebels near Homs, December 7, 2024. Photo: REUTERS/Mahmoud Hasano",
         "Rebels near Homs, December 7, 2024.", "REUTERS/Mahmoud Hasano"),
        ("Boats in the harbour. Credit: Jane Roe", "Boats in the harbour.", "Jane Roe"),
        ("Boats in the harbour. Photo by Jane Roe", "Boats in the harbour.", "Jane Roe"),
        ("President speaks in Ohio. (AP Photo/Evan Vucci)", "President speaks in Ohio.",
         "AP Photo/Evan Vucci"),
        ("Skyline at dusk. Image: Harbour Times", "Skyline at dusk.", "Harbour Times"),
        ("Skyline at dusk © Ada Quill", "Skyline at dusk", "Ada Quill"),
        ("Photo: REUTERS/Ada Quill", None, "REUTERS/Ada Quill"),
        ("Leaders meet in Vienna on Feb 16, 2026. — AFP", "Leaders meet in Vienna on Feb 16, 2026.",
         "AFP"),
        ("Leaders meet – and talk", "Leaders meet – and talk", None),
        ("A photo by the river shows the flood", "A photo by the river shows the flood", None),
        ("", None, None),
    ],
)  # fmt: skip
def test_split_credit(raw: str, caption: str | None, credit: str | None) -> None:
    assert split_credit(raw) == (caption, credit)


def test_leading_figure_is_taken_and_removed() -> None:
    root = _tree(
        '<figure><img src="https://news.example/a-300.jpg" width="1024" height="683" '
        'srcset="https://news.example/a-300.jpg 300w, https://news.example/a-1024.jpg 1024w" '
        'alt="Boats"><figcaption>Boats at dawn. Photo: Ada Quill</figcaption></figure>'
        "<p>Body.</p>"
    )
    image = take_lead_image(root, ITEM)
    assert image is not None
    assert image.url == "https://news.example/a-1024.jpg"
    assert (image.caption, image.credit, image.alt) == ("Boats at dawn.", "Ada Quill", "Boats")
    assert (image.width, image.height, image.origin) == (1024, 683, "figure")
    assert serialize_children(root) == "<p>Body.</p>"


def test_marked_up_credit_wins() -> None:
    root = _tree(
        '<figure><img src="https://news.example/a.jpg"><figcaption>Boats at dawn. '
        '<span class="photo-credit">Ada Quill/Harbour Times</span></figcaption></figure>'
    )
    image = take_lead_image(root, ITEM)
    assert image is not None
    assert (image.caption, image.credit) == ("Boats at dawn.", "Ada Quill/Harbour Times")


def test_figure_later_in_the_body_is_used_but_kept() -> None:
    html = '<p>Intro.</p><figure><img src="https://news.example/b.jpg"></figure><p>More.</p>'
    root = _tree(html)
    image = take_lead_image(root, ITEM)
    assert image is not None and image.url == "https://news.example/b.jpg"
    assert serialize_children(root) == html


def test_leading_bare_image_in_a_paragraph() -> None:
    root = _tree('<p><a href="/x"><img src="https://news.example/c.jpg"></a></p><p>Text.</p>')
    image = take_lead_image(root, ITEM)
    assert image is not None and image.origin == "img"
    assert serialize_children(root) == "<p>Text.</p>"


def test_feed_media_when_the_body_has_no_image() -> None:
    item = ParsedItem(
        guid="g", link=None, title="T",
        media=(
            MediaImage("https://news.example/thumb.jpg", "media:thumbnail", width=150),
            MediaImage("https://news.example/full.jpg", "media:content",
                       caption="Quay at night. Photo: AFP/Ana Lee", width=1200),
        ),
    )  # fmt: skip
    image = take_lead_image(_tree("<p>Text only.</p>"), item)
    assert image is not None
    assert (image.url, image.caption, image.credit) == (
        "https://news.example/full.jpg", "Quay at night.", "AFP/Ana Lee",
    )  # fmt: skip


def test_media_credit_element_is_used() -> None:
    item = ParsedItem(
        guid="g", link=None, title="T",
        media=(
            MediaImage("https://n.example/a.jpg", "media:content", caption="Q", credit="Ana Lee"),
        ),
    )  # fmt: skip
    image = take_lead_image(None, item)
    assert image is not None and (image.caption, image.credit) == ("Q", "Ana Lee")


def test_image_enclosure_but_not_svg_or_audio() -> None:
    item = ParsedItem(
        guid="g", link=None, title="T",
        enclosures=(
            Enclosure("https://n.example/a.mp3", "audio/mpeg"),
            Enclosure("https://n.example/x.svg", "image/svg+xml"),
            Enclosure("https://n.example/p.jpg", "image/jpeg"),
        ),
    )  # fmt: skip
    image = take_lead_image(None, item)
    assert image is not None and (image.url, image.origin) == (
        "https://n.example/p.jpg",
        "enclosure",
    )


@pytest.mark.parametrize(
    "img",
    [
        '<img src="https://news.example/p.gif" width="1" height="1">',
        '<img src="https://feeds.feedburner.com/~r/news/~4/abc">',
        '<img src="https://secure.gravatar.com/avatar/abc?s=96">',
        '<img src="https://s.w.org/images/core/emoji/15.0.3/72x72/1f600.png">',
        '<img src="https://news.example/icon.png" width="16" height="16">',
        # found by the independent lead-image labels (tests/data/golden/lead-images.tsv)
        '<img src="https://media.news.example/include/images/tracking/npr-rss-pixel.png?story=1">',
        '<img src="https://stats.news.example/p.php?idsite=3&amp;rec=1" alt="">',
        '<img src="https://news.example/2026/02/17/story/undefined">',
        '<img src="https://news.example/theme/feed-placeholder.png" width="800">',
        '<img src="https://news.example/abc_news_default_2000x2000_16x9_1600.jpg">',
    ],
)
def test_pixels_and_icons_are_never_the_lead(img: str) -> None:
    assert take_lead_image(_tree(img + "<p>Text</p>"), ITEM) is None


def test_tracking_pixels_are_removed_from_the_body() -> None:
    root = _tree(
        '<p>Text<img src="https://stats.wordpress.com/b.gif?x=1" width="1" height="1"> end</p>'
        '<img src="https://news.example/real.jpg" width="640">'
    )
    drop_tracking_pixels(root)
    assert (
        serialize_children(root)
        == '<p>Text end</p><img src="https://news.example/real.jpg" width="640">'
    )


def test_noscript_fallback_replaces_the_lazy_stub() -> None:
    root = _tree(
        '<img src="data:image/gif;base64,R0lG" class="lazy">'
        '<noscript><img src="https://news.example/real.jpg" width="800"></noscript><p>Text</p>'
    )
    restore_noscript_images(root)
    assert [img.get("src") for img in root.iter("img")] == ["https://news.example/real.jpg"]
    assert root.find(".//noscript") is None


def test_leading_figure_inside_a_wrapper_is_removed_alone() -> None:
    root = _tree(
        '<div class="entry"><figure><img src="https://news.example/w.jpg">'
        "<figcaption>Quay. Photo: Ana Lee</figcaption></figure><p>Body.</p></div>"
    )
    image = take_lead_image(root, ITEM)
    assert image is not None and (image.url, image.credit) == (
        "https://news.example/w.jpg",
        "Ana Lee",
    )
    assert serialize_children(root) == '<div class="entry"><p>Body.</p></div>'


def test_image_after_text_is_not_leading() -> None:
    html = '<p>Intro <img src="https://news.example/i.jpg"> text.</p>'
    root = _tree(html)
    image = take_lead_image(root, ITEM)
    assert image is not None and image.url == "https://news.example/i.jpg"
    assert serialize_children(root) == html


def test_noscript_fallback_replaces_a_promoted_lazy_stub() -> None:
    root = _tree(
        '<img src="https://news.example/real.jpg" data-src="https://news.example/real.jpg">'
        '<noscript><img src="https://news.example/real.jpg"></noscript>'
    )
    restore_noscript_images(root)
    assert len(list(root.iter("img"))) == 1


def test_an_svg_counts_as_a_photo_only_with_a_photos_size() -> None:
    sized = _tree(
        '<figure><img src="https://n.example/harbour.svg" width="1200" height="675">'
        "<figcaption>The harbour. Photo: DEMO/Lena Voss</figcaption></figure><p>Text</p>"
    )
    image = take_lead_image(sized, ITEM)
    assert image is not None and image.url == "https://n.example/harbour.svg"
    assert image.credit == "DEMO/Lena Voss"
    icon = _tree('<figure><img src="https://n.example/logo.svg"></figure><p>Text</p>')
    assert take_lead_image(icon, ITEM) is None

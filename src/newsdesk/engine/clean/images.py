"""The lead image shown above an article, with its caption and photo credit.

Preference order: the body's first figure, a bare image that opens the body, the feed's own
media elements, image enclosures, then any image in the body. The page shows the lead image
once, above the text, so when it opened the body it is taken out of the body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsdesk.engine.clean.sanitize import plain_text
from newsdesk.engine.clean.urls import srcset_candidates, srcset_weight, web_url
from newsdesk.types import LeadImage, MediaImage, ParsedItem

if TYPE_CHECKING:
    from lxml.html import HtmlElement


class _UrlPattern:
    """A case-blind URL regex behind a cheap test: an ASCII URL that holds none of the
    literals every match must contain cannot match, and most URLs hold none. (A non-ASCII
    URL always goes to the regex: under IGNORECASE "ı" matches "i" and "ſ" matches "s".)"""

    def __init__(self, pattern: str, literals: tuple[str, ...]) -> None:
        self._regex = re.compile(pattern, re.IGNORECASE)
        self._literals = literals

    def search(self, url: str) -> bool:
        if url.isascii():
            lowered = url.lower()
            if not any(literal in lowered for literal in self._literals):
                return False
        return self._regex.search(url) is not None


# Counters and beacons: removed from the body wherever they are.
_TRACKER_URL = _UrlPattern(
    r"feeds\.feedburner\.com/~r/|feedburner\.com/~ff/|feedsportal\.com|stats\.wordpress\.com"
    r"|pixel\.wp\.com|doubleclick\.net|google-analytics\.com|/pixel(?:\.gif|\.png)?(?:[?#]|$)"
    r"|[/_.-]1x1[/_.-]|/b\.gif(?:[?#]|$)|/blank\.gif|/spacer\.gif|/transparent\.gif"
    # NPR's "npr-rss-pixel.png", a /tracking/ folder, Matomo/Piwik beacons (?idsite=)
    r"|[-_]pixel\.(?:gif|png)|/tracking/|[?&]idsite=|/(?:matomo|piwik)\.php",
    ("feedburner", "feedsportal", "stats.wordpress", "pixel", "doubleclick",
     "google-analytics", "1x1", ".gif", "/tracking/", "idsite=", "matomo", "piwik"),
)  # fmt: skip
# Fine in the body, wrong as the picture above a headline.
_NOT_A_LEAD_URL = _UrlPattern(
    r"gravatar\.com|/avatars?/|/emoji/|/smilies/|s\.w\.org/images|favicon|/icons?/|"
    r"\.ico(?:[?#]|$)|share[-_]?button|/badges?/|"
    # the theme's stand-in when a post has no picture, and a script's unset src resolved
    # against the page ("…/undefined")
    r"placeholder|/default[_.-]|[_-]default_\d+x\d+|/(?:undefined|null)(?:[?#]|$)",
    ("gravatar", "/avatar", "/emoji/", "/smilies/", "s.w.org", "favicon", "/icon", ".ico",
     "share", "/badge", "placeholder", "default", "/undefined", "/null"),
)  # fmt: skip
# SVG is mostly logos and icons: one counts as a photo only when it declares a photo's size
_SVG = _UrlPattern(r"\.svg(?:[?#]|$)", (".svg",))
_DIMENSION = re.compile(r"([0-9]{1,6})(?:\.[0-9]*)?(?:px)?")
_MIN_LEAD_WIDTH = 100
_MIN_LEAD_HEIGHT = 60

_CREDIT_PATTERNS = (
    # "(AP Photo/Evan Vucci)"
    re.compile(r"\(\s*(?P<credit>(?:[A-Z][\w.&' -]*\s)?Photos?\s*/\s*[^()]+?)\s*\)[\s.]*$"),
    # "Photo: REUTERS/Mahmoud Hasano", "Credit: ...", "Image: ...", "Photo credit: ..."
    re.compile(
        r"(?:^|(?<=[\s.;,|(–—-]))(?i:photo(?:graph)?s?|images?|pictures?|pics?|credits?|"
        r"(?:photo|image|picture)\s+credits?|source|foto)\s*[:：]\s*(?P<credit>[^\n]{1,120}?)"
        r"[\s.)]*$"
    ),
    # "Photo by Jane Doe", "Image courtesy of NASA"
    re.compile(
        r"(?:^|(?<=[\s.;,|(–—-]))(?:Photo(?:graph)?|Image|Picture)s?\s+(?i:by|courtesy\s+of|via)"
        r"\s+(?P<credit>[^\n]{1,120}?)[\s.)]*$"
    ),
    # "… on Feb 16, 2026. — AFP": a dash after the last sentence
    re.compile(r"(?<=[.!?])\s*[—–]\s*(?P<credit>[^.—–\n]{2,60}?)[\s.]*$"),
    # "© Jane Doe", "(c) Agency", "Copyright 2024 Agency"
    re.compile(
        r"(?:^|(?<=[\s.;,|(–—-]))(?:©|\([cC]\)|Copyright\s*(?:©\s*)?)\s*(?P<credit>[^\n]{1,120}?)"
        r"[\s.)]*$"
    ),
)
_CAPTION_TRAILER = " \t\n-–—|,;:("


def split_credit(caption: str | None) -> tuple[str | None, str | None]:
    """("… Syria. Photo: REUTERS/X") -> ("… Syria.", "REUTERS/X")."""
    if not caption:
        return None, None
    text = " ".join(caption.split())
    for pattern in _CREDIT_PATTERNS:
        match = pattern.search(text)
        if match:
            credit = match.group("credit").strip(" .")
            rest = text[: match.start()].rstrip(_CAPTION_TRAILER)
            return (rest or None), (credit or None)
    return (text or None), None


def _dimension(value: str | None) -> int | None:
    if not value:
        return None
    match = _DIMENSION.fullmatch(value.strip())
    return int(match.group(1)) if match else None


def is_tracking_pixel(img: HtmlElement) -> bool:
    width, height = _dimension(img.get("width")), _dimension(img.get("height"))
    if (width is not None and width <= 2) or (height is not None and height <= 2):
        return True
    src = img.get("src") or ""
    return _TRACKER_URL.search(src)


def drop_tracking_pixels(root: HtmlElement) -> None:
    for img in list(root.iter("img")):
        if is_tracking_pixel(img):
            img.drop_tree()


def restore_noscript_images(root: HtmlElement) -> None:
    """Lazy-loading themes put the real <img> in <noscript>; keep that one, drop the stub."""
    import lxml.etree
    import lxml.html

    for noscript in list(root.iter("noscript")):
        images = list(noscript.iter("img"))
        if not images and noscript.text and "<img" in noscript.text:
            try:
                images = list(lxml.html.fragment_fromstring(noscript.text, create_parent="div"))
            except (ValueError, lxml.etree.ParserError):
                images = []
            images = [el for el in images if el.tag == "img"]
        if not images:
            continue
        stub = noscript.getprevious()
        if stub is not None and stub.tag == "img" and _is_lazy_stub(stub):
            stub.drop_tree()
        parent = noscript.getparent()
        if parent is None:
            continue
        index = parent.index(noscript)
        for offset, img in enumerate(images):
            img.tail = None
            parent.insert(index + offset, img)
        noscript.drop_tree()


def _is_lazy_stub(img: HtmlElement) -> bool:
    lazy = any(img.get(attr) for attr in ("data-src", "data-lazy-src", "data-srcset"))
    return lazy or "lazy" in (img.get("class") or "") or _usable_src(img) is None


def _usable_src(img: HtmlElement) -> str | None:
    """The largest http(s) URL of an <img>/<source>, from srcset or src."""
    best = web_url(img.get("src"))
    srcset = img.get("srcset")
    if srcset:
        ranked = sorted(
            ((srcset_weight(d), u) for u, d in srcset_candidates(srcset) if web_url(u)),
            key=lambda pair: pair[0],
        )
        if ranked and (best is None or ranked[-1][0] > 0):
            best = web_url(ranked[-1][1])
    return best


def _fit_for_lead(url: str, width: int | None, height: int | None) -> bool:
    if _TRACKER_URL.search(url) or _NOT_A_LEAD_URL.search(url):
        return False
    if _SVG.search(url) and (width is None or height is None):
        return False
    if width is not None and width < _MIN_LEAD_WIDTH:
        return False
    return height is None or height >= _MIN_LEAD_HEIGHT


def _from_img(
    img: HtmlElement, origin: str, caption: str | None = None, credit: str | None = None
) -> LeadImage | None:
    url = _usable_src(img)
    width, height = _dimension(img.get("width")), _dimension(img.get("height"))
    if url is None or not _fit_for_lead(url, width, height):
        return None
    alt = plain_text(img.get("alt")) or None
    return LeadImage(
        url=url, caption=caption, credit=credit, alt=alt, width=width, height=height, origin=origin
    )


def _is_caption(el: HtmlElement) -> bool:
    return el.tag == "figcaption" or "caption" in (el.get("class") or "")


def _is_figure(el: HtmlElement) -> bool:
    return el.tag == "figure" or "wp-caption" in (el.get("class") or "").split()


def _figure_image(figure: HtmlElement) -> LeadImage | None:
    img = next(figure.iter("img"), None)
    if img is None:
        return None
    caption_el = next((el for el in figure.iter() if _is_caption(el) and el is not figure), None)
    caption: str | None = None
    credit: str | None = None
    if caption_el is not None:
        # Themes that mark the credit up separately ("<span class=credit>", "<cite>") win
        # over guessing it from the caption's wording.
        marked = next(
            (
                el
                for el in caption_el.iter()
                if el is not caption_el
                and (el.tag == "cite" or "credit" in (el.get("class") or "").lower())
            ),
            None,
        )
        if marked is not None:
            credit = " ".join(marked.text_content().split()) or None
            whole = " ".join(caption_el.text_content().split())
            caption = whole.replace(credit or "", "", 1).rstrip(_CAPTION_TRAILER) or None
        else:
            caption, credit = split_credit(caption_el.text_content())
    return _from_img(img, "figure", caption, credit)


def _leading_picture(root: HtmlElement) -> HtmlElement | None:
    """The figure or img that comes before any text of the body, however deeply wrapped."""
    import lxml.etree

    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        if el is root:
            if event == "start" and (root.text or "").strip():
                return None
            continue
        if event == "start":
            if not isinstance(el.tag, str):
                continue
            if _is_figure(el) or el.tag == "img":
                return el
            if (el.text or "").strip():
                return None
        elif (el.tail or "").strip():
            return None
    return None


def _enclosing_block(picture: HtmlElement, root: HtmlElement) -> HtmlElement:
    """The outermost wrapper holding nothing but the picture (`<p><a><img></a></p>`)."""
    block = picture
    parent = block.getparent()
    while (
        parent is not None and parent is not root and (len(parent) == 1 or parent.tag == "picture")
    ):
        if (parent.text or "").strip() or (block.tail or "").strip():
            break
        block, parent = parent, parent.getparent()
    return block


def _remove_block(block: HtmlElement) -> None:
    parent = block.getparent()
    if parent is None:
        return
    tail = block.tail
    previous = block.getprevious()
    parent.remove(block)
    if tail and tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _media_image(media: MediaImage, base: str | None) -> LeadImage | None:
    url = web_url(media.url, base)
    if url is None or not _fit_for_lead(url, media.width, media.height):
        return None
    caption = plain_text(media.caption) or None
    credit = plain_text(media.credit) or None
    if credit is None:
        caption, credit = split_credit(caption)
    return LeadImage(
        url=url,
        caption=caption,
        credit=credit,
        width=media.width,
        height=media.height,
        origin=media.origin,
    )


_MEDIA_RANK = {"media:content": 0, "jsonfeed:image": 1, "enclosure": 2, "media:thumbnail": 3}


def feed_image(item: ParsedItem, base: str | None = None) -> LeadImage | None:
    """The item's own image elements: media:content, thumbnails, then image enclosures."""
    ranked = sorted(
        item.media,
        key=lambda m: (_MEDIA_RANK.get(m.origin, 2), -(m.width or 0)),
    )
    for media in ranked:
        image = _media_image(media, base)
        if image is not None:
            return image
    for enclosure in item.enclosures:
        kind = enclosure.type.lower()
        if kind.startswith("image/") and "svg" not in kind:
            image = _media_image(MediaImage(url=enclosure.url, origin="enclosure"), base)
            if image is not None:
                return image
    return None


def take_lead_image(
    root: HtmlElement | None, item: ParsedItem, base: str | None = None
) -> LeadImage | None:
    """Choose the lead image; remove it from `root` when it opened the body."""
    if root is not None:
        picture = _leading_picture(root)
        if picture is not None:
            image = _figure_image(picture) if _is_figure(picture) else _from_img(picture, "img")
            if image is not None:
                _remove_block(_enclosing_block(picture, root))
                return image
        for figure in root.iter("figure"):
            image = _figure_image(figure)
            if image is not None:
                return image
    image = feed_image(item, base)
    if image is not None or root is None:
        return image
    for img in root.iter("img"):
        image = _from_img(img, "img")
        if image is not None:
            return image
    return None

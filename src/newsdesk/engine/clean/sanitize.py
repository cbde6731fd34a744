"""The last step of the clean stage: one explicit allow-list, enforced by nh3 (ammonia).

Everything else in the stage works on an lxml tree, which parses differently from a browser;
nh3 re-parses with an HTML5 parser and emits only what is listed here, so whatever the earlier
steps did, the stored body is what this module allows and nothing more.
"""

from __future__ import annotations

import functools
import html as htmllib
import re
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "a", "strong", "em", "b", "i", "u", "s", "blockquote", "q", "cite",
        "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "img",
        "picture", "source", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "pre", "code", "hr", "sub", "sup", "abbr", "time", "small", "mark", "dl", "dt", "dd",
        "audio", "video", "iframe",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"title", "lang"}),  # on every allowed tag
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "srcset", "sizes", "alt", "title", "width", "height"}),
    "source": frozenset({"src", "srcset", "sizes", "type", "media"}),
    "audio": frozenset({"src", "preload"}),
    "video": frozenset({"src", "poster", "width", "height", "preload"}),
    "iframe": frozenset({"src", "width", "height", "title", "allowfullscreen"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "abbr": frozenset({"title"}),
    "time": frozenset({"datetime"}),
    "ol": frozenset({"start", "reversed"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
}

URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Embeds are the one place third-party script runs; only these players, sandboxed.
EMBED_PREFIXES = (
    "www.youtube.com/embed/",
    "youtube.com/embed/",
    "www.youtube-nocookie.com/embed/",
    "youtube-nocookie.com/embed/",
    "player.vimeo.com/video/",
)
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-presentation"
LINK_REL = "nofollow noopener noreferrer"

# Removed with their content, not just unwrapped: their text is code or UI, never prose.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "noscript", "textarea", "select", "object", "embed",
     "applet", "noembed", "noframes", "title", "head", "math", "svg", "form", "button"}
)  # fmt: skip

_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite"})
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
_SRCSET_SPLIT = re.compile(r"[\s,]+")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def allowed_embed(url: str, extra: tuple[str, ...] = ()) -> str | None:
    """The https form of an allow-listed player URL (ours, or one of `extra`'s prefixes),
    or None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", ""):
        return None
    host = (parts.hostname or "").lower()
    path = host + parts.path
    allowed = path.startswith(EMBED_PREFIXES) or bool(extra and path.startswith(extra))
    if not allowed or parts.username or parts.password or parts.port:
        return None
    query = f"?{parts.query}" if parts.query else ""
    return f"https://{host}{parts.path}{query}"


def _safe_srcset(value: str) -> str | None:
    # Refuse the whole list if any candidate has a scheme other than http(s); keep it verbatim
    # otherwise, since candidate URLs may legitimately contain commas.
    for token in _SRCSET_SPLIT.split(value):
        scheme = _SCHEME.match(token)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            return None
    return value


def _attribute_filter(
    tag: str, attribute: str, value: str, embeds: tuple[str, ...] = ()
) -> str | None:
    # nh3 checks URL schemes on href/src/poster/cite itself; srcset and iframe hosts it cannot.
    # A scheme split by control characters ("java&#1;script:") reads as a relative URL to nh3.
    value = strip_control_chars(value)
    if attribute in _URL_ATTRIBUTES:
        scheme = _SCHEME.match(_INVISIBLE.sub("", value))
        if scheme and scheme.group(1).lower() not in URL_SCHEMES:
            return None
    if attribute == "srcset":
        return _safe_srcset(value)
    if tag == "iframe" and attribute == "src":
        return allowed_embed(value, embeds)
    return value


@cache
def _cleaner(embeds: tuple[str, ...] = ()) -> nh3.Cleaner:
    """The cleaner for our players and the operator's `embeds` (one per list: a cache key)."""
    import nh3

    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=functools.partial(_attribute_filter, embeds=embeds)
        if embeds
        else _attribute_filter,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        set_tag_attribute_values={
            "img": {"loading": "lazy"},
            "iframe": {"sandbox": IFRAME_SANDBOX, "loading": "lazy"},
            "video": {"controls": "controls"},
            "audio": {"controls": "controls"},
        },
    )


@cache
def _text_cleaner() -> nh3.Cleaner:
    import nh3

    return nh3.Cleaner(tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT | {"iframe"}))


def strip_control_chars(text: str) -> str:
    """Drop characters that are invalid in HTML and XML (lxml refuses them, feeds carry them)."""
    # Most texts hold none; deciding that on the UTF-8 bytes (where these control bytes
    # never occur inside a multi-byte character) costs a fraction of the regex's scan.
    try:
        raw = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return _CONTROL_CHARS.sub("", text)
    if (
        len(raw.translate(None, _CONTROL_BYTES)) == len(raw)
        and b"\xef\xbf\xbe" not in raw  # U+FFFE
        and b"\xef\xbf\xbf" not in raw  # U+FFFF
    ):
        return text
    return _CONTROL_CHARS.sub("", text)


def _settle_iframes(html: str, embeds: tuple[str, ...]) -> str:
    import lxml.html

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for frame in list(root.iter("iframe")):
        if not frame.get("src"):
            frame.drop_tree()
            continue
        # A frame's content is raw text that browsers never show; kept, it would be escaped
        # once more on every pass.
        frame.text = None
        for child in list(frame):
            frame.remove(child)
    inner = (root.text or "").replace("&", "&amp;").replace("<", "&lt;")
    inner += "".join(lxml.html.tostring(child, encoding=str) for child in root)
    return str(_cleaner(embeds).clean(inner))


_IFRAME_TAG = re.compile(r"<iframe\b[^>]*>")
_SET_ATTRIBUTE = re.compile(r'\s(sandbox|loading)="[^"]*"')


def _settled_order(tag: re.Match[str]) -> str:
    """nh3 adds sandbox and loading in the order of a Rust HashMap, which differs from one
    process to the next; a fixed order keeps the output (and the content hash of every
    article with an embed) the same in every process."""
    text = tag.group(0)
    found = {m.group(1): m.group(0) for m in _SET_ATTRIBUTE.finditer(text)}
    if len(found) < 2:
        return text
    rest = _SET_ATTRIBUTE.sub("", text)
    return rest[:-1] + found["sandbox"] + found["loading"] + ">"


def sanitize_html(html: str, embeds: tuple[str, ...] = ()) -> str:
    """Reduce untrusted HTML to the allow-list (with the operator's extra player prefixes,
    `embeds`: "host/path", as Settings.embeds spells them); safe to render as is,
    idempotent."""
    if not html or not html.strip():
        return ""
    out = str(_cleaner(embeds).clean(strip_control_chars(html)))
    if "<iframe" in out:
        # An iframe whose src was refused would remain as an empty frame; drop the element.
        out = _IFRAME_TAG.sub(_settled_order, _settle_iframes(out, embeds))
    # Character references (&#1;) decode to control characters only now; drop them too.
    out = strip_control_chars(out)
    return out if out.strip() else ""


def plain_text(value: str | None) -> str:
    """Titles and bylines: tags stripped, entities decoded once, whitespace collapsed."""
    if not value:
        return ""
    text = strip_control_chars(value)
    if "<" in text:
        text = str(_text_cleaner().clean(text))
    text = htmllib.unescape(text)
    return " ".join(text.split())

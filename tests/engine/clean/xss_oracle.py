"""The safety oracle for sanitized HTML: parse it and inspect every element and attribute.

Used by the corpus, farm and property tests; a grep would miss encoded or split payloads.
"""

from __future__ import annotations

import re

import lxml.html

from newsdesk.engine.clean.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    IFRAME_SANDBOX,
    allowed_embed,
)

# Attributes the sanitizer adds itself, on top of the per-tag allow-list.
ADDED_ATTRIBUTES = {
    "a": {"rel"},
    "img": {"loading"},
    "iframe": {"sandbox", "loading"},
    "video": {"controls"},
    "audio": {"controls"},
}
NEVER_TAGS = {"script", "style", "object", "embed", "form", "base", "meta", "link", "svg", "math"}
URL_ATTRIBUTES = {"href", "src", "poster", "cite", "action", "formaction", "background"}
_BAD_SCHEME = re.compile(r"^(?:javascript|vbscript|data|livescript|mocha):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def _scheme_is_bad(value: str) -> bool:
    return bool(_BAD_SCHEME.match(_INVISIBLE.sub("", value).lower()))


def safety_problems(html: str) -> list[str]:
    """Everything in `html` that could run script or load from a refused scheme."""
    problems: list[str] = []
    if re.search(r"<\s*script", html, re.IGNORECASE):
        problems.append("literal <script")
    if not html.strip():
        return problems
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str) or el is root:
            continue
        tag = el.tag.lower()
        if tag in NEVER_TAGS or tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        allowed = (
            ALLOWED_ATTRIBUTES.get(tag, frozenset())
            | ALLOWED_ATTRIBUTES["*"]
            | ADDED_ATTRIBUTES.get(tag, set())
        )
        for name, value in el.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                problems.append(f"event handler {name} on <{tag}>")
            if lowered == "style":  # never allowed, whatever it holds (expression(), url())
                problems.append(f"style on <{tag}>")
            if lowered not in allowed:
                problems.append(f"attribute {name} on <{tag}>")
            if lowered in URL_ATTRIBUTES and _scheme_is_bad(value):
                problems.append(f"{name}={value[:40]!r} on <{tag}>")
            if lowered == "srcset" and any(
                _scheme_is_bad(token) for token in re.split(r"[\s,]+", value)
            ):
                problems.append(f"srcset={value[:40]!r} on <{tag}>")
        if tag == "iframe":
            src = el.get("src") or ""
            if allowed_embed(src) != src or el.get("sandbox") != IFRAME_SANDBOX:
                problems.append(f"iframe outside the allow-list: {src[:60]!r}")
    return problems

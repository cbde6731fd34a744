"""A small CSS-selector subset for the page tests (cssselect is not a dependency).

Handles what the tests use: tag, .class, #id, [attr] and [attr=value], descendant (space) and
child (>) combinators, and comma-separated alternatives.
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"([.#]?[\w-]+|\[[^\]]+\]|\*)")


def _step(compound: str) -> str:
    tag = "*"
    tests: list[str] = []
    for token in _TOKEN.findall(compound):
        if token.startswith("."):
            tests.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {token[1:]} ')")
        elif token.startswith("#"):
            tests.append(f"@id='{token[1:]}'")
        elif token.startswith("["):
            name, _, value = token[1:-1].partition("=")
            tests.append(f"@{name}='{value.strip(chr(34) + chr(39))}'" if value else f"@{name}")
        else:
            tag = token
    return tag + "".join(f"[{t}]" for t in tests)


def to_xpath(selector: str) -> str:
    paths = []
    for alternative in selector.split(","):
        parts = alternative.replace(">", " > ").split()
        xpath, axis = ".", "//"
        for part in parts:
            if part == ">":
                axis = "/"
                continue
            xpath += axis + _step(part)
            axis = "//"
        paths.append(xpath)
    return " | ".join(paths)


def select(node: Any, selector: str) -> list[Any]:
    return list(node.xpath(to_xpath(selector)))

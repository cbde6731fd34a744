"""The conformance harness: feedparser's self-describing fixtures, graded on the fields a news
importer keeps. Used by test_feedparser_conformance.py and bench/fidelity.py.

Which rows apply is decided by rule (see `applicable`), never by a hand-picked list: a row
applies when it sits in wellformed/, encoding/, entities/ or illformed/, is about an
importer field (or is an entities/ row), is not about sanitising, and its `Expect:`
expression, once its `bozo` conjuncts are dropped (we raise typed errors instead of
flagging), reads only keys our ParsedFeed carries. The expression is then evaluated
against a feedparser-shaped dictionary built from OUR result by `as_feedparser`. Titles
and feed descriptions are plain text for us, so a row expecting markup or entities in
one of them is about feedparser's HTML titles and does not apply either.

Applicable rows that fail are listed, each with a reason, in
tests/data/parse/conformance-exclusions.tsv; they run as strict xfails, so fixing one
fails the suite until its line is removed.
"""

from __future__ import annotations

import ast
import csv
import datetime
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.engine.parse import parse_feed
from newsdesk.errors import ParseError
from newsdesk.types import ParsedFeed, ParsedItem

SHARED = Path(
    os.environ.get("NEWSDESK_SHARED", Path(__file__).resolve().parents[3].parent / "shared")
)
CORPUS = SHARED / "corpora" / "feedparser-tests"
EXCLUSIONS = Path(__file__).resolve().parents[2] / "data" / "parse" / "conformance-exclusions.tsv"

FOLDERS = ("wellformed/", "encoding/", "entities/", "illformed/")
IMPORTER_TAGS = frozenset(
    {"title", "link", "id", "date", "author", "content", "summary", "enclosure", "category"}
    | {"base", "encoding"}
)
# entry key -> the sub-keys below it we model ("" means a plain value). Dates are kept
# parsed, so only the *_parsed keys apply, never the wire text ("published").
ENTRY_KEYS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ["title", "link", "id", "guid", "author", "summary", "description", "comments", "category"],
        ("",),
    ),
    **dict.fromkeys(
        ["published_parsed", "updated_parsed", "issued_parsed", "modified_parsed"], ("",)
    ),
    "content": ("value",),
    "enclosures": ("href", "url", "type", "length"),
    "tags": ("term",),
    "author_detail": ("name",),
}
FEED_KEYS = frozenset({"title", "link", "subtitle", "description", "tagline", "language"})
SAFE_NAMES = frozenset(
    {"entries", "feed", "datetime", "time", "len", "ord", "chr", "str", "int", "list", "tuple"}
    | {"True", "False", "None", "isinstance", "dict", "set"}
)
SAFE_BUILTINS = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in ("len", "ord", "chr", "str", "int", "list", "tuple", "isinstance", "dict", "set")
}


@dataclass(frozen=True)
class Case:
    path: str
    expression: ast.Expression
    content_type: str


def _bozo(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        node = node.operand
    return isinstance(node, ast.Name) and node.id == "bozo"


def _without_bozo(tree: ast.Expression) -> ast.Expression | None:
    body = tree.body
    if _bozo(body):
        return None
    if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And):
        rest = [v for v in body.values if not _bozo(v)]
        if not rest:
            return None
        body = rest[0] if len(rest) == 1 else ast.BoolOp(op=ast.And(), values=rest)
    return ast.fix_missing_locations(ast.Expression(body=body))


def _constant(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant(node.operand)
        return -inner if isinstance(inner, int) else None
    return None


def _chain(node: ast.expr) -> tuple[str, list[Any]] | None:
    """(root name, keys) for entries[0]['title'], feed.title, entries[0].get('x')..."""
    keys: list[Any] = []
    while True:
        if isinstance(node, ast.Subscript):
            keys.append(_constant(node.slice))
            node = node.value
        elif isinstance(node, ast.Attribute):
            keys.append(node.attr)
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
        ):
            keys.append(_constant(node.args[0]))
            node = node.func.value
        elif isinstance(node, ast.Name):
            return node.id, keys[::-1]
        else:
            return None


def _scalar_rest(rest: list[Any]) -> bool:
    return all(isinstance(k, str) and hasattr(str, k) for k in rest)


def _path_ok(root: str, keys: list[Any]) -> bool:
    if root == "feed":
        return bool(keys) and keys[0] in FEED_KEYS and _scalar_rest(keys[1:])
    if not keys:
        return True  # len(entries)
    if not isinstance(keys[0], int):
        return False
    if len(keys) == 1:
        return True
    key, rest = keys[1], keys[2:]
    subkeys = ENTRY_KEYS.get(key) if isinstance(key, str) else None
    if subkeys is None:
        return False
    if subkeys == ("",):
        return _scalar_rest(rest)
    if key == "author_detail":
        return rest[:1] == ["name"] and _scalar_rest(rest[1:])
    if not rest:
        return True
    return isinstance(rest[0], int) and (len(rest) == 1 or rest[1] in subkeys)


TITLE_KEYS = frozenset({"title", "subtitle", "tagline"})


def _markup_title(node: ast.AST) -> bool:
    """`...['title'] == 'Example <b>Atom</b>'`: about feedparser's HTML titles, not ours."""
    if not isinstance(node, ast.Compare):
        return False
    sides = [node.left, *node.comparators]
    markup = any(
        isinstance(s, ast.Constant)
        and isinstance(s.value, str)
        and ("<" in s.value or "&" in s.value)
        for s in sides
    )
    if not markup:
        return False
    for side in sides:
        found = _chain(side) if isinstance(side, ast.expr) else None
        if found is None:
            continue
        root, keys = found
        key = keys[0] if root == "feed" and keys else keys[1] if len(keys) > 1 else None
        if key in TITLE_KEYS or (root == "feed" and key == "description"):
            return True
    return False


def reads_only_what_we_model(tree: ast.Expression) -> bool:
    if any(_markup_title(node) for node in ast.walk(tree)):
        return False
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name):
            continue
        if node.id not in SAFE_NAMES:
            return False
        if node.id not in ("entries", "feed"):
            continue
        top: ast.AST = node
        while True:
            parent = parents.get(id(top))
            if (
                isinstance(parent, ast.Subscript | ast.Attribute)
                and getattr(parent, "value", None) is top
            ):
                top = parent
            elif (
                isinstance(parent, ast.Attribute)
                and parent.attr == "get"
                and isinstance(parents.get(id(parent)), ast.Call)
            ):
                top = parents[id(parent)]
            else:
                break
        found = _chain(top) if isinstance(top, ast.expr) else None
        if found is None or not _path_ok(*found):
            return False
    return True


def _headers(raw: str) -> dict[str, str] | None:
    headers: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in raw.split(" | "))):
        name, _, value = part.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def applicable(row: dict[str, str]) -> Case | None:
    path = row["path"]
    tags = set(filter(None, row["field_tags"].split(",")))
    if not path.startswith(FOLDERS) or "sanitize" in tags or row["skip_unless"]:
        return None
    if not (tags & IMPORTER_TAGS or path.startswith("entities/")):
        return None
    content_type = ""
    if row["mode"] == "http":
        headers = _headers(row["http_headers"]) or {}
        if set(headers) - {"content-type"}:
            return None  # needs Content-Location, ETag...: the fetch stage's business
        content_type = headers.get("content-type", "text/xml")
    try:
        tree = ast.parse(row["expect"], mode="eval")
    except SyntaxError:
        return None
    stripped = _without_bozo(tree)
    if stripped is None or not reads_only_what_we_model(stripped):
        return None
    return Case(path, stripped, content_type)


def manifest() -> Iterator[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def cases() -> list[Case]:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        return []
    return [c for c in map(applicable, manifest()) if c is not None]


def exclusions() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in EXCLUSIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            path, _, reason = line.partition("\t")
            out[path.strip()] = reason.strip()
    return out


class FPDict(dict[str, Any]):
    """Attribute access and the url->href alias, like feedparser's FeedParserDict."""

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__("href" if key == "url" and "href" in self else key)

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e


def _time(value: datetime.datetime | None) -> time.struct_time | None:
    return value.utctimetuple() if value else None


def _byline(item: ParsedItem) -> str | None:
    """feedparser's `author`: "name (email)" when the feed gives both, as it formats them."""
    if item.author and item.author_email and item.author_email != item.author:
        return f"{item.author} ({item.author_email})"
    return item.author or item.author_email


def _entry(item: ParsedItem) -> FPDict:
    e = FPDict()
    pairs: dict[str, Any] = {
        "title": item.title,
        "link": item.link,
        "id": item.guid,
        "guid": item.guid,
        "author": _byline(item),
        "summary": item.summary_html,
        "description": item.summary_html,
        "comments": item.comments_url,
    }
    e.update({k: v for k, v in pairs.items() if v is not None})
    if item.author:
        e["author_detail"] = FPDict(name=item.author)
    for ours, names in (
        (item.published, ("published", "issued")),
        (item.updated, ("updated", "modified")),
    ):
        if ours is not None:
            for name in names:
                e[name] = ours.isoformat()
                e[f"{name}_parsed"] = _time(ours)
    if item.content_html is not None:
        e["content"] = [FPDict(value=item.content_html)]
    if item.categories:
        e["tags"] = [FPDict(term=c) for c in item.categories]
        e["category"] = item.categories[0]
    if item.enclosures:
        e["enclosures"] = [
            FPDict(
                href=x.url,
                type=x.type,
                **({"length": str(x.length)} if x.length is not None else {}),
            )
            for x in item.enclosures
        ]
    return e


def as_feedparser(parsed: ParsedFeed) -> dict[str, Any]:
    feed = FPDict()
    for key, value in (
        ("title", parsed.title),
        ("link", parsed.link),
        ("subtitle", parsed.description),
        ("description", parsed.description),
        ("tagline", parsed.description),
        ("language", parsed.language),
    ):
        if value is not None:
            feed[key] = value
    return {"feed": feed, "entries": [_entry(i) for i in parsed.items]}


def passes(case: Case) -> bool:
    raw = (CORPUS / case.path).read_bytes()
    url = f"http://127.0.0.1:8097/tests/{case.path}"
    try:
        parsed = parse_feed(raw, url, case.content_type)
    except ParseError:
        return False
    scope = as_feedparser(parsed)
    code = compile(case.expression, case.path, "eval")
    try:
        return bool(
            eval(code, {"__builtins__": SAFE_BUILTINS, "datetime": datetime, "time": time}, scope)
        )
    except (KeyError, IndexError, AttributeError, TypeError, ValueError):
        return False


def passes_as(case: Case, scope_of: Any) -> bool:
    """Whether another parser (`scope_of(raw) -> feedparser-shaped dict`) passes the case:
    bench/fidelity.py grades feedparser and fastfeedparser alone with the same rows."""
    raw = (CORPUS / case.path).read_bytes()
    try:
        scope = scope_of(raw)
    except Exception:  # a parser that raises on a case fails it
        return False
    code = compile(case.expression, case.path, "eval")
    try:
        return bool(
            eval(code, {"__builtins__": SAFE_BUILTINS, "datetime": datetime, "time": time}, scope)
        )
    except Exception:
        return False

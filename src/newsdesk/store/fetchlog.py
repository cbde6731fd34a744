"""The last few raw fetches of each source (for `newsdesk replay`), and the read-only lookups
a replay needs. Callers pass and get plain dataclasses, never model instances."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from newsdesk.engine.dedupe.identity import KeyRule
from newsdesk.engine.fetch.decode import decoded
from newsdesk.errors import InputError
from newsdesk.store.models import Article, FetchRecord, Source
from newsdesk.store.writes import SourceState, key_under, source_state
from newsdesk.types import Fetched

# A kept compressed body is decoded again up to this: it was within the cap of the day it
# came, which an operator may have lowered since; this only stops a damaged row.
_DECODED_CAP = 1 << 30
# the longest Content-Encoding kept as the body's (a longer one: the decoded body is kept)
_ENCODING_LENGTH = 100


@dataclass(frozen=True, slots=True)
class StoredFetch:
    """One kept fetch: `number` 1 is the newest of the `kept` ones."""

    id: int
    source_id: int
    number: int
    kept: int
    fetched_at: datetime
    fetched: Fetched


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What a replay needs to know about an article already stored."""

    id: int
    identity: str
    url: str
    title: str
    content_hash: str
    status: str
    edited_fields: tuple[str, ...]


def record_fetch(source_id: int, fetched: Fetched, fetched_at: datetime, keep: int) -> None:
    """Keep this 200 answer's bytes and headers, and only the `keep` newest of the source.

    A body that came compressed is kept as it came: a cold import of the 2,000 farm feeds
    kept 332 MB of decoded feeds, against 34 MB on the wire."""
    with transaction.atomic():
        if keep > 0:
            wire = fetched.wire
            if len(fetched.wire_encoding) > _ENCODING_LENGTH:
                wire = None
            FetchRecord.objects.create(
                source_id=source_id,
                fetched_at=fetched_at,
                status=fetched.status,
                url=fetched.url[:2000],
                headers={str(k).lower(): str(v) for k, v in fetched.headers.items()},
                body=bytes(fetched.content if wire is None else wire),
                encoding="" if wire is None else fetched.wire_encoding,
            )
        mine = FetchRecord.objects.filter(source_id=source_id).order_by("-id")
        stale = list(mine.values_list("id", flat=True)[max(0, keep) :])
        if stale:
            FetchRecord.objects.filter(id__in=stale).delete()


def kept_fetches(source_id: int) -> int:
    return FetchRecord.objects.filter(source_id=source_id).count()


def stored_fetch(source_id: int, number: int = 1) -> StoredFetch | None:
    """The `number`-th newest kept fetch of the source (1: the newest), or None."""
    if number < 1:
        return None
    kept = kept_fetches(source_id)
    row = FetchRecord.objects.filter(source_id=source_id).order_by("-id")[number - 1 : number]
    found = list(row)
    if not found:
        return None
    record = found[0]
    headers = {str(k): str(v) for k, v in (record.headers or {}).items()}
    body = bytes(record.body)
    if record.encoding:
        # it was decoded under the cap when it came, so this gives the same bytes
        body = decoded(body, record.encoding, _DECODED_CAP, record.url)
    fetched = Fetched(
        url=record.url,
        status=record.status,
        content=body,
        headers=headers,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
    )
    return StoredFetch(
        id=record.pk,
        source_id=source_id,
        number=number,
        kept=kept,
        fetched_at=record.fetched_at,
        fetched=fetched,
    )


def find_source(ref: str) -> SourceState:
    """A source by id or slug; InputError when there is none."""
    ref = ref.strip()
    query = Source.objects.filter(pk=int(ref)) if ref.isdigit() else Source.objects.filter(slug=ref)
    found = query.values_list("id", flat=True).first()
    if found is None:
        raise InputError(f"replay: no source {ref!r} (give its id or slug; see `newsdesk sources`)")
    return source_state(found)


def stored_articles(
    source_id: int,
    identities: Iterable[str],
    urls: Iterable[str],
    hashes: Iterable[str] = (),
    rekey: KeyRule | None = None,
) -> list[StoredArticle]:
    """The source's articles stored under any of `identities`, or with any of `urls` or
    content `hashes`. With `rekey`, each carries the key an identity switch to that rule
    would give it (as store.writes.rekey_articles does), so a replay can match on it."""
    ids = sorted(set(identities))
    links = sorted({u for u in urls if u})
    digests = sorted({h for h in hashes if h})
    rows = Article.objects.filter(source_id=source_id, identity__in=ids)
    if links:
        rows = rows | Article.objects.filter(source_id=source_id, url__in=links)
    if digests:
        rows = rows | Article.objects.filter(source_id=source_id, content_hash__in=digests)
    found: list[StoredArticle] = []
    taken: set[str] = set()
    for row in rows.order_by("id"):
        identity = row.identity
        if rekey is not None:
            key = key_under(row, rekey)
            if key is not None and key not in taken:
                taken.add(key)
                identity = key
        found.append(
            StoredArticle(
                id=row.pk,
                identity=identity,
                url=row.url,
                title=row.title,
                content_hash=row.content_hash,
                status=row.status,
                edited_fields=tuple(row.edited_fields or ()),
            )
        )
    return found

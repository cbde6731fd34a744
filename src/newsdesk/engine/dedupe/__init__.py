"""The dedupe stage: which stored article an incoming item is (identity), and whether it changed."""

from __future__ import annotations

from newsdesk.engine.dedupe.canonical import canonical_url
from newsdesk.engine.dedupe.identity import MAX_KEY_LENGTH, content_hash, item_identity

__all__ = ["MAX_KEY_LENGTH", "canonical_url", "content_hash", "item_identity"]

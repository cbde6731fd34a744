"""Parse, clean and derive a fetched feed: the CPU-bound half of saving it, done next to
the database work rather than before it.

    build_items(fetched, options, rule) -> Built           in the calling thread
    await Preparer.start(processes, feeds).prepare(fetched, recipe)   in helper processes

update() runs one thread that writes to the database; parsing and cleaning a feed cost
as much again, and in that thread they kept a second core idle. A Preparer forks helper
processes before the fetch thread starts (a fork copies only the calling thread, so none
can inherit a lock held by another); the fetch thread hands each body to a helper as it
arrives, and the writer gets the built feed with its answer. A writer with nothing to save
takes the newest body still waiting for a helper and builds it itself, so on two cores
both processes build. Helpers never touch the database.
Whatever a helper cannot do (an error, a helper killed) is done again in the writer's
thread, so the outcome is the one the inline path gives.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import logging
import multiprocessing
import os
import sys
from dataclasses import dataclass, replace
from typing import Any

from newsdesk.engine.dedupe.identity import KeyRule
from newsdesk.store.forking import forget_connections
from newsdesk.store.writes import Incoming, derive
from newsdesk.types import CleanOptions, Fetched, ParsedFeed, ParsedItem, pickled_by_fields

log = logging.getLogger("newsdesk.update")

# builds handed to each helper at a time (one running, one waiting, so none idles between
# two); the other bodies wait in the Preparer, where the writer can take one (release_newest)
QUEUED_PER_HELPER = 2


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Built:
    """A parsed and cleaned feed: its items, and what it says about itself."""

    feed: ParsedFeed
    items: list[tuple[ParsedItem, Incoming]]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Recipe:
    """The source's settings the build depends on; a build made under another is redone."""

    options: CleanOptions
    rule: KeyRule = KeyRule.GUID


def build_items(
    fetched: Fetched, options: CleanOptions, rule: KeyRule = KeyRule.GUID, *, derived: bool = False
) -> Built:
    """Parse and clean a fetched feed, giving each item its identity under `rule` (and, with
    `derived`, its slugs, signature and places worked out ahead)."""
    from newsdesk.engine.clean import clean_item
    from newsdesk.engine.dedupe.identity import content_hash, identity_for
    from newsdesk.engine.parse import parse_feed

    feed = parse_feed(fetched.content, fetched.url, fetched.content_type)
    items: list[tuple[ParsedItem, Incoming]] = []
    for item in feed.items:
        article = clean_item(item, feed, options)
        key = identity_for(item, article, rule)
        extra = derive(article) if derived else None
        items.append((item, Incoming(key, content_hash(article), article, extra)))
    return Built(feed, items)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Prepared:
    """A helper's build of one answer, or None where it could not build it."""

    recipe: Recipe
    built: Built | None


def _build(fetched: Fetched, recipe: Recipe, derived: bool) -> Prepared:
    try:
        return Prepared(recipe, build_items(fetched, recipe.options, recipe.rule, derived=derived))
    except Exception:  # the writer builds it again and records the error as its own
        return Prepared(recipe, None)


def _ready() -> int:
    return multiprocessing.current_process().pid or 0


def _helper_started(writer: int) -> None:
    """In each helper, first: end with the writer, and hold none of its database sockets.

    A helper outliving a killed writer would keep the writer's PostgreSQL socket open, and
    with it the killed writer's transaction and row locks, stalling every other worker.
    """
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != writer:  # the writer died before the line above
        os._exit(0)
    forget_connections()


class Preparer:
    """Helper processes that build fetched feeds, or None from `start` where there is no
    second core to use."""

    def __init__(self, processes: int) -> None:
        # fork: the helpers start with everything imported (lxml, nh3, the gazetteer) and
        # cost a few milliseconds, not the seconds a fresh interpreter takes
        context = multiprocessing.get_context("fork")
        self._pool = concurrent.futures.ProcessPoolExecutor(
            processes, mp_context=context, initializer=_helper_started, initargs=(os.getpid(),)
        )
        # with fork, the first submit forks every helper, and only then starts the pool's
        # manager thread: do it now, before any thread. Not waited for: a run of 304s
        # may never need a helper, and one that dies starting is found at its first build.
        self._pool.submit(_ready)
        self.broken = False
        self.in_flight = 0
        self.limit = QUEUED_PER_HELPER * processes
        # bodies not handed to a helper yet, oldest first; touched in the loop's thread only
        self._waiting: collections.deque[
            tuple[Fetched, Recipe, bool, asyncio.Future[Prepared | None]]
        ] = collections.deque()

    @classmethod
    def start(cls, processes: int, feeds: int) -> Preparer | None:
        # Linux only: a helper must die with its writer (prctl), and fork is safe there
        if processes < 1 or feeds < 2 or not sys.platform.startswith("linux"):
            return None
        try:
            return cls(processes)
        except (OSError, concurrent.futures.process.BrokenProcessPool) as e:
            log.warning("update: building feeds in this process only: %s", e)
            return None

    async def prepare(
        self, fetched: Fetched, recipe: Recipe, *, derived: bool = True
    ) -> Prepared | None:
        """The helper's build, or None (the writer builds it): when the helpers are gone,
        or when the writer took the body itself (release_newest). With `derived` False the
        items' slugs, signatures and places are left to the writer, which works them out
        for the new and changed items only."""
        if self.broken:
            return None
        waiting: asyncio.Future[Prepared | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((fetched, recipe, derived, waiting))
        self._hand_out()
        return await waiting

    @property
    def waiting(self) -> int:
        """Bodies waiting for a helper (read from another thread: a hint, not a promise)."""
        return len(self._waiting)

    def release_newest(self) -> bool:
        """Give the newest body still waiting for a helper back unbuilt (its answer goes
        to the writer now, which builds it itself). Called, through the loop, by a writer
        with nothing to save: so both processes build, each as fast as it gets through its
        own work, and the helpers still take the oldest. Whether there was one."""
        while self._waiting:
            _, _, _, waiting = self._waiting.pop()
            if not waiting.done():
                waiting.set_result(None)
                return True
        return False

    def _hand_out(self) -> None:
        loop = asyncio.get_running_loop()
        while self.in_flight < self.limit and self._waiting:
            fetched, recipe, derived, waiting = self._waiting.popleft()
            if waiting.done():  # its fetch was cancelled
                continue
            self.in_flight += 1
            if fetched.wire is not None:  # the writer's to keep; a helper builds from content
                fetched = replace(fetched, wire=None, wire_encoding="")
            build = loop.run_in_executor(self._pool, _build, fetched, recipe, derived)
            build.add_done_callback(functools.partial(self._built, waiting))

    def _built(self, waiting: asyncio.Future[Prepared | None], build: asyncio.Future[Any]) -> None:
        self.in_flight -= 1
        result: Prepared | None = None
        try:
            result = build.result()
        except concurrent.futures.process.BrokenProcessPool as e:
            if not self.broken:
                log.warning("update: feed builders stopped (%s); building in this process", e)
            self.broken = True
        except (asyncio.CancelledError, concurrent.futures.CancelledError):
            pass  # shutting down: the writer builds what still needs building
        if not waiting.done():
            waiting.set_result(result)
        if self.broken:  # every body still waiting goes to the writer
            while self._waiting:
                _, _, _, left = self._waiting.popleft()
                if not left.done():
                    left.set_result(None)
            return
        self._hand_out()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def usable(prepared: Prepared | None, recipe: Recipe) -> Built | None:
    """The prepared build, if there is one made under the recipe the writer has now."""
    if prepared is None or prepared.built is None or prepared.recipe != recipe:
        return None
    return prepared.built


__all__ = ["Built", "Prepared", "Preparer", "Recipe", "build_items", "usable"]

"""update(): the one place that chains the network and the database.

Fetching runs on an asyncio loop in a helper thread (many feeds in flight at once); each
answer is handed over a bounded queue to the calling thread, which parses, cleans and saves
it, one feed per transaction. The per-feed catch below is the pipeline's only broad catch:
whatever goes wrong with one feed is recorded on that source and the run goes on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import os
import queue
import random
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from newsdesk.config import DEMO_ORIGIN, Settings
from newsdesk.engine.dedupe.story import StoryIndex
from newsdesk.errors import FetchError, HostPausedError, HTTPStatusError, NewsdeskError
from newsdesk.pipeline import decide, rules, websub
from newsdesk.pipeline.identity import Checked, check_identity
from newsdesk.pipeline.prepare import Built, Prepared, Preparer, Recipe, build_items, usable
from newsdesk.pipeline.tally import Tally
from newsdesk.store import carriers, editorial, fetchlog, writes
from newsdesk.store import metrics as writes_metrics
from newsdesk.store.commits import CommitGroup
from newsdesk.store.writes import FeedHealth, Incoming, SavePolicy, SourceState
from newsdesk.types import (
    CleanArticle,
    CleanOptions,
    ExtractedPage,
    Fetched,
    FetchRequest,
    FullText,
    MediaImage,
    ParsedFeed,
    ParsedItem,
    UpdateSummary,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("newsdesk.update")

Progress = Callable[[int, int], None]
T = TypeVar("T")
_DEMO_FEEDS = DEMO_ORIGIN + "/"
FLUSH_SECONDS = 10.0  # between metric flushes on long runs
NOT_MODIFIED_BATCH = 200  # 304s recorded in one transaction, at most
# ...and at the latest this long after the first of them: every commit rewrites the pages
# of the sources' rows and of their due-time index, so a commit per idle moment (dozens a
# run) wrote eight pages a 304
NOT_MODIFIED_WAIT = 1.0
TIDY_AFTER = 1000  # new articles in one run after which the search index is merged
STORY_WINDOW = timedelta(days=3)  # a new article joins a story of the last few days


@dataclass(frozen=True, slots=True)
class HttpSeam:
    """Stands in for the network in tests: an httpx transport and a DNS resolver."""

    transport: httpx.AsyncBaseTransport
    resolve: Callable[[str, int], Sequence[str]] | None = None


@dataclass(frozen=True, slots=True)
class _Outcome:
    source: SourceState
    fetched: Fetched | None
    error: FetchError | None
    seconds: float = 0.0
    prepared: Prepared | None = None  # the body built by a helper process


def utcnow() -> datetime:
    return datetime.now(UTC)


def _bounds(settings: Settings) -> decide.Bounds:
    return decide.Bounds(
        min_interval=timedelta(minutes=settings.min_interval_minutes),
        max_interval=timedelta(minutes=settings.max_interval_minutes),
    )


def demo_fetch(req: FetchRequest) -> Fetched:
    """Answer for a bundled demo feed from package files, with a content ETag for 304s."""
    from newsdesk.demo import read_demo

    found = read_demo(req.url)
    if found is None:
        raise HTTPStatusError(f"fetch: no bundled demo file for {req.url}", req.url, status=404)
    content, content_type = found
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    headers = {"content-type": content_type, "etag": etag}
    if req.etag == etag:
        return Fetched(url=req.url, status=304, content=b"", headers=headers, etag=etag)
    return Fetched(url=req.url, status=200, content=content, headers=headers, etag=etag)


class _Network:
    """An asyncio loop in a helper thread that does all the HTTP of one run.

    Feed fetches are scheduled on it all at once (the fetcher's limits keep them polite);
    the calling thread also submits article-page fetches for full text and waits on them.
    """

    def __init__(
        self, settings: Settings, seam: HttpSeam | None, preparer: Preparer | None = None
    ) -> None:
        from newsdesk.engine.fetch.client import Fetcher

        self.preparer = preparer
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="newsdesk-fetch", daemon=True
        )
        self.thread.start()
        self.fetcher = (
            Fetcher(settings, transport=seam.transport, resolve=seam.resolve)
            if seam
            else Fetcher(settings)
        )
        self.call(self.fetcher.__aenter__())
        self.limit = asyncio.Semaphore(max(1, settings.fetch_concurrency))
        self.seam = seam
        self.user_agent = settings.user_agent
        self.alerts: list[concurrent.futures.Future[None]] = []
        self.tasks: set[asyncio.Task[None]] = set()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.submit(coro).result()

    def close(self) -> None:
        try:
            concurrent.futures.wait(self.alerts, timeout=15)
            self.call(self.fetcher.aclose())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join()
            self.loop.close()

    async def fetch_feed(
        self, source: SourceState, out: queue.Queue[_Outcome], recipe: Recipe | None = None
    ) -> None:
        req = FetchRequest(
            url=source.feed_url,
            etag=source.etag or None,
            last_modified=source.last_modified or None,
        )
        async with self.limit:
            started = time.perf_counter()
            fetched: Fetched | None = None
            error: FetchError | None = None
            try:
                if source.feed_url.startswith(_DEMO_FEEDS):
                    fetched = demo_fetch(req)
                else:
                    fetched = await self.fetcher.fetch(req)
            except FetchError as e:
                error = e
            except Exception as e:  # a fetcher bug must still end as this source's error
                error = FetchError(f"fetch: {type(e).__name__}: {e}")
            seconds = time.perf_counter() - started
        prepared = None
        if self.preparer and recipe and fetched and fetched.status == 200 and fetched.content:
            # A source that has stored articles mostly sends them again: the writer skips
            # those, so working out their slugs, signatures and places (158 of 552 µs an
            # item, bench/build.py) would be wasted; it does that for the few new ones. A
            # new source's items are all new, and are worked out here, beside the writer.
            prepared = await self.preparer.prepare(
                fetched, recipe, derived=source.last_new_at is None
            )
        outcome = _Outcome(source, fetched, error, seconds, prepared)
        try:
            out.put_nowait(outcome)
        except queue.Full:
            # the consumer is slower than the network; blocking here is the back-pressure
            await asyncio.to_thread(out.put, outcome)

    async def fetch_feeds(
        self,
        sources: Sequence[SourceState],
        out: queue.Queue[_Outcome],
        recipes: dict[int, Recipe],
    ) -> None:
        """Start fetching a batch of sources: one hand-over to the loop for the batch (each
        one wakes the loop's thread with a write to its pipe)."""
        for source in sources:
            task = asyncio.create_task(self.fetch_feed(source, out, recipes.get(source.id)))
            self.tasks.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self.tasks.discard)

    async def fetch_page(self, url: str) -> Fetched:
        return await self.fetcher.get_page(url)

    def post_form(self, url: str, form: dict[str, str]) -> concurrent.futures.Future[Fetched]:
        return self.submit(self.fetcher.post_form(url, form))

    def send_alert(self, url: str, payload: dict[str, Any]) -> None:
        self.alerts.append(self.submit(self._post_alert(url, payload)))

    async def _post_alert(self, url: str, payload: dict[str, Any]) -> None:
        # the operator's own endpoint, often on a private network: not the guarded fetcher
        import httpx

        transport = self.seam.transport if self.seam else None
        try:
            async with httpx.AsyncClient(timeout=10.0, transport=transport) as client:
                response = await client.post(
                    url, json=payload, headers={"user-agent": self.user_agent}
                )
                response.raise_for_status()
        except httpx.HTTPError as e:
            log.warning("alert webhook %s failed: %s", url, e)


def screen_feed(
    source: SourceState, policy: editorial.Policy, built: Built, now: datetime
) -> tuple[Checked, rules.Screened[ParsedItem]]:
    """The identity check, then tombstones and the editor's rules: what update() saves and
    replay explains."""
    checked = check_identity(source.id, policy, built)
    items = checked.built.items
    gone = (
        editorial.tombstoned(
            source.id,
            [inc.identity for _, inc in items],
            {inc.identity: inc.article.url or "" for _, inc in items},
        )
        if policy.history
        else set()
    )
    return checked, rules.screen(policy, items, now, gone)


def wants_full_text(mode: FullText, incoming: Incoming) -> bool:
    if not incoming.article.url:
        return False
    if mode is FullText.ALWAYS:
        return True
    return mode is FullText.AUTO and incoming.article.is_summary_only


def full_text_items(
    mode: FullText, items: list[tuple[ParsedItem, Incoming]], known: set[str], limit: int
) -> list[tuple[ParsedItem, Incoming]]:
    """The items whose page is fetched for full text: new ones (identity not in `known`)
    that want it, at most `limit`, the newest first (undated last); the rest keep their
    summary."""
    wanted = [
        (i, inc) for i, inc in items if inc.identity not in known and wants_full_text(mode, inc)
    ]
    if len(wanted) <= limit:
        return wanted
    oldest = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(wanted, key=lambda pair: pair[0].published or oldest, reverse=True)
    return ranked[:limit]


def with_full_text(
    item: ParsedItem, feed: ParsedFeed, page: ExtractedPage, options: CleanOptions
) -> CleanArticle:
    """Clean the item again with the page's article as its content."""
    from newsdesk.engine.clean import clean_item

    media = item.media
    if page.image_url and not media:
        media = (MediaImage(url=page.image_url, origin="og:image"),)
    fuller = replace(
        item,
        content_html=page.html,
        media=media,
        author=item.author or page.author,
        published=item.published or page.published,
    )
    return replace(clean_item(fuller, feed, options), is_summary_only=False)


class _Run:
    def __init__(
        self, settings: Settings, network: _Network, rng: random.Random, subscribe: bool = True
    ) -> None:
        self.settings = settings
        self.network = network
        # WebSub requests, only for a site hubs can call back (and not from a push itself)
        self.hubs = (
            websub.HubRequests(settings, network.post_form)
            if subscribe and settings.public_url
            else None
        )
        self.rng = rng
        self.bounds = _bounds(settings)
        self.fetched = self.not_modified = self.failed = self.new = self.updated = 0
        self.errors: list[str] = []
        self.categories: writes.CategoryCache = {}
        self.places: writes.PlaceCache = {}
        self.stories: StoryIndex | None = None
        # on SQLite, feeds' saves share a transaction (store.commits); update() turns it on
        self.group = CommitGroup(enabled=False)
        # what the feed being saved got from save_feed, once past it (see handle)
        self.saved_in_part: writes.SaveResult | None = None
        self.tally = Tally()
        self.flushed_at = time.monotonic()
        # 304s not written yet: recorded together by settle()
        self.unmodified: list[tuple[SourceState, FeedHealth]] = []
        self.unmodified_since = 0.0
        # what every source's items are cleaned with, before its own policy
        self.base_options = CleanOptions(embeds=settings.embeds)

    def wait(self, source: SourceState, error: HostPausedError) -> None:
        """The source's host asked us to wait: ask again when it said, count no error."""
        until = utcnow() + timedelta(seconds=error.retry_after) + timedelta(seconds=1)
        try:
            writes.defer(source, until=until, note=str(error))
        except writes.LeaseLostError as e:
            log.warning("fetch source=%s deferral dropped: %s", source.id, e)
            return
        log.info("fetch source=%s deferred: %s", source.id, error)

    def fail(self, source: SourceState, error: Exception, status: int | None) -> None:
        now = utcnow()
        retry_after = error.retry_after if isinstance(error, HTTPStatusError) else None
        if retry_after and status in (429, 503):
            # every worker, in this run and the next ones, leaves the whole host alone
            answered = error.url if isinstance(error, FetchError) and error.url else None
            host = _host(answered or source.feed_url)
            reason = f"HTTP {status} from {answered or source.feed_url}"
            writes.pause_host(host, now + timedelta(seconds=retry_after), reason)
        message = str(error) or type(error).__name__
        if not isinstance(error, NewsdeskError):
            message = f"pipeline: unexpected {type(error).__name__}: {message}"
        try:
            writes.record_failure(
                source,
                status=status,
                error=message,
                fetched_at=now,
                next_fetch_at=decide.next_after_failure(
                    now, self.bounds, source.consecutive_errors, retry_after, self.rng
                ),
                disable=decide.disables_source(status),
            )
        except writes.LeaseLostError as e:
            log.warning("fetch source=%s failure dropped: %s", source.id, e)
            return
        self.failed += 1
        self.errors.append(f"{source.feed_url}: {message}")
        if source.consecutive_errors + 1 == self.settings.failing_after:
            self.alert(source, "failing")
        log.warning("fetch source=%s status=%s error=%s", source.id, status, message)

    def handle(self, outcome: _Outcome) -> None:
        source = outcome.source
        if isinstance(outcome.error, HostPausedError):
            self.tally.fetch("deferred", outcome.seconds, 0)
            self.wait(source, outcome.error)
            return
        if outcome.error is not None or outcome.fetched is None:
            error = outcome.error or FetchError("fetch: no answer")
            self.tally.fetch("error", outcome.seconds, 0)
            self.fail(source, error, error.status if isinstance(error, HTTPStatusError) else None)
            return
        fetched = outcome.fetched
        kind = "not_modified" if fetched.not_modified else "ok"
        self.tally.fetch(kind, outcome.seconds, len(fetched.content))
        started = time.perf_counter()
        self.saved_in_part = None
        try:
            # a body is saved as a part of the open commit group, where what fails is rolled
            # back alone; a 304 only waits for settle(), which needs no transaction yet
            with nullcontext() if fetched.not_modified else self.group.part():
                items = self._save(source, fetched, outcome.prepared)
        except writes.LeaseLostError as e:
            # held too long: another worker fetched it again and its save is the one that counts
            self._forget_rolled_back()
            log.warning("fetch source=%s dropped: %s", source.id, e)
            return
        except Exception as e:  # one broken feed must not stop the run
            self._forget_rolled_back()
            self.fail(source, e, fetched.status)
            return
        log.info(
            "fetch source=%s status=%s bytes=%d items=%d seconds=%.3f",
            source.id,
            fetched.status,
            len(fetched.content),
            items,
            fetched.elapsed + time.perf_counter() - started,
        )

    def _forget_rolled_back(self) -> None:
        """After a failed part that got past save_feed: its articles, categories, places and
        story groupings were rolled back with it (on its own, save_feed forgets only what its
        own failure undid), so they are uncounted, and the caches that name them dropped."""
        result = self.saved_in_part
        if result is None or not self.group.enabled:
            return
        self.fetched -= 1
        self.new -= result.new
        self.updated -= result.updated
        self.tally.articles(-result.new, -result.updated)
        self.categories.clear()
        self.places.clear()
        self.stories = None

    def _full_text(
        self, source: SourceState, built: Built, options: CleanOptions, history: bool
    ) -> list[Incoming]:
        """Swap summaries for the article pages' full text, for items not stored yet."""
        from newsdesk.engine.extract import extract_page

        asking = {
            inc.identity: inc.article.url
            for _, inc in built.items
            if wants_full_text(source.full_text, inc)
        }
        if not asking:
            return [inc for _, inc in built.items]
        stored = writes.stored_hashes(source.id, list(asking)) if history else {}
        # another source's article (carried, not stored again) needs no page either
        carried = (
            set(carriers.known(source.id, [k for k in asking if k not in stored]))
            if history
            else set()
        )
        # the links of every item not stored, as save_feed will weigh them
        links = {
            inc.identity: inc.article.url
            for _, inc in built.items
            if inc.identity not in stored and inc.identity not in carried
        }
        carried |= set(carriers.elsewhere(source.id, links)) & set(asking)
        wanted = full_text_items(
            source.full_text,
            built.items,
            # unchanged since stored: its page is not fetched again; a changed item's is
            {inc.identity for _, inc in built.items if stored.get(inc.identity) == inc.content_hash}
            | carried,
            self.settings.full_text_per_fetch,
        )
        pages = {
            inc.identity: self.network.submit(self.network.fetch_page(inc.article.url or ""))
            for _, inc in wanted
        }
        result: list[Incoming] = []
        for item, incoming in built.items:
            future = pages.get(incoming.identity)
            if future is not None:
                try:
                    page = future.result()
                    extracted = extract_page(page.content, page.url)
                    # content_hash stays the feed item's: it says whether the FEED changed
                    # the item, so the same summary in a later fetch is not "updated" over
                    # the full text it was swapped for
                    incoming = replace(
                        incoming,
                        article=with_full_text(item, built.feed, extracted, options),
                        derived=None,  # worked out from the summary
                    )
                except NewsdeskError as e:
                    # the summary is still worth publishing; the page may work next time
                    log.info("full text source=%s url=%s: %s", source.id, item.link, e)
            result.append(incoming)
        return result

    def story_index(self, now: datetime, saved: Sequence[tuple[int, bytes]]) -> StoryIndex:
        """The recent articles of every source, loaded on the first feed with news, but for
        that feed's own new articles (`saved`, committed by now): group_stories adds them one
        by one, as it does every later feed's, and each would be its own best match."""
        if self.stories is None:
            index = StoryIndex()
            fresh = {article_id for article_id, _ in saved}
            index.load(
                row for row in writes.recent_signatures(now - STORY_WINDOW) if row[0] not in fresh
            )
            self.stories = index
        return self.stories

    def _quiet_after(self, gap: timedelta | None) -> timedelta | None:
        return decide.quiet_after(gap, self.settings.quiet_factor, self.settings.quiet_min_hours)

    def _learnt_gap(self, source: SourceState) -> timedelta | None:
        seconds = source.usual_gap_seconds
        return timedelta(seconds=seconds) if seconds else None

    def _pushing(
        self, source: SourceState, fetched: Fetched, feed: ParsedFeed | None, now: datetime
    ) -> bool:
        """Subscribe at the feed's hub if it needs it; whether the hub pushes to us now."""
        if self.hubs is None:
            return False
        try:
            return self.hubs.after_fetch(source.id, fetched, feed, now)
        except Exception as e:  # WebSub is a bonus: the fetch it rides on must still save
            log.warning("websub source=%s not subscribed: %s", source.id, e)
            return False

    def _save(self, source: SourceState, fetched: Fetched, prepared: Prepared | None) -> int:
        now = utcnow()
        if fetched.not_modified:
            hint = decide.server_hint(fetched.headers, now, None)
            bounds = self.bounds
            if self._pushing(source, fetched, None, now):
                bounds = websub.relaxed(bounds)
            health = FeedHealth(
                status=304,
                fetched_at=now,
                next_fetch_at=decide.next_after_success(now, bounds, hint, self.rng),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                new_url=fetched.permanent_url,
                quiet_after=self._quiet_after(self._learnt_gap(source)),
            )
            if not self.unmodified:
                self.unmodified_since = time.monotonic()
            self.unmodified.append((source, health))
            if len(self.unmodified) >= NOT_MODIFIED_BATCH:
                self.settle()
            return 0
        return self.save_content(source, fetched, now, prepared=prepared)

    def save_content(
        self,
        source: SourceState,
        fetched: Fetched,
        now: datetime,
        *,
        pushed: bool = False,
        prepared: Prepared | None = None,
    ) -> int:
        """Save a feed body, polled or pushed by the source's hub: one path for both, so a
        pushed item is cleaned, keyed, screened and held exactly as a polled one."""
        # the raw answer, kept (the last few) so `newsdesk replay` can explain this fetch
        fetchlog.record_fetch(source.id, fetched, now, self.settings.keep_fetches)
        policy = editorial.policy_for(source.id)
        recipe = Recipe(rules.clean_options(policy, self.base_options), policy.identity_rule)
        built = usable(prepared, recipe) or build_items(fetched, recipe.options, recipe.rule)
        checked, screened = screen_feed(source, policy, built, now)
        built = replace(checked.built, items=screened.items)
        incoming = self._full_text(source, built, recipe.options, policy.history)
        hint = decide.server_hint(fetched.headers, now, built.feed.ttl_minutes)
        bounds = rules.bounds(policy, self.bounds)
        if not pushed and self._pushing(source, fetched, built.feed, now):
            bounds = websub.relaxed(bounds)
        dates = [i.published for i in built.feed.items]
        rhythm = decide.publishing_interval(dates, now)
        gap = decide.usual_gap(dates, now)
        dated = [d for d in dates if d is not None and d <= now]
        result = writes.save_feed(
            source,
            incoming,
            FeedHealth(
                status=fetched.status,
                fetched_at=now,
                next_fetch_at=decide.next_after_success(now, bounds, hint, self.rng, rhythm),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                new_url=fetched.permanent_url,
                title=built.feed.title,
                site_url=built.feed.link,
                newest_item_at=max(dated, default=None),
                usual_gap_seconds=gap.total_seconds() if gap else None,
                # judged on the rhythm learnt before this fetch: a feed found stale on
                # the day it is subscribed is not a source that went quiet
                quiet_after=self._quiet_after(self._learnt_gap(source)),
                stale_after=self._quiet_after(gap),
                pushed=pushed,
            ),
            self.categories,
            held=screened.held,
            policy=SavePolicy(
                dates=policy.date_policy,
                match_reissued=policy.match_reissued,
                switch=checked.switch,
                history=policy.history,
            ),
            places=self.places,
        )
        self.saved_in_part = result
        if not pushed:
            self.fetched += 1
        self.new += result.new
        self.updated += result.updated
        self.tally.articles(result.new, result.updated)
        if checked.switch is not None:
            log.warning(
                "fetch source=%s %s; %d stored articles re-keyed",
                source.id,
                checked.switch.note(),
                result.rekeyed,
            )
        if result.reissued:
            log.info("fetch source=%s re-issued items matched=%d", source.id, result.reissued)
        if result.carried:
            log.info(
                "fetch source=%s carried=%d (stored by other sources)", source.id, result.carried
            )
        if result.signatures:
            writes.group_stories(
                self.story_index(now, result.signatures), result.signatures, source.id
            )
        if result.went_quiet:
            self.alert(source, "quiet")
        return len(incoming)

    def settle_if_due(self) -> None:
        """settle() once the oldest waiting 304 has waited NOT_MODIFIED_WAIT."""
        if self.unmodified and time.monotonic() - self.unmodified_since >= NOT_MODIFIED_WAIT:
            self.settle()

    def settle(self) -> None:
        """Record the 304s waiting for it, in one transaction (a commit per 304 was most of
        an all-304 cycle's time in the database)."""
        answers, self.unmodified = self.unmodified, []
        if not answers:
            return
        try:
            results = writes.record_not_modified(answers)
        except Exception as e:  # the batch is rolled back whole: each source says why
            for source, _ in answers:
                self.fail(source, e, 304)
            return
        for (source, _), result in zip(answers, results, strict=True):
            if isinstance(result, writes.LeaseLostError):
                log.warning("fetch source=%s dropped: %s", source.id, result)
                continue
            self.not_modified += 1
            if result:
                self.alert(source, "quiet")

    def alert(self, source: SourceState, event: str) -> None:
        """Tell the operator a source went quiet or started failing (log, and webhook)."""
        log.warning("alert source=%s event=%s name=%s", source.id, event, source.name)
        hook = self.settings.alert_webhook
        if hook:
            payload = {
                "event": event,
                "at": utcnow().isoformat().replace("+00:00", "Z"),
                "source": {"id": source.id, "name": source.name, "feed_url": source.feed_url},
            }
            self.network.send_alert(hook, payload)

    def flush(self, *, now: bool = True) -> None:
        """Add the counts so far to the stored metrics: now, or (`now=False`) when the last
        flush is FLUSH_SECONDS old, so a long run keeps /metrics current."""
        if not self.tally.pending:
            return
        if now or time.monotonic() - self.flushed_at >= FLUSH_SECONDS:
            writes_metrics.add_counts(self.tally.take())
            self.flushed_at = time.monotonic()

    def summary(self) -> UpdateSummary:
        return UpdateSummary(
            fetched=self.fetched,
            not_modified=self.not_modified,
            failed=self.failed,
            new=self.new,
            updated=self.updated,
            errors=tuple(self.errors),
        )


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def release_dead_leases(now: datetime) -> int:
    """Free the sources held by killed processes of this host, so a re-run need not wait
    for their leases to run out (other hosts' leases still have to)."""
    released = 0
    host = socket.gethostname() + ":"
    for owner in writes.lease_owners(now, host):
        pid = owner.removeprefix(host)
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            released += writes.release_leases(owner)
    return released


def update(
    settings: Settings,
    *,
    everything: bool = False,
    source_id: int | None = None,
    progress: Progress | None = None,
    rng: random.Random | None = None,
    seam: HttpSeam | None = None,
) -> UpdateSummary:
    """Fetch what is due (or everything, or one source) and save it; returns the counts.

    Sources are claimed in batches as earlier ones finish, so several workers sharing one
    database split the work between them and none fetches a source another holds.
    """
    owner = worker_name()
    lease = timedelta(seconds=settings.lease_seconds)
    started = utcnow()
    release_dead_leases(started)
    fetched_before = started if everything else None
    # enough to keep the fetcher busy between claims, which cost a transaction each
    batch = max(1, settings.fetch_concurrency * 4)
    if source_id is not None:
        first = [writes.claim_source(source_id, now=started, owner=owner, lease=lease)]
        total = 1
    else:
        total = writes.count_due(started, fetched_before)
        first = writes.claim_sources(
            started, owner=owner, lease=lease, limit=batch, fetched_before=fetched_before
        )
    if not first:
        return UpdateSummary()
    # forked before the fetch thread exists (see prepare.py)
    preparer = Preparer.start(_build_processes(settings), len(first))
    network = _Network(settings, seam, preparer)
    for host, (until, why) in writes.host_pauses(started).items():
        network.fetcher.pause(host, (until - started).total_seconds(), why)
    run = _Run(settings, network, rng or random.Random())
    handoff: queue.Queue[_Outcome] = queue.Queue(maxsize=64)
    pending = done = 0

    def start(sources: list[SourceState]) -> None:
        nonlocal pending
        recipes = _recipes([s.id for s in sources], run.base_options) if preparer else {}
        network.submit(network.fetch_feeds(sources, handoff, recipes))
        pending += len(sources)

    # on SQLite, answers that come in a burst are saved in one transaction (store.commits)
    group = run.group = CommitGroup.for_connection()
    try:
        start(first)
        more = source_id is None
        while pending:
            try:
                outcome = handoff.get_nowait()
            except queue.Empty:
                group.commit()  # nothing to do until the next answer: commit what is saved,
                run.settle_if_due()  # ...write what waits
                if preparer is not None and preparer.waiting:  # ...or build one of theirs
                    network.loop.call_soon_threadsafe(preparer.release_newest)
                outcome = handoff.get()
            run.handle(outcome)
            run.flush(now=False)
            group.commit_if_due()
            pending -= 1
            done += 1
            if progress:
                progress(done, max(total, done + pending))
            if more and pending < batch // 2:
                claimed = writes.claim_sources(
                    utcnow(), owner=owner, lease=lease, limit=batch, fetched_before=fetched_before
                )
                more = bool(claimed)
                start(claimed)
        group.commit()
        run.settle()
        if run.new >= TIDY_AFTER:
            _tidy_search_index()
        if run.hubs is not None:
            run.hubs.finish(timeout=settings.total_timeout)
    finally:
        # what was saved before an interruption is kept, as it was with a commit per feed
        try:
            group.commit()  # a commit that fails is rolled back whole: those feeds come again
        finally:
            network.close()
            if preparer is not None:
                preparer.close()
        run.flush()
    return run.summary()


def _tidy_search_index() -> None:
    """After a large import, the search index in one piece (store.search.tidy_index)."""
    from newsdesk.store import search

    started = time.perf_counter()
    try:
        if search.tidy_index():
            log.info("search index merged in %.2fs", time.perf_counter() - started)
    except Exception as e:  # the articles are saved; only the tidying is put off
        log.warning("search index not merged: %s", e)


def _build_processes(settings: Settings) -> int:
    if settings.build_processes is not None:
        return settings.build_processes
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(0, min((cores or 1) - 1, 4))


def _recipes(source_ids: list[int], base: CleanOptions) -> dict[int, Recipe]:
    """What the helpers build each source's feed with, as save_content will check it."""
    return {
        pk: Recipe(replace(base, attribution_patterns=patterns), rule)
        for pk, (patterns, rule) in editorial.build_settings(source_ids).items()
    }


def import_pushed(
    settings: Settings, source_id: int, fetched: Fetched, *, seam: HttpSeam | None = None
) -> int:
    """Save a feed body the source's WebSub hub pushed, at once, as update() saves a
    polled one; returns how many articles are new or changed.

    The source is claimed for the save like a fetch, so a worker polling it at the same
    moment is never racing this save (InputError while one holds it: try again shortly).
    The poll's own record (validators, next fetch, errors) is left as it is.
    """
    owner = f"websub:{worker_name()}:{threading.get_ident()}"
    lease = timedelta(seconds=settings.lease_seconds)
    source = writes.claim_source(source_id, now=utcnow(), owner=owner, lease=lease)
    network = _Network(settings, seam)
    run = _Run(settings, network, random.Random(), subscribe=False)
    try:
        run.save_content(source, fetched, utcnow(), pushed=True)
    except BaseException:
        writes.release_leases(owner)
        raise
    finally:
        network.close()
        run.flush()
    return run.new + run.updated

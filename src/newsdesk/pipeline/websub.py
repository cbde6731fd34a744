"""WebSub: subscribe at the hub a feed names, answer the hub's verification, import what it
pushes, renew leases before they run out.

Nothing here runs unless NEWSDESK_PUBLIC_URL is set: a hub needs a public callback URL,
and a private install must not need anything. The callback of a subscription is
<public URL>/websub/<id>/<token>; the token is random per subscription, and every push must
also carry an X-Hub-Signature made with the subscription's own random secret.

Subscription requests go through the fetcher (the same private-address guard, per-host
slots and deadline as feed fetches). A failed or unanswered request is retried with a
backoff (engine.websub.retry_delay) and never fails the feed's fetch.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from newsdesk.config import Settings
from newsdesk.engine.websub import (
    REQUESTED_LEASE,
    granted_lease,
    hub_and_topic,
    renew_at,
    signature_ok,
)
from newsdesk.errors import BodyTooLargeError, FetchError, InputError, NewsdeskError
from newsdesk.store import websub as store
from newsdesk.store.websub import Subscription
from newsdesk.types import Fetched, ParsedFeed

if TYPE_CHECKING:
    from newsdesk.pipeline.decide import Bounds
    from newsdesk.pipeline.update import HttpSeam

log = logging.getLogger("newsdesk.websub")

# While the hub pushes, polling is only the safety net: at most this often (within the
# source's own maximum). Not longer, as a hub can drop a subscription without telling us.
PUSHED_POLL = timedelta(hours=6)
PUSHED_BY = "x-newsdesk-pushed-by"  # kept with a pushed body, so replay can tell it apart
# how long a push waits for a worker that is fetching the same source right now
HELD_WAIT = 5.0

Send = Callable[[str, dict[str, str]], "concurrent.futures.Future[Fetched]"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def callback_url(public_url: str, sub: Subscription) -> str:
    return f"{public_url.rstrip('/')}/websub/{sub.id}/{sub.token}"


def subscribe_form(public_url: str, sub: Subscription) -> dict[str, str]:
    # hub.secret goes to http:// hubs too (WebSub 5.1 says SHOULD only over https): without
    # it pushes could not be checked at all, and whoever can read that request on the wire
    # can read the callback URL with it anyway
    return {
        "hub.mode": "subscribe",
        "hub.topic": sub.topic_url,
        "hub.callback": callback_url(public_url, sub),
        "hub.secret": sub.secret,
        "hub.lease_seconds": str(int(REQUESTED_LEASE.total_seconds())),
    }


def relaxed(bounds: Bounds) -> Bounds:
    """The poll interval bounds of a source whose hub pushes to us."""
    from newsdesk.pipeline.decide import Bounds

    floor = min(PUSHED_POLL, bounds.max_interval)
    return Bounds(min_interval=max(bounds.min_interval, floor), max_interval=bounds.max_interval)


def record_answer(sub: Subscription, answer: Fetched | Exception, now: datetime) -> None:
    """What the hub said to a subscription request, on the subscription."""
    from newsdesk.engine.fetch.retry_after import parse_retry_after

    if isinstance(answer, Fetched) and 200 <= answer.status < 300:
        store.request_accepted(sub)
        log.info("websub source=%s hub=%s accepted", sub.source_id, sub.hub_url)
        return
    retry: float | None = None
    if isinstance(answer, Fetched):
        reason = " ".join(answer.content[:300].decode("utf-8", "replace").split())
        error = f"websub: {sub.hub_url} answered HTTP {answer.status}"
        error += f": {reason}" if reason else ""
        retry = parse_retry_after(answer.headers.get("retry-after"))
    elif isinstance(answer, NewsdeskError):
        error = f"websub: subscribing at {sub.hub_url} failed: {answer}"
    else:
        error = f"websub: subscribing at {sub.hub_url} failed: {type(answer).__name__}: {answer}"
    retry_at = sub.due_at
    if retry:
        retry_at = max(retry_at, now + timedelta(seconds=min(retry, 7 * 24 * 3600)))
    store.request_failed(sub, error, retry_at)
    log.warning("websub source=%s %s", sub.source_id, error)


class HubRequests:
    """The subscription requests of one update() run: sent on the run's network loop while
    feeds are still being fetched, their answers recorded by the run's own thread at the
    end (the database belongs to that thread)."""

    def __init__(self, settings: Settings, send: Send) -> None:
        if not settings.public_url:
            raise ValueError("websub: hub requests need a public URL for their callback")
        self.public_url = settings.public_url
        self.send = send
        self.sent: list[tuple[Subscription, concurrent.futures.Future[Fetched]]] = []

    def after_fetch(
        self, source_id: int, fetched: Fetched, feed: ParsedFeed | None, now: datetime
    ) -> bool:
        """Subscribe when the fetched feed names a hub and the source's subscription needs
        a request; returns whether the hub pushes to us now (so polling may relax).

        A 304 (no `feed`) still renews a subscription that is due, for installs that run
        `newsdesk update` from cron instead of the scheduler.
        """
        wanted = hub_and_topic(fetched, feed)
        current = store.subscription_of(source_id)
        if wanted is None:
            if current is None:
                return False
            if feed is not None:
                # the feed names no hub any more: nothing to renew; what the hub still
                # pushes until its lease ends gets a 404
                store.drop(current)
                log.info("websub source=%s feed names no hub now, dropped", source_id)
                return False
            wanted = (current.hub_url, current.topic_url)
        same = current is not None and (current.hub_url, current.topic_url) == wanted
        if current is not None and same and current.due_at > now:
            return current.live(now)
        sub = store.claim_request(source_id, wanted[0], wanted[1], now)
        if sub is None:  # another process is asking the hub right now
            return current is not None and same and current.live(now)
        self.sent.append((sub, self.send(sub.hub_url, subscribe_form(self.public_url, sub))))
        log.info("websub source=%s subscribing at %s", source_id, sub.hub_url)
        return sub.live(now)

    def finish(self, timeout: float) -> int:
        """Record every answer (waiting at most `timeout` for the slow ones); a request
        still unanswered is retried after its backoff. Returns how many were sent."""
        futures = [f for _, f in self.sent]
        concurrent.futures.wait(futures, timeout=timeout)
        now = utcnow()
        for sub, future in self.sent:
            if not future.done():
                future.cancel()
                record_answer(sub, FetchError("websub: no answer from the hub in time"), now)
                continue
            error = future.exception()
            if error is None:
                record_answer(sub, future.result(), now)
            else:
                failure = error if isinstance(error, Exception) else FetchError(repr(error))
                record_answer(sub, failure, now)
        count = len(self.sent)
        self.sent = []
        return count


def renew_due(
    settings: Settings, *, seam: HttpSeam | None = None, now: datetime | None = None
) -> int:
    """Send the subscription requests whose time has come: leases near their end, retries
    after a failure or an unverified request. The scheduler calls it every cycle; with
    nothing due it costs one indexed query. Returns how many requests were sent."""
    if not settings.public_url:
        return 0
    now = now or utcnow()
    due = store.claim_due(now)
    if not due:
        return 0
    public_url = settings.public_url

    async def send_all() -> list[Fetched | BaseException]:
        from newsdesk.engine.fetch.client import Fetcher

        transport = seam.transport if seam else None
        resolve = seam.resolve if seam else None
        async with Fetcher(settings, transport=transport, resolve=resolve) as fetcher:
            return await asyncio.gather(
                *(fetcher.post_form(s.hub_url, subscribe_form(public_url, s)) for s in due),
                return_exceptions=True,
            )

    answers = asyncio.run(send_all())
    for sub, answer in zip(due, answers, strict=True):
        if isinstance(answer, BaseException) and not isinstance(answer, Exception):
            raise answer
        log.info("websub source=%s renewing at %s", sub.source_id, sub.hub_url)
        record_answer(sub, answer, utcnow())
    return len(due)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the callback view says to the hub."""

    status: int
    body: str = ""
    retry_after: int | None = None
    imported: int = 0  # articles new or changed by a push


def verify_intent(subscription_id: int, token: str, query: Mapping[str, str]) -> Answer:
    """The hub's GET to the callback (WebSub 5.3): echo the challenge of a subscription we
    asked for, record a denial, refuse (404) everything else."""
    sub = store.find(subscription_id, token)
    mode = query.get("hub.mode", "")
    if sub is None or not sub.source_enabled or query.get("hub.topic") != sub.topic_url:
        return Answer(404, "unknown subscription\n")
    now = utcnow()
    if mode == "denied":
        reason = " ".join(query.get("hub.reason", "").split())[:500] or "no reason given"
        store.record_denied(sub, reason, now)
        log.warning("websub source=%s hub=%s denied: %s", sub.source_id, sub.hub_url, reason)
        return Answer(200)
    challenge = query.get("hub.challenge", "")
    if mode != "subscribe" or not challenge or len(challenge) > 1000:
        # an unsubscribe: we never ask for one, so we do not agree to it (5.3.1)
        return Answer(404, "not agreed\n")
    lease = granted_lease(query.get("hub.lease_seconds"))
    store.record_verified(sub, lease, renew_at(now + lease, lease), now)
    log.info(
        "websub source=%s hub=%s verified lease=%ds",
        sub.source_id,
        sub.hub_url,
        lease.total_seconds(),
    )
    return Answer(200, challenge)


def receive_push(
    settings: Settings,
    subscription_id: int,
    token: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    seam: HttpSeam | None = None,
) -> Answer:
    """The hub's POST to the callback (WebSub 7, 8): check the signature, then import the
    pushed feed at once through the same path as a polled one.

    `headers` are lower-case. A push without a valid signature is ignored but still answered
    202, as WebSub 8 allows: a hub that is told nothing cannot be used to probe secrets.
    """
    from newsdesk.engine.fetch.decode import BoundedDecoder
    from newsdesk.engine.fetch.links import hub_links

    sub = store.find(subscription_id, token)
    if sub is None:
        return Answer(404, "unknown subscription\n")
    now = utcnow()
    if not sub.live(now) or not sub.source_enabled:
        # 410 lets the hub drop a subscription we no longer hold or want (WebSub 7)
        return Answer(410, "subscription not active\n")
    if not signature_ok(headers.get("x-hub-signature"), body, sub.secret):
        store.record_push(sub, now, "websub: ignored a push with a missing or wrong signature")
        log.warning("websub source=%s ignored a push with a bad signature", sub.source_id)
        return Answer(202)
    try:
        decoder = BoundedDecoder(headers.get("content-encoding", ""), settings.max_body_bytes, "")
        decoder.feed(body)
        content = decoder.content()
    except BodyTooLargeError:
        store.record_push(sub, now, "websub: ignored a push larger than the body cap")
        return Answer(413, "too large\n")
    except FetchError as e:
        store.record_push(sub, now, f"websub: could not decode a push: {e}")
        return Answer(400, "undecodable body\n")
    kept = {k: v for k, v in headers.items() if k in ("content-type", "link")}
    kept[PUSHED_BY] = sub.hub_url
    hubs, self_url = hub_links(kept, sub.topic_url)
    fetched = Fetched(
        url=sub.topic_url,
        status=200,
        content=content,
        headers=kept,
        hubs=hubs,
        self_url=self_url,
    )
    return _import(settings, sub, fetched, seam)


def _import(
    settings: Settings, sub: Subscription, fetched: Fetched, seam: HttpSeam | None
) -> Answer:
    # update imports this module for its subscription hook, so it is imported here
    from newsdesk.pipeline.update import import_pushed

    deadline = time.monotonic() + HELD_WAIT
    while True:
        try:
            count = import_pushed(settings, sub.source_id, fetched, seam=seam)
            break
        except InputError:
            # a worker is fetching this source right now; its save and ours must not race
            if time.monotonic() >= deadline:
                return Answer(503, "busy, try again\n", retry_after=30)
            time.sleep(0.25)
        except NewsdeskError as e:  # the pushed body is unusable: retrying will not help
            store.record_push(sub, utcnow(), f"websub: a push could not be imported: {e}")
            log.warning("websub source=%s push not imported: %s", sub.source_id, e)
            return Answer(202)
    store.record_push(sub, utcnow())
    log.info("websub source=%s push imported items=%d", sub.source_id, count)
    return Answer(202, imported=count)

"""WebSub subscriptions: claim the ones to (re)request, record what hubs answer and push.

Every change is a conditional UPDATE on the row as it was read, so two workers (or a worker
and the web process answering the hub) never both send the same request or overwrite a newer
answer with an older one. Callers pass and get plain dataclasses, never model instances.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from newsdesk.engine.websub import retry_delay
from newsdesk.store.models import WebSubSubscription

State = WebSubSubscription.State


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    source_id: int
    source_enabled: bool
    hub_url: str
    topic_url: str
    secret: str
    token: str
    state: str
    requested_at: datetime | None
    verified_at: datetime | None
    lease_seconds: int | None
    lease_expires_at: datetime | None
    last_push_at: datetime | None
    pushes: int
    last_error: str
    attempts: int
    due_at: datetime

    def state_at(self, now: datetime) -> str:
        """The state as it stands at `now`: a verified lease that ran out is expired even
        before a renewal run has recorded it."""
        if self.state == State.VERIFIED and self.lease_expires_at and self.lease_expires_at <= now:
            return str(State.EXPIRED)
        return self.state

    def live(self, now: datetime) -> bool:
        """Verified and unexpired: the hub pushes to us."""
        return self.state_at(now) == State.VERIFIED


def _plain(row: WebSubSubscription, enabled: bool) -> Subscription:
    return Subscription(
        id=row.pk,
        source_id=row.source_id,
        source_enabled=enabled,
        hub_url=row.hub_url,
        topic_url=row.topic_url,
        secret=row.secret,
        token=row.token,
        state=row.state,
        requested_at=row.requested_at,
        verified_at=row.verified_at,
        lease_seconds=row.lease_seconds,
        lease_expires_at=row.lease_expires_at,
        last_push_at=row.last_push_at,
        pushes=row.pushes,
        last_error=row.last_error,
        attempts=row.attempts,
        due_at=row.due_at,
    )


def _load(**where: Any) -> Subscription | None:
    row = WebSubSubscription.objects.select_related("source").filter(**where).first()
    return _plain(row, row.source.enabled) if row else None


def subscription_of(source_id: int) -> Subscription | None:
    return _load(source_id=source_id)


def subscriptions_of(source_ids: list[int]) -> dict[int, Subscription]:
    rows = WebSubSubscription.objects.select_related("source").filter(source_id__in=source_ids)
    return {row.source_id: _plain(row, row.source.enabled) for row in rows}


def find(subscription_id: int, token: str) -> Subscription | None:
    """The subscription a callback URL names, only when its token matches."""
    sub = _load(pk=subscription_id)
    # constant time: the token is what keeps strangers from posting articles
    if sub is None or not hmac.compare_digest(sub.token.encode(), token.encode()):
        return None
    return sub


def _claim_changes(sub: Subscription, now: datetime) -> dict[str, Any]:
    attempts = sub.attempts + 1
    changes: dict[str, Any] = {
        "attempts": attempts,
        "requested_at": now,
        # if no verification comes by then, the request is taken as lost and sent again
        "due_at": now + retry_delay(attempts),
    }
    if sub.state_at(now) == State.EXPIRED and sub.state == State.VERIFIED:
        changes["state"] = State.EXPIRED
    return changes


def _claim(sub: Subscription, changes: dict[str, Any]) -> Subscription | None:
    taken = WebSubSubscription.objects.filter(pk=sub.id, due_at=sub.due_at).update(**changes)
    return _load(pk=sub.id) if taken else None


def claim_request(source_id: int, hub: str, topic: str, now: datetime) -> Subscription | None:
    """The subscription to request now for a feed that names `hub` and `topic`, or None
    when none is needed (the source's subscription is live or waiting for its time).

    A new hub or topic makes a new subscription in place: new secret, new callback token,
    so whatever the old hub still pushes no longer matches anything.
    """
    sub = subscription_of(source_id)
    if sub is None:
        try:
            with transaction.atomic():
                row = WebSubSubscription.objects.create(
                    source_id=source_id,
                    hub_url=hub,
                    topic_url=topic,
                    secret=secrets.token_urlsafe(32),
                    token=secrets.token_urlsafe(24),
                    attempts=1,
                    requested_at=now,
                    due_at=now + retry_delay(1),
                )
        except IntegrityError:  # another process created it first: it sends the request
            return None
        return _load(pk=row.pk)
    if (sub.hub_url, sub.topic_url) != (hub, topic):
        return _claim(
            sub,
            {
                "hub_url": hub,
                "topic_url": topic,
                "secret": secrets.token_urlsafe(32),
                "token": secrets.token_urlsafe(24),
                "state": State.REQUESTED,
                "verified_at": None,
                "lease_seconds": None,
                "lease_expires_at": None,
                "last_error": "",
                "attempts": 1,
                "requested_at": now,
                "due_at": now + retry_delay(1),
            },
        )
    if sub.due_at > now:
        return None
    return _claim(sub, _claim_changes(sub, now))


def claim_due(now: datetime, limit: int = 50) -> list[Subscription]:
    """Claim the subscriptions of enabled sources whose time to ask the hub has come (a
    renewal, or a retry): one indexed query when there are none."""
    rows = (
        WebSubSubscription.objects.select_related("source")
        .filter(due_at__lte=now, source__enabled=True)
        .order_by("due_at")[:limit]
    )
    claimed: list[Subscription] = []
    for row in rows:
        sub = _plain(row, True)
        taken = _claim(sub, _claim_changes(sub, now))
        if taken is not None:
            claimed.append(taken)
    return claimed


def drop(sub: Subscription) -> None:
    WebSubSubscription.objects.filter(pk=sub.id, token=sub.token).delete()


def _same_request(sub: Subscription) -> QuerySet[WebSubSubscription]:
    return WebSubSubscription.objects.filter(
        pk=sub.id, token=sub.token, requested_at=sub.requested_at
    )


def request_accepted(sub: Subscription) -> None:
    """The hub took the request (202): its verification is what counts; a denial it may
    already have sent stays recorded."""
    _same_request(sub).exclude(state=State.DENIED).update(last_error="")


def request_failed(sub: Subscription, error: str, retry_at: datetime) -> None:
    """The hub refused or could not be reached: try again at `retry_at`. A live lease is
    left as it is; it still holds until it expires."""
    _same_request(sub).update(last_error=error[:2000], due_at=retry_at)


def record_verified(sub: Subscription, lease: timedelta, renew: datetime, now: datetime) -> None:
    WebSubSubscription.objects.filter(pk=sub.id, token=sub.token).update(
        state=State.VERIFIED,
        verified_at=now,
        lease_seconds=int(lease.total_seconds()),
        lease_expires_at=now + lease,
        last_error="",
        attempts=0,
        due_at=renew,
    )


def record_denied(sub: Subscription, reason: str, now: datetime) -> None:
    """The hub said no (hub.mode=denied): recorded, and asked again after the backoff."""
    WebSubSubscription.objects.filter(pk=sub.id, token=sub.token).update(
        state=State.DENIED,
        lease_expires_at=None,
        last_error=f"websub: denied by the hub at {now:%Y-%m-%d %H:%M} UTC: {reason}"[:2000],
        due_at=max(sub.due_at, now + retry_delay(max(sub.attempts, 1))),
    )


def record_push(sub: Subscription, now: datetime, error: str = "") -> None:
    """A push arrived: counted when imported; `error` says why one was not."""
    query = WebSubSubscription.objects.filter(pk=sub.id, token=sub.token)
    if error:
        query.update(last_error=error[:2000])
    else:
        query.update(last_push_at=now, pushes=F("pushes") + 1, last_error="")

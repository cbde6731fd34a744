"""WebSub end to end: a fake hub on loopback takes the subscription requests that update()
and renew_due() send through the guarded fetcher; the test, acting for the hub, verifies
and pushes through the Django callback view (the test client, so one thread owns the
in-memory database)."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from newsdesk.config import Settings
from newsdesk.pipeline.replay import replay
from newsdesk.pipeline.update import update
from newsdesk.pipeline.websub import renew_due
from newsdesk.store import writes
from newsdesk.store.models import Article, FetchRecord, Source, WebSubSubscription
from newsdesk.store.sources import all_sources

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]

PUBLIC = "https://news.example"


def item(n: int, when: datetime) -> str:
    return (
        f"<item><title>Harbour story number {n}</title>"
        f"<link>https://partner.example/story-{n}/</link>"
        f"<guid isPermaLink='false'>https://partner.example/?p={n}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate>"
        f"<content:encoded><![CDATA[<p>Story {n}: the harbour board met on Tuesday to weigh "
        "the cost of dredging the north channel before the winter storms set in.</p>"
        "<p>The harbour master said the work could start in the spring.</p>"
        "<script>alert(1)</script>]]></content:encoded></item>"
    )


def feed(numbers: list[int], hub: str | None, self_url: str | None) -> bytes:
    now = datetime.now(UTC)
    links = ""
    if hub:
        links += f'<atom:link rel="hub" href="{hub}"/>'
    if self_url:
        links += f'<atom:link rel="self" href="{self_url}" type="application/rss+xml"/>'
    items = "".join(item(n, now - timedelta(minutes=10 * (max(numbers) - n))) for n in numbers)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Partner Post</title><link>https://partner.example/</link>{links}"
        f"{items}</channel></rss>"
    ).encode()


@dataclass
class Hub:
    """Serves /feed.xml and takes subscription requests at /hub."""

    base: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)
    answer: int = 202
    items: list[int] = field(default_factory=lambda: [1, 2])
    in_body: bool = True  # the hub named in the feed; else in Link headers
    named: bool = True  # False: neither the feed nor its headers name a hub
    other_paths: list[str] = field(default_factory=list)

    @property
    def hub_url(self) -> str:
        return self.base + "/hub"

    @property
    def feed_url(self) -> str:
        return self.base + "/feed.xml"

    def topic(self) -> str:
        return self.feed_url + "?self"

    def body(self, numbers: list[int] | None = None) -> bytes:
        if self.in_body and self.named:
            return feed(numbers or self.items, self.hub_url, self.topic())
        return feed(numbers or self.items, None, None)

    def callback_path(self, index: int = -1) -> str:
        return urlsplit(self.requests[index]["hub.callback"]).path

    def verify(self, client: Client, index: int = -1, **params: str) -> Any:
        query = {
            "hub.mode": "subscribe",
            "hub.topic": self.requests[index]["hub.topic"],
            "hub.challenge": "challenge-8f2c1e",
            "hub.lease_seconds": "864000",
            **params,
        }
        return client.get(self.callback_path(index), query)

    def push(
        self,
        client: Client,
        body: bytes,
        *,
        method: str = "sha256",
        secret: str | None = None,
        signature: str | None = None,
    ) -> Any:
        key = (secret or self.requests[-1]["hub.secret"]).encode()
        digest = hmac.new(key, body, getattr(hashlib, method)).hexdigest()
        headers = {"HTTP_X_HUB_SIGNATURE": signature or f"{method}={digest}"}
        if signature == "":
            headers = {}
        return client.post(
            self.callback_path(), data=body, content_type="application/rss+xml", **headers
        )


@pytest.fixture
def hub() -> Iterator[Hub]:
    state = Hub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path != "/feed.xml":
                state.other_paths.append(self.path)
                self.send_response(404)
                self.end_headers()
                return
            body = state.body()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            if not state.in_body and state.named:
                self.send_header("Link", f'<{state.topic()}>; rel="self"')
                self.send_header("Link", '</hub>; rel="hub", <https://other.example/>; rel=x')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            if self.path == "/hub":
                state.requests.append({k: v[-1] for k, v in form.items()})
            self.send_response(state.answer if self.path == "/hub" else 404)
            self.send_header("Content-Length", "13")
            self.end_headers()
            self.wfile.write(b"hub says: hmm")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(settings: Any, tmp_path: Path) -> Settings:
    """newsdesk's settings with a public URL and loopback allowed, for the pipeline and
    for the callback view alike."""
    ours = Settings(
        home=tmp_path, database_url="sqlite:///unused", allow_private_networks=True
    ).with_changes(public_url=PUBLIC)
    settings.NEWSDESK = ours
    return ours


def subscribe(hub: Hub) -> int:
    source, _ = writes.add_source(hub.feed_url, "Partner Post")
    return source.id


def subscription() -> WebSubSubscription:
    return WebSubSubscription.objects.get()


def verified(hub: Hub, site: Settings, client: Client) -> int:
    source = subscribe(hub)
    update(site, everything=True)
    assert hub.verify(client).status_code == 200
    return source


def test_no_public_url_means_no_subscription(hub: Hub, site: Settings) -> None:
    subscribe(hub)
    summary = update(site.with_changes(public_url=None), everything=True)
    assert (summary.fetched, summary.new) == (1, 2)
    assert hub.requests == []
    assert not WebSubSubscription.objects.exists()
    assert all_sources()[0].record()["websub"] is None


def test_subscribes_and_echoes_the_hubs_challenge(hub: Hub, site: Settings) -> None:
    source = subscribe(hub)
    summary = update(site, everything=True)
    assert (summary.fetched, summary.new, summary.failed) == (1, 2, 0)
    [request] = hub.requests
    sub = subscription()
    assert request["hub.mode"] == "subscribe"
    assert request["hub.topic"] == hub.topic()  # the feed's rel="self", not the fetched URL
    assert request["hub.callback"] == f"{PUBLIC}/websub/{sub.pk}/{sub.token}"
    assert request["hub.secret"] == sub.secret and len(sub.secret) >= 40
    assert request["hub.lease_seconds"] == str(10 * 24 * 3600)
    assert sub.source_id == source and sub.state == "requested"

    answer = hub.verify(Client(), **{"hub.challenge": "abc-123_XYZ"})
    assert answer.status_code == 200
    assert answer.content == b"abc-123_XYZ"
    assert answer["Content-Type"].startswith("text/plain")
    sub.refresh_from_db()
    assert sub.state == "verified" and sub.lease_seconds == 864000
    assert sub.lease_expires_at is not None
    left = sub.lease_expires_at - datetime.now(UTC)
    assert timedelta(days=9, hours=23) < left <= timedelta(days=10)
    # renewed a day before it runs out
    assert sub.lease_expires_at - sub.due_at == timedelta(days=1)
    record = all_sources()[0].record()["websub"]
    assert record["state"] == "verified" and record["hub"] == hub.hub_url

    # a live subscription is not requested again on the next fetch
    update(site, everything=True)
    assert len(hub.requests) == 1


def test_link_headers_name_hub_and_topic(hub: Hub, site: Settings) -> None:
    hub.in_body = False
    subscribe(hub)
    update(site, everything=True)
    [request] = hub.requests
    assert request["hub.topic"] == hub.topic()
    sub = subscription()
    assert sub.hub_url == hub.hub_url  # the relative </hub> resolved against the feed URL


def test_verification_refuses_what_we_did_not_ask_for(hub: Hub, site: Settings) -> None:
    subscribe(hub)
    update(site, everything=True)
    client = Client()
    sub = subscription()
    assert hub.verify(client, **{"hub.topic": hub.feed_url + "?other"}).status_code == 404
    assert hub.verify(client, **{"hub.mode": "unsubscribe"}).status_code == 404
    assert hub.verify(client, **{"hub.challenge": ""}).status_code == 404
    # A different last character, whatever the real token ends with: a fixed "x" was the token
    # itself one time in 64, and the check then failed on a correct server.
    other_last = "y" if sub.token.endswith("x") else "x"
    wrong_token = f"/websub/{sub.pk}/{sub.token[:-1]}{other_last}"
    assert wrong_token != f"/websub/{sub.pk}/{sub.token}"
    query = {"hub.mode": "subscribe", "hub.topic": hub.topic(), "hub.challenge": "c"}
    assert client.get(wrong_token, query).status_code == 404
    assert client.get(f"/websub/{sub.pk + 1}/{sub.token}", query).status_code == 404
    sub.refresh_from_db()
    assert sub.state == "requested" and sub.lease_expires_at is None


def test_a_denial_is_recorded(hub: Hub, site: Settings) -> None:
    subscribe(hub)
    update(site, everything=True)
    answer = hub.verify(Client(), **{"hub.mode": "denied", "hub.reason": "topic not allowed"})
    assert answer.status_code == 200
    sub = subscription()
    assert sub.state == "denied" and "topic not allowed" in sub.last_error
    record = all_sources()[0].record()["websub"]
    assert record["state"] == "denied" and "topic not allowed" in record["error"]


def test_a_signed_push_is_imported_at_once(hub: Hub, site: Settings) -> None:
    client = Client(enforce_csrf_checks=True)  # the hub has no CSRF token
    source = verified(hub, site, client)
    assert Article.objects.count() == 2

    answer = hub.push(client, hub.body([3]))
    assert answer.status_code == 202
    pushed = Article.objects.get(guid="https://partner.example/?p=3")
    assert pushed.title == "Harbour story number 3" and pushed.status == "published"
    assert "<script" not in pushed.body_html  # cleaned like a polled item
    listed = client.get("/api/articles").json()["items"]
    assert "Harbour story number 3" in [a["title"] for a in listed]
    sub = subscription()
    assert sub.pushes == 1 and sub.last_push_at is not None and sub.last_error == ""
    # the poll's own record is untouched: a push is not a fetch
    polled = Source.objects.get()
    assert polled.fetch_count == 1 and polled.lease_until is None
    # kept like a fetch, so replay can explain it
    newest = FetchRecord.objects.order_by("-id").first()
    assert newest is not None and newest.headers["x-newsdesk-pushed-by"] == hub.hub_url
    assert "pushed by the WebSub hub" in replay(str(source)).header()


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_every_signature_method_of_the_spec_is_accepted(
    hub: Hub, site: Settings, method: str
) -> None:
    client = Client()
    verified(hub, site, client)
    assert hub.push(client, hub.body([3]), method=method).status_code == 202
    assert Article.objects.filter(guid="https://partner.example/?p=3").exists()


@pytest.mark.parametrize(
    "how",
    [
        {"secret": "not-the-secret"},
        {"signature": ""},
        {"signature": "md5=0123456789abcdef"},
        {"signature": "sha256="},
    ],
)
def test_a_push_without_a_valid_signature_is_ignored(
    hub: Hub, site: Settings, how: dict[str, str]
) -> None:
    client = Client()
    verified(hub, site, client)
    # answered 2xx as WebSub 8 allows, so a hub cannot be used to probe the secret
    assert hub.push(client, hub.body([3]), **how).status_code == 202
    assert not Article.objects.filter(guid="https://partner.example/?p=3").exists()
    assert Article.objects.count() == 2
    sub = subscription()
    assert sub.pushes == 0 and "signature" in sub.last_error


def test_a_push_then_a_poll_of_the_same_item_is_one_article(hub: Hub, site: Settings) -> None:
    client = Client()
    verified(hub, site, client)
    assert hub.push(client, hub.body([3])).status_code == 202
    hub.items = [1, 2, 3]
    summary = update(site, everything=True)
    assert (summary.fetched, summary.new, summary.updated) == (1, 0, 0)
    assert Article.objects.filter(guid="https://partner.example/?p=3").count() == 1
    assert Article.objects.count() == 3


def test_a_push_to_a_subscription_not_verified_is_gone(hub: Hub, site: Settings) -> None:
    client = Client()
    subscribe(hub)
    update(site, everything=True)
    assert hub.push(client, hub.body([3])).status_code == 410
    assert not Article.objects.filter(guid="https://partner.example/?p=3").exists()


def test_a_push_over_the_body_cap_is_refused(hub: Hub, site: Settings, settings: Any) -> None:
    client = Client()
    verified(hub, site, client)
    settings.NEWSDESK = site.with_changes(max_body_bytes=200)
    assert hub.push(client, hub.body([3])).status_code == 413
    assert not Article.objects.filter(guid="https://partner.example/?p=3").exists()


def test_a_push_to_a_review_source_is_held(hub: Hub, site: Settings) -> None:
    client = Client()
    source = verified(hub, site, client)
    Source.objects.filter(pk=source).update(review=True)
    assert hub.push(client, hub.body([3])).status_code == 202
    assert Article.objects.get(guid="https://partner.example/?p=3").status == "held"


def test_polling_relaxes_while_the_hub_pushes(hub: Hub, site: Settings) -> None:
    subscribe(hub)
    update(site, everything=True)
    first = Source.objects.get()
    assert first.last_fetched_at is not None
    assert first.next_fetch_at - first.last_fetched_at < timedelta(hours=5)
    assert hub.verify(Client()).status_code == 200
    update(site, everything=True)
    again = Source.objects.get()
    assert again.last_fetched_at is not None
    gap = again.next_fetch_at - again.last_fetched_at
    # six hours (with jitter): polling stays on as the safety net
    assert timedelta(hours=5, minutes=20) < gap < timedelta(hours=6, minutes=40)


def test_leases_are_renewed_near_their_end_and_not_before(hub: Hub, site: Settings) -> None:
    client = Client()
    verified(hub, site, client)
    assert hub.verify(client, **{"hub.lease_seconds": "3600"}).status_code == 200
    now = datetime.now(UTC)
    assert renew_due(site, now=now + timedelta(minutes=50)) == 0
    assert len(hub.requests) == 1
    assert renew_due(site, now=now + timedelta(minutes=55)) == 1
    assert len(hub.requests) == 2
    first, renewal = hub.requests
    assert renewal == first  # same topic, callback and secret: the hub renews in place
    # claimed: a second scheduler cycle does not ask again while the hub has not answered
    assert renew_due(site, now=now + timedelta(minutes=56)) == 0
    assert subscription().state == "verified"
    assert renew_due(site.with_changes(public_url=None), now=now + timedelta(days=30)) == 0


def test_an_expired_lease_is_shown_and_requested_again(hub: Hub, site: Settings) -> None:
    client = Client()
    verified(hub, site, client)
    sub = subscription()
    assert sub.lease_expires_at is not None
    late = sub.lease_expires_at + timedelta(minutes=1)
    assert renew_due(site, now=late) == 1
    sub.refresh_from_db()
    assert sub.state == "expired"
    # the callback takes no pushes for it until the hub verifies again
    assert hub.push(client, hub.body([3])).status_code == 410
    assert hub.verify(client).status_code == 200
    assert subscription().state == "verified"


def test_a_hub_failure_is_recorded_retried_later_and_the_fetch_is_saved(
    hub: Hub, site: Settings
) -> None:
    hub.answer = 500
    subscribe(hub)
    summary = update(site, everything=True)
    assert (summary.fetched, summary.new, summary.failed) == (1, 2, 0)
    sub = subscription()
    assert "HTTP 500" in sub.last_error and "hub says: hmm" in sub.last_error
    assert sub.requested_at is not None
    assert sub.due_at - sub.requested_at == timedelta(minutes=15)
    update(site, everything=True)
    assert len(hub.requests) == 1  # not before its time
    hub.answer = 202
    assert renew_due(site, now=sub.due_at + timedelta(seconds=1)) == 1
    sub.refresh_from_db()
    assert sub.last_error == "" and sub.attempts == 2
    # the backoff doubles while the hub does not verify
    assert sub.requested_at is not None
    assert sub.due_at - sub.requested_at == timedelta(minutes=30)
    assert Source.objects.get().consecutive_errors == 0


def test_a_hub_on_a_private_address_is_refused_by_the_guard(site: Settings) -> None:
    import httpx

    from newsdesk.pipeline.update import HttpSeam

    body = feed([1, 2], "http://169.254.169.254/hub", "https://partner.example/feed/")
    posted: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.append(str(request.url))
            return httpx.Response(202)
        return httpx.Response(200, content=body, headers={"content-type": "application/rss+xml"})

    writes.add_source("https://partner.example/feed/", "Partner Post")
    seam = HttpSeam(httpx.MockTransport(handle), resolve=lambda host, port: ["93.184.215.14"])
    summary = update(site.with_changes(allow_private_networks=False), everything=True, seam=seam)
    assert (summary.fetched, summary.new, summary.failed) == (1, 2, 0)
    assert posted == []  # the cloud metadata address never saw the request
    sub = subscription()
    assert sub.hub_url == "http://169.254.169.254/hub"
    assert "subscribing at http://169.254.169.254/hub failed: fetch:" in sub.last_error


def test_a_disabled_source_takes_no_pushes_and_agrees_to_nothing(hub: Hub, site: Settings) -> None:
    client = Client()
    source = verified(hub, site, client)
    Source.objects.filter(pk=source).update(enabled=False)
    assert hub.push(client, hub.body([3])).status_code == 410
    assert hub.verify(client).status_code == 404
    assert not Article.objects.filter(guid="https://partner.example/?p=3").exists()
    assert renew_due(site, now=datetime.now(UTC) + timedelta(days=30)) == 0


def test_the_scheduler_loop_renews_what_is_due(hub: Hub, site: Settings) -> None:
    from newsdesk.pipeline.scheduler import run_scheduler

    client = Client()
    verified(hub, site, client)
    WebSubSubscription.objects.update(due_at=datetime.now(UTC) - timedelta(minutes=1))
    run_scheduler(site, threading.Event(), exit_when_idle=True)
    assert len(hub.requests) == 2 and hub.requests[1] == hub.requests[0]


def test_a_feed_that_stops_naming_its_hub_drops_the_subscription(hub: Hub, site: Settings) -> None:
    client = Client()
    verified(hub, site, client)
    path = hub.callback_path()
    hub.named = False
    summary = update(site, everything=True)
    assert summary.fetched == 1
    assert not WebSubSubscription.objects.exists()
    assert renew_due(site, now=datetime.now(UTC) + timedelta(days=30)) == 0
    assert len(hub.requests) == 1
    body = hub.body([3])
    signature = "sha256=" + hmac.new(b"x", body, hashlib.sha256).hexdigest()
    answer = client.post(
        path, data=body, content_type="application/rss+xml", HTTP_X_HUB_SIGNATURE=signature
    )
    assert answer.status_code == 404


def test_the_admin_source_page_shows_the_subscription(
    hub: Hub, site: Settings, admin_client: Client
) -> None:
    source = verified(hub, site, Client())
    page = admin_client.get(f"/admin/store/source/{source}/change/")
    assert page.status_code == 200
    assert f"verified at {hub.hub_url}" in page.content.decode()

"""Child process for bench/ingest.py: the download-only client, i.e. the wire limit.

    python bench/wire_run.py URLS_FILE STATE_JSON --workers W [--client raw|httpx]

Fetches every URL once with W requests in flight, reads each body and throws it away: no
decompression, no parsing, no storage. It keeps each feed's validators (ETag and
Last-Modified) in STATE_JSON and sends them on the next run as If-None-Match and
If-Modified-Since, so a second run against an unchanged farm is a real conditional-GET cycle
of 304s, like the other tools' "304" phase. It asks for gzip, as the other tools do.

`--client raw` (the default) is a plain-http HTTP/1.1 client on non-blocking sockets and one
selector: W keep-alive connections, each taking the next URL when its response is in (bodies
by Content-Length or until close; no chunked encoding, which the farm never sends). It
imports only the standard library's socket, selectors and json, because on this machine
`import asyncio` alone costs about 0.1 s, which at 2,000 feeds is a large part of the whole
304 cycle. `--client httpx` does the same with one httpx.AsyncClient and a pool of W
connections, for comparison. Prints one JSON summary line on stdout.
"""

from __future__ import annotations

import argparse
import json
import selectors
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

Validators = dict[str, str]  # "etag" and/or "last_modified"
RECV = 1 << 18


class Tally:
    def __init__(self) -> None:
        self.statuses: dict[str, int] = {}
        self.body_bytes = 0
        self.conditional = 0  # requests sent with a validator
        self.errors = 0
        self.first_error = ""

    def status(self, code: int) -> None:
        key = str(code)
        self.statuses[key] = self.statuses.get(key, 0) + 1

    def error(self, url: str, why: str) -> None:
        self.errors += 1
        if not self.first_error:
            self.first_error = f"{url}: {why}"[:200]


def conditional_headers(v: Validators | None) -> list[tuple[str, str]]:
    if not v:
        return []
    out = []
    if "etag" in v:
        out.append(("If-None-Match", v["etag"]))
    if "last_modified" in v:
        out.append(("If-Modified-Since", v["last_modified"]))
    return out


def remember(state: dict[str, Validators], url: str, etag: str | None, lm: str | None) -> None:
    v: Validators = {}
    if etag:
        v["etag"] = etag
    if lm:
        v["last_modified"] = lm
    if v:
        state[url] = v


# ---------------------------------------------------------------- raw: sockets and a selector


def split_http_url(url: str) -> tuple[str, int, str]:
    """("host", port, "/path?query") of a plain http URL; ValueError for anything else."""
    if not url.startswith("http://"):
        raise ValueError("the raw client speaks plain http only")
    rest = url[len("http://") :]
    slash = rest.find("/")
    authority, target = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    target = target.split("#", 1)[0]
    host, _, port = authority.rpartition(":")
    if not host or not port.isdigit():
        host, port = authority, "80"
    return host.strip("[]"), int(port), target


class Conn:
    """One kept-alive connection and the one request it has in flight."""

    def __init__(self, sel: selectors.BaseSelector) -> None:
        self.sel = sel
        self.sock: socket.socket | None = None
        self.addr: tuple[str, int] = ("", 0)
        self.served = 0  # responses read on the current socket
        self.url = ""
        self.request = b""
        self.out = memoryview(b"")
        self.head = bytearray()
        self.status = 0
        self.headers: dict[str, str] = {}
        self.need: int | None = None  # body bytes still to read; None: until the server closes
        self.body = 0  # body bytes read
        self.got_head = False
        self.retried = False

    def close(self) -> None:
        if self.sock is not None:
            self.sel.unregister(self.sock)
            self.sock.close()
            self.sock = None
            self.served = 0

    def start(self, url: str, extra: list[tuple[str, str]], *, retry: bool = False) -> None:
        host, port, target = split_http_url(url)
        if self.sock is not None and self.addr != (host, port):
            self.close()
        lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}"]
        lines += ["User-Agent: newsdesk-bench-wire", "Accept-Encoding: gzip", "Accept: */*"]
        lines += [f"{k}: {v}" for k, v in extra]
        self.url, self.retried = url, retry
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.out = memoryview(self.request)
        self.head = bytearray()
        self.got_head, self.status, self.headers, self.need, self.body = False, 0, {}, None, 0
        if self.sock is None:
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect_ex((host, port))  # EINPROGRESS; writable once connected
            self.sock, self.addr = sock, (host, port)
            self.sel.register(sock, selectors.EVENT_WRITE, self)
        else:
            self.sel.modify(self.sock, selectors.EVENT_WRITE, self)

    def on_write(self) -> None:
        assert self.sock is not None
        err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            raise OSError(err, "connect failed")
        sent = self.sock.send(self.out)
        self.out = self.out[sent:]
        if not len(self.out):
            self.sel.modify(self.sock, selectors.EVENT_READ, self)

    def on_read(self) -> str:
        """Read what is there; return "done", "more", or "closed" (before any answer)."""
        assert self.sock is not None
        data = self.sock.recv(RECV)
        if not data:
            if not self.got_head:
                return "closed"
            if self.need is None:  # the body ends with the connection
                self.close()
                return "done"
            raise ConnectionError("connection closed in the middle of a body")
        if self.got_head:
            self.body += len(data)
            if self.need is None:
                return "more"
            self.need -= len(data)
            return "done" if self.need <= 0 else "more"
        self.head += data
        end = self.head.find(b"\r\n\r\n")
        if end < 0:
            return "more"
        status_line, *lines = self.head[:end].decode("latin-1").split("\r\n")
        self.status = int(status_line.split(" ", 2)[1])
        for line in lines:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.got_head = True
        self.body = len(self.head) - end - 4
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            raise ValueError("chunked responses are not supported by the raw client")
        if self.status in (204, 304) or self.status < 200:
            self.need = 0
        elif "content-length" in self.headers:
            self.need = int(self.headers["content-length"]) - self.body
        return "done" if self.need is not None and self.need <= 0 else "more"


def run_raw(urls: list[str], state: dict[str, Validators], workers: int, tally: Tally) -> None:
    sel = selectors.DefaultSelector()
    todo: Iterator[str] = iter(urls)
    active = 0

    def next_for(conn: Conn) -> bool:
        for url in todo:
            extra = conditional_headers(state.get(url))
            tally.conditional += bool(extra)
            try:
                conn.start(url, extra)
            except (OSError, ValueError) as exc:
                tally.error(url, f"{type(exc).__name__}: {exc}")
                conn.close()
                continue
            return True
        conn.close()
        return False

    for _ in range(max(1, min(workers, len(urls)))):
        active += next_for(Conn(sel))
    while active:
        events = sel.select(timeout=60)
        if not events:
            for key in list(sel.get_map().values()):
                conn = key.data
                tally.error(conn.url, "no answer in 60 s")
                conn.close()
            break
        for key, mask in events:
            conn = key.data
            try:
                if mask & selectors.EVENT_WRITE:
                    conn.on_write()
                    continue
                outcome = conn.on_read()
            except (OSError, ValueError, IndexError) as exc:
                tally.error(conn.url, f"{type(exc).__name__}: {exc}")
                conn.close()
                outcome = "failed"
            if outcome == "more":
                continue
            if outcome == "closed":
                reused, url = conn.served > 0, conn.url
                conn.close()
                if reused and not conn.retried:  # a kept-alive socket the server had closed
                    try:
                        conn.start(url, conditional_headers(state.get(url)), retry=True)
                        continue
                    except OSError as exc:
                        tally.error(url, f"{type(exc).__name__}: {exc}")
                else:
                    tally.error(url, "connection closed before an answer")
            elif outcome == "done":
                conn.served += 1
                tally.status(conn.status)
                tally.body_bytes += conn.body
                h = conn.headers
                if conn.status in (200, 304):
                    remember(state, conn.url, h.get("etag"), h.get("last-modified"))
                if h.get("connection", "").lower() == "close":
                    conn.close()
            if not next_for(conn):
                active -= 1
    sel.close()


# ---------------------------------------------------------------- httpx, for comparison


def run_httpx(urls: list[str], state: dict[str, Validators], workers: int, tally: Tally) -> None:
    import asyncio

    import httpx

    async def main() -> None:
        limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
        headers = {"User-Agent": "newsdesk-bench-wire", "Accept-Encoding": "gzip"}
        todo: Iterator[str] = iter(urls)
        async with httpx.AsyncClient(limits=limits, headers=headers, timeout=60) as client:

            async def worker() -> None:
                for url in todo:
                    cond = dict(conditional_headers(state.get(url)))
                    tally.conditional += bool(cond)
                    try:
                        async with client.stream("GET", url, headers=cond) as resp:
                            async for chunk in resp.aiter_raw():  # not decoded: wire bytes
                                tally.body_bytes += len(chunk)
                    except httpx.HTTPError as exc:
                        tally.error(url, f"{type(exc).__name__}: {exc}")
                        continue
                    tally.status(resp.status_code)
                    if resp.status_code in (200, 304):
                        h = resp.headers
                        remember(state, url, h.get("etag"), h.get("last-modified"))

            await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(urls))))))

    asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("urls", type=Path)
    ap.add_argument("state", type=Path, help="validators, read before and written after")
    ap.add_argument("--workers", type=int, default=32)
    ap.add_argument("--client", choices=["raw", "httpx"], default="raw")
    a = ap.parse_args(argv)

    urls = [u.strip() for u in a.urls.read_text().splitlines() if u.strip()]
    state: dict[str, Validators] = json.loads(a.state.read_text()) if a.state.exists() else {}
    tally = Tally()
    start = time.perf_counter()
    (run_raw if a.client == "raw" else run_httpx)(urls, state, a.workers, tally)
    elapsed = time.perf_counter() - start
    a.state.write_text(json.dumps(state))
    summary: dict[str, object] = {
        "feeds": len(urls),
        "client": a.client,
        **tally.statuses,
        "conditional": tally.conditional,
        "errors": tally.errors,
        "body_bytes": tally.body_bytes,
        "fetch_s": round(elapsed, 3),
    }
    if tally.first_error:
        summary["first_error"] = tally.first_error
    print(json.dumps(summary))
    return 1 if tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())

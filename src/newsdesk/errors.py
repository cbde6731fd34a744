"""One error tree for newsdesk. Foreign errors are wrapped at each boundary with `from e`.

    NewsdeskError
    ├── ConfigError          bad configuration (env, newsdesk.toml)
    ├── InputError           bad user input: malformed URL, unreadable file
    │   └── OpmlError        an OPML document we cannot read
    ├── FetchError           the fetch stage could not get a usable response
    │   ├── BlockedAddressError   the URL (or a redirect hop) resolves to a refused address
    │   ├── TooManyRedirectsError
    │   ├── BodyTooLargeError     the body (or its decompressed form) passed the size cap
    │   ├── FetchTimeoutError
    │   └── HTTPStatusError       a 4xx/5xx answer; carries status and Retry-After
    ├── ParseError           the bytes are not a feed we can read (NotAFeedError: it is HTML)
    │   └── NotAFeedError
    ├── ExtractError         full-text extraction found no article
    └── StoreError           the database refused something

Every message names its layer ("fetch: ...", "parse: ...") so a one-line error is
enough to know where to look.
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose."""


class ConfigError(NewsdeskError):
    """Bad configuration: an environment variable or a newsdesk.toml key."""


class InputError(NewsdeskError):
    """Bad input from the user: a malformed URL, an unreadable file, an unknown id."""


class OpmlError(InputError):
    """An OPML document with nothing we can read."""


class FetchError(NewsdeskError):
    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class BlockedAddressError(FetchError):
    """The URL, or a redirect hop, resolves to a loopback/private/link-local address."""


class TooManyRedirectsError(FetchError):
    """More redirects than Settings.max_redirects."""


class BodyTooLargeError(FetchError):
    """The body, or its decompressed form, passed the size cap."""


class FetchTimeoutError(FetchError):
    """Connect, read or total deadline passed."""


class HTTPStatusError(FetchError):
    def __init__(
        self,
        message: str,
        url: str | None = None,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, url)
        self.status = status
        self.retry_after = retry_after  # seconds, parsed from Retry-After when present


class HostPausedError(FetchError):
    """Not fetched: the host asked (429/503 with Retry-After) to be left alone until later."""

    def __init__(self, message: str, url: str | None, host: str, retry_after: float) -> None:
        super().__init__(message, url)
        self.host = host
        self.retry_after = retry_after


class ParseError(NewsdeskError):
    """The bytes are not a feed we can read."""


class NotAFeedError(ParseError):
    """The document is HTML or something else that is not a feed; discovery may help."""


class ExtractError(NewsdeskError):
    """Full-text extraction found no article in the page."""


class StoreError(NewsdeskError):
    """The database refused something."""

"""Typed settings, read once from the environment and NEWSDESK_HOME/newsdesk.toml.

The environment wins over the file, the file over the defaults. Code deeper down gets a
`Settings` (or just the values it needs) passed in; nothing reads os.environ on its own.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from newsdesk.errors import ConfigError

USER_AGENT = "newsdesk/0.1 (+https://github.com/newsdesk/newsdesk; feed fetcher)"

# Keys accepted in newsdesk.toml, lower-case, with the environment variable that overrides each.
_KEYS = {
    "database_url": "NEWSDESK_DATABASE_URL",
    "allow_private_networks": "NEWSDESK_ALLOW_PRIVATE_NETWORKS",
    "secret_key": "NEWSDESK_SECRET_KEY",
    "debug": "NEWSDESK_DEBUG",
    "max_body_bytes": "NEWSDESK_MAX_BODY_BYTES",
    "fetch_concurrency": "NEWSDESK_FETCH_CONCURRENCY",
    "per_host_concurrency": "NEWSDESK_PER_HOST_CONCURRENCY",
    "min_interval_minutes": "NEWSDESK_MIN_INTERVAL_MINUTES",
    "max_interval_minutes": "NEWSDESK_MAX_INTERVAL_MINUTES",
    "failing_after": "NEWSDESK_FAILING_AFTER",
    "public_url": "NEWSDESK_PUBLIC_URL",
    "lease_seconds": "NEWSDESK_LEASE_SECONDS",
    "keep_fetches": "NEWSDESK_KEEP_FETCHES",
    "full_text_per_fetch": "NEWSDESK_FULL_TEXT_PER_FETCH",
    "quiet_factor": "NEWSDESK_QUIET_FACTOR",
    "quiet_min_hours": "NEWSDESK_QUIET_MIN_HOURS",
    "alert_webhook": "NEWSDESK_ALERT_WEBHOOK",
    "build_processes": "NEWSDESK_BUILD_PROCESSES",
    "embeds": "NEWSDESK_EMBEDS",
}


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path
    database_url: str
    allow_private_networks: bool = False
    secret_key: str = ""
    debug: bool = False
    max_body_bytes: int = 10 * 1024 * 1024
    fetch_concurrency: int = 32
    per_host_concurrency: int = 4
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    min_interval_minutes: int = 10
    max_interval_minutes: int = 24 * 60
    failing_after: int = 5
    lease_seconds: int = 300
    # raw fetches kept per source for `newsdesk replay` (0: keep none)
    keep_fetches: int = 3
    # article pages fetched for full text per feed fetch (the newest items first), so a
    # 10,000-item first import does not turn into 10,000 page requests to one publisher
    full_text_per_fetch: int = 50
    # "gone quiet": no new item for this many usual gaps, and at least this many hours
    quiet_factor: int = 4
    quiet_min_hours: int = 24
    # POSTed a JSON line when a source goes quiet or starts failing (none: not sent)
    alert_webhook: str | None = None
    public_url: str | None = None
    user_agent: str = USER_AGENT
    # helper processes that parse and clean fetched feeds beside the database writer
    # (0: all in the writer's process; None: one per core beyond the first, at most 4)
    build_processes: int | None = None
    # player URL prefixes ("host/path", no scheme) allowed as embedded frames beside
    # YouTube and Vimeo: NEWSDESK_EMBEDS="w.soundcloud.com/player/ www.dailymotion.com/embed/"
    embeds: tuple[str, ...] = ()

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    import tomllib  # here: most homes have no file, and every command reads the settings

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"config: cannot read {path}: {e}") from e
    unknown = set(data) - set(_KEYS)
    if unknown:
        raise ConfigError(f"config: unknown key(s) in {path}: {', '.join(sorted(unknown))}")
    return data


def _secret_key(home: Path) -> str:
    """Generate the session signing key once and keep it in NEWSDESK_HOME."""
    path = home / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    except OSError as e:
        raise ConfigError(f"config: cannot write {path}: {e}") from e
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _as_int(key: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"config: {key} must be a whole number, got {value!r}") from e
    if number < 0:
        raise ConfigError(f"config: {key} must not be negative, got {number}")
    return number


def _embed_prefixes(value: Any) -> tuple[str, ...]:
    """The operator's player prefixes: a list in the file, or words (spaces or commas) in the
    environment; each as "host/path", without scheme, host in lower case."""
    entries = value if isinstance(value, list) else str(value).replace(",", " ").split()
    found: list[str] = []
    for entry in entries:
        text = str(entry).strip()
        rest = text.split("://", 1)[1] if "://" in text else text
        host, _, path = rest.partition("/")
        host = host.lower()
        if (
            not host
            or "." not in host.strip(".")
            or any(c in host for c in "@:?#[]\\")
            or any(c.isspace() or c in "?#\\" for c in text)
        ):
            raise ConfigError(
                f"config: embeds entries must be player URL prefixes such as "
                f"w.soundcloud.com/player/, got {text!r}"
            )
        # the slash ends the host: "x.com" must not let in "x.com.attacker.example"
        found.append(f"{host}/{path}")
    return tuple(dict.fromkeys(found))


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    home = Path(env.get("NEWSDESK_HOME") or "./.newsdesk").expanduser().resolve()
    raw: dict[str, Any] = _read_toml(home / "newsdesk.toml")
    for key, var in _KEYS.items():
        if env.get(var):
            raw[key] = env[var]

    database_url = str(raw.get("database_url") or f"sqlite:///{home / 'newsdesk.sqlite3'}")
    if not database_url.startswith(("sqlite:///", "postgres://", "postgresql://")):
        raise ConfigError(
            "config: NEWSDESK_DATABASE_URL must start with sqlite:/// or postgresql://, "
            f"got {database_url!r}"
        )

    def flag(key: str) -> bool:
        value = raw.get(key, False)
        return value if isinstance(value, bool) else _truthy(str(value))

    settings = Settings(
        home=home,
        database_url=database_url,
        allow_private_networks=flag("allow_private_networks"),
        debug=flag("debug"),
        public_url=(str(raw["public_url"]).rstrip("/") if raw.get("public_url") else None),
        alert_webhook=str(raw["alert_webhook"]) if raw.get("alert_webhook") else None,
        embeds=_embed_prefixes(raw.get("embeds") or ""),
    )
    hook = settings.alert_webhook
    if hook and not hook.startswith(("http://", "https://")):
        raise ConfigError(f"config: alert_webhook must be an http(s) URL, got {hook!r}")
    ints = {
        key: _as_int(key, raw[key])
        for key in (
            "max_body_bytes",
            "fetch_concurrency",
            "per_host_concurrency",
            "min_interval_minutes",
            "max_interval_minutes",
            "failing_after",
            "lease_seconds",
            "keep_fetches",
            "full_text_per_fetch",
            "quiet_factor",
            "quiet_min_hours",
            "build_processes",
        )
        if key in raw
    }
    settings = settings.with_changes(**ints)
    secret = str(raw.get("secret_key") or "") or _secret_key(home)
    return settings.with_changes(secret_key=secret)


# The bundled demo feeds live at this reserved, never-resolving origin; the pipeline serves it
# from package files and the site maps it to /demo/ (see newsdesk.demo).
DEMO_ORIGIN = "https://demo.newsdesk.invalid"

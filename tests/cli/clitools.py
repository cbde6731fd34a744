"""Run the real `newsdesk` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NEWSDESK = str(Path(sys.executable).parent / "newsdesk")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


Cli = Callable[..., Result]


def make_cli(home: Path, **env: str) -> Cli:
    base = {
        **os.environ,
        "NEWSDESK_HOME": str(home),
        "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "1",
        **env,
    }
    base.pop("NEWSDESK_DEBUG", None)
    if "NEWSDESK_DATABASE_URL" not in env:
        base.pop("NEWSDESK_DATABASE_URL", None)

    def cli(*args: str, timeout: float = 120, extra_env: dict[str, str] | None = None) -> Result:
        proc = subprocess.run(
            [NEWSDESK, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**base, **(extra_env or {})},
            stdin=subprocess.DEVNULL,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return cli

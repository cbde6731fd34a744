"""`newsdesk --help` must stay fast: it may not import Django or the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = {"django", "httpx", "lxml", "trafilatura", "nh3", "feedparser", "fastfeedparser", "rich"}


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys, json, contextlib, io\n"
        "from newsdesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert not (loaded & HEAVY), loaded & HEAVY
    assert "newsdesk" in loaded

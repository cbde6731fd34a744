from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.clitools import Cli, make_cli


@pytest.fixture
def cli(newsdesk_home: Path) -> Cli:
    return make_cli(newsdesk_home)

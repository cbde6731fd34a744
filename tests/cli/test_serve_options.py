"""`serve` and `run` hand their process and thread counts to granian, and refuse nonsense."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk import cli


class FakeGranian:
    made: list[dict[str, Any]] = []

    def __init__(self, target: str, **options: Any) -> None:
        self.made.append({"target": target, **options})

    def serve(self) -> None:
        pass  # the real one would block here, serving


@pytest.fixture
def granian(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import granian

    FakeGranian.made = []
    monkeypatch.setattr(granian, "Granian", FakeGranian)
    monkeypatch.setattr(cli, "_ready", lambda: None)
    return FakeGranian.made


def test_serve_passes_workers_and_threads(granian: list[dict[str, Any]]) -> None:
    assert cli.main(["serve", "--port", "8123", "--workers", "3", "--threads", "1"]) == 0
    [made] = granian
    assert made["workers"] == 3 and made["blocking_threads"] == 1 and made["port"] == 8123


def test_serve_defaults_to_four_threads_a_process(granian: list[dict[str, Any]]) -> None:
    assert cli.main(["serve"]) == 0
    [made] = granian
    assert made["workers"] == 1 and made["blocking_threads"] == cli.SERVE_THREADS == 4
    assert made["address"] == "127.0.0.1"


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_a_thread_count_below_one_is_refused(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.build_parser().parse_args(["serve", "--threads", value])
    assert stop.value.code == 2
    assert "--threads" in capsys.readouterr().err

"""The README must document every command and every setting (and nothing that is gone)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from newsdesk import config
from newsdesk.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_and_its_options_are_in_the_readme() -> None:
    table = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z-]+)[^|]*\|", README, re.M)}
    for name, parser in commands().items():
        assert name in table or f"/ `{name}" in README, f"README misses command {name}"
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"README misses {name} {flag}"


def test_every_setting_is_in_the_readme() -> None:
    for variable in config._KEYS.values():
        assert f"`{variable}`" in README or variable in README, f"README misses {variable}"
    assert "`NEWSDESK_HOME`" in README


def test_help_names_every_command() -> None:
    help_text = build_parser().format_help()
    for name in commands():
        assert name in help_text

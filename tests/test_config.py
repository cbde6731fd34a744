"""Settings from the environment and newsdesk.toml: the embed allow-list."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.config import load_settings
from newsdesk.errors import ConfigError


def test_embeds_from_the_environment_are_spelled_host_slash_path(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "NEWSDESK_HOME": str(tmp_path),
            "NEWSDESK_EMBEDS": "https://W.SoundCloud.com/player/, www.dailymotion.com/embed/video/"
            " bandcamp.example",
        }
    )
    assert settings.embeds == (
        "w.soundcloud.com/player/",
        "www.dailymotion.com/embed/video/",
        "bandcamp.example/",  # a host alone is the whole host, never a longer one
    )


def test_embeds_from_the_file_are_a_list(tmp_path: Path) -> None:
    (tmp_path / "newsdesk.toml").write_text('embeds = ["w.soundcloud.com/player/"]\n')
    assert load_settings({"NEWSDESK_HOME": str(tmp_path)}).embeds == ("w.soundcloud.com/player/",)
    assert load_settings({"NEWSDESK_HOME": str(tmp_path / "none")}).embeds == ()


@pytest.mark.parametrize(
    "value", ["localhost/player/", "@evil.example/", "x.example?y", "x.example:8080/", "a.b/#x"]
)
def test_an_embed_that_names_no_plain_host_is_a_config_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="embeds entries must be player URL prefixes"):
        load_settings({"NEWSDESK_HOME": str(tmp_path), "NEWSDESK_EMBEDS": value})

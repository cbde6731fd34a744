from __future__ import annotations

import pytest

from newsdesk.engine.clean import is_summary_only
from newsdesk.types import ParsedItem

LONG = "<p>" + "A full paragraph of the article text goes on. " * 40 + "</p>"


def _item(summary: str | None = None, content: str | None = None) -> ParsedItem:
    return ParsedItem(guid="g", link="https://n.example/a", title="T", summary_html=summary,
                      content_html=content)  # fmt: skip


@pytest.mark.parametrize(
    "summary",
    [
        "Short description of the story.",
        "The council said it would fund the plan [&#8230;]",
        LONG[:-4] + " [&#8230;]</p>",
        LONG[:-4] + ' <a href="/a">Continue reading</a></p>',
        LONG[:-4] + " Read more</p>",
        LONG[:-4] + "…</p>",
        "",
    ],
)
def test_teasers(summary: str) -> None:
    assert is_summary_only(_item(summary=summary)) is True


def test_full_description_without_content_is_full_text() -> None:
    assert is_summary_only(_item(summary=LONG)) is False


def test_content_encoded_means_full_text() -> None:
    assert (
        is_summary_only(_item(summary="Teaser [&#8230;]", content="<p>Short but whole.</p>"))
        is False
    )


def test_teaser_copied_into_content_is_still_a_teaser() -> None:
    assert is_summary_only(_item(content="<p>The council said it would [&#8230;]</p>")) is True

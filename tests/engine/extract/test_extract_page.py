from __future__ import annotations

import pytest

from newsdesk.engine.extract import extract_page
from newsdesk.errors import ExtractError

PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the report: the harbour board met on Tuesday to weigh the cost of "
    f"dredging the north channel before the winter storms arrive in force.</p>"
    for n in range(1, 7)
)
PAGE = f"""<!doctype html><html><head><title>Harbour board weighs dredging | Partner Post</title>
<meta property="og:image" content="https://partner.example/uploads/dredger.jpg">
<meta name="author" content="Mara Lind">
<meta property="article:published_time" content="2026-11-20T08:00:00+00:00"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Harbour board weighs dredging</h1>{PARAGRAPHS}</article>
<footer>Cookie settings. Impressum. Subscribe to our newsletter.</footer></body></html>"""


def test_extracts_the_article_and_its_metadata() -> None:
    page = extract_page(PAGE.encode(), "https://partner.example/2026/11/dredging/")
    assert "Paragraph 1 of the report" in page.html
    assert "Paragraph 6 of the report" in page.html
    assert "Impressum" not in page.html and "Cookie settings" not in page.html
    assert "<h1" not in page.html  # the headline is shown by the site already
    assert page.author == "Mara Lind"
    assert page.image_url == "https://partner.example/uploads/dredger.jpg"
    assert page.published is not None and page.published.year == 2026
    assert page.text_length > 500


def test_a_page_without_an_article_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match=r"^extract:"):
        extract_page(b"<html><body><nav>Home</nav></body></html>", "https://x.example/")

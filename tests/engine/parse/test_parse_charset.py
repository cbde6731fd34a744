"""Charset: BOM and byte sniffing beat a wrong prolog; HTTP charset when there is no prolog."""

from __future__ import annotations

import codecs

import pytest

from newsdesk.engine.parse import parse_feed
from newsdesk.engine.parse.charset import to_utf8

TITLE = "Zürich – “quoted” São Paulo"


def rss(title: str, prolog: str = "") -> str:
    return f"{prolog}<rss version='2.0'><channel><title>{title}</title></channel></rss>"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_encodings_with_bom(codec: str) -> None:
    bom = {
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }[codec]
    data = bom + rss(TITLE, '<?xml version="1.0" encoding="utf-16"?>').encode(codec)
    assert parse_feed(data, "").title == TITLE


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_wide_encodings_sniffed_without_bom(codec: str) -> None:
    data = rss(TITLE, '<?xml version="1.0"?>').encode(codec)
    assert parse_feed(data, "").title == TITLE


def test_utf8_bom() -> None:
    data = codecs.BOM_UTF8 + rss(TITLE).encode()
    assert parse_feed(data, "").title == TITLE


def test_prolog_claiming_utf16_on_utf8_bytes() -> None:
    data = rss(TITLE, '<?xml version="1.0" encoding="utf-16"?>').encode()
    assert parse_feed(data, "").title == TITLE


def test_prolog_claiming_cp1252_on_utf8_bytes_while_http_says_utf8() -> None:
    data = rss(TITLE, '<?xml version="1.0" encoding="windows-1252"?>').encode()
    assert parse_feed(data, "", "application/rss+xml; charset=utf-8").title == TITLE


def test_latin1_prolog_is_read_as_cp1252() -> None:
    data = rss("caf\xe9 \x93quoted\x94", '<?xml version="1.0" encoding="iso-8859-1"?>')
    feed = parse_feed(data.encode("latin-1"), "")
    assert feed.title == "café “quoted”"


def test_http_charset_applies_when_there_is_no_prolog() -> None:
    data = rss("Новости").encode("koi8-r")
    assert parse_feed(data, "", "text/xml; charset=koi8-r").title == "Новости"


def test_prolog_wins_over_http_charset_for_non_utf8_bytes() -> None:
    data = rss("Новости", '<?xml version="1.0" encoding="windows-1251"?>').encode("cp1251")
    assert parse_feed(data, "", "text/xml; charset=iso-8859-1").title == "Новости"


def test_invalid_utf8_falls_back_to_cp1252_for_the_broken_bytes() -> None:
    data = b"<rss><channel><title>caf\xc3\xa9 \x93smart\x94 \xff</title></channel></rss>"
    title = parse_feed(data, "").title
    assert title is not None
    assert title.startswith("café “smart” ")


def test_valid_utf8_without_declaration_is_returned_unchanged() -> None:
    data = rss(TITLE).encode()
    assert to_utf8(data) is data  # no copy on the common path


def test_reencoded_documents_declare_utf8() -> None:
    data = rss("é", '<?xml version="1.0" encoding="iso-8859-1"?>').encode("latin-1")
    out = to_utf8(data)
    assert out.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert "é".encode() in out


@pytest.mark.parametrize("label", ["base64", "rot13", "undefined", "no-such-charset"])
def test_bogus_charset_labels_fall_back(label: str) -> None:
    prolog = f'<?xml version="1.0" encoding="{label}"?>'
    data = rss("t\xe9", prolog).encode("latin-1")
    assert parse_feed(data, "").title == "té"
    assert (
        parse_feed(rss("t\xe9").encode("latin-1"), "", f"text/xml; charset={label}").title == "té"
    )

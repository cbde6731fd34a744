"""Schemathesis against /api/openapi.json: generated requests through the WSGI app, every
response checked against the description (status codes, content type, schema, no 5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def api_rows(seed: Any) -> Iterator[Any]:
    # Django's own test client keeps the test's connection open across requests; a plain
    # WSGI call would close it at request end, in the middle of the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield seed
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
)
@pytest.mark.django_db
@pytest.mark.db_both
def test_api_matches_its_description(case: Any, api_rows: Any) -> None:
    # The WSGI test client asks for gzip (GZipMiddleware obliges) but never unzips.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})

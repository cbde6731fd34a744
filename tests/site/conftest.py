from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from site_rows import seed

__all__ = ["seed"]

# WhiteNoise warns (an error under our filterwarnings) when STATIC_ROOT is missing; a fresh
# NEWSDESK_HOME has none until collectstatic, which the site does not need.
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _fresh_shared_answers() -> Iterator[None]:
    # Rows change under the memo by queryset.update() (no signal) and by rollbacks between
    # tests; every test starts and ends with none remembered.
    from newsdesk.site import caching
    from newsdesk.store import reads

    reads.forget_shared()
    caching.pages.clear()
    yield
    reads.forget_shared()
    caching.pages.clear()

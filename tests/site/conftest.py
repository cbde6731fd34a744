from pathlib import Path

from django.conf import settings
from site_rows import seed

__all__ = ["seed"]

# WhiteNoise warns (an error under our filterwarnings) when STATIC_ROOT is missing; a fresh
# NEWSDESK_HOME has none until collectstatic, which the site does not need.
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

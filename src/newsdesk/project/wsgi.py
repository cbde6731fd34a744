import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.project.settings")
_django = get_wsgi_application()

# both need the apps loaded
from newsdesk.site.anonymous_pages import lean_pages  # noqa: E402
from newsdesk.site.caching import wsgi_front_cache  # noqa: E402

# the front page from its cache, then the lean path for other anonymous pages, then Django
application = wsgi_front_cache(lean_pages(_django))

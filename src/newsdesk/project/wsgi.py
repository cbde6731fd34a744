import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.project.settings")
_django = get_wsgi_application()

from newsdesk.site.caching import wsgi_front_cache  # noqa: E402 (needs the apps loaded)

application = wsgi_front_cache(_django)

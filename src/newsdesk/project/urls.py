from django.contrib import admin
from django.urls import include, path

# SimpleAdminConfig (settings.py) leaves this to the URLconf, which only the site loads
admin.autodiscover()

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("newsdesk.site.urls")),
]

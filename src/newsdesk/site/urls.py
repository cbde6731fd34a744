from django.urls import path

from newsdesk.site import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

"""URL configuration: pages with a language switch, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("maharat.core.urls")),
]

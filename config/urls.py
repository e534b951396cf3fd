"""URL configuration: pages with a language switch, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

from maharat.core.api import api

handler403 = "maharat.core.views.forbidden"
handler404 = "maharat.core.views.not_found"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/v2/", include("maharat.messaging.urls_api")),
    path("", include("maharat.core.urls")),
    path("", include("maharat.people.urls")),
    path("", include("maharat.skills.urls")),
    path("", include("maharat.programmes.urls")),
    path("", include("maharat.learning.urls")),
    path("", include("maharat.messaging.urls")),
    path("", include("maharat.opportunities.urls")),
    path("", include("maharat.matching.urls")),
    path("", include("maharat.mentoring.urls")),
]

"""The RapidPro API v2-compatible endpoints, included at /api/v2/ by config/urls.py."""

from django.urls import re_path

from maharat.messaging import api_v2

app_name = "rapidpro_api"
urlpatterns = [
    re_path(r"^contacts(?:\.json)?$", api_v2.contacts, name="contacts"),
    re_path(r"^messages(?:\.json)?$", api_v2.messages, name="messages"),
    re_path(r"^broadcasts(?:\.json)?$", api_v2.broadcasts, name="broadcasts"),
    re_path(r"^runs(?:\.json)?$", api_v2.runs, name="runs"),
]

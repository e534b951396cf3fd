"""Messaging URLs: the gateways' inbound endpoints and the staff Messages page."""

from django.urls import path, re_path

from maharat.messaging import views

app_name = "messaging"
urlpatterns = [
    # Gateways call these with the channel's secret token; some cannot follow a redirect to the trailing slash.
    path("messaging/hooks/<int:channel_id>/<str:token>/<str:action>/", views.hook, name="hook"),
    re_path(r"^messaging/hooks/(?P<channel_id>\d+)/(?P<token>[^/]+)/(?P<action>[a-z]+)$", views.hook),
    path("staff/messages/", views.message_list_view, name="message_list"),
]

from maharat.messaging.urls_broadcasts import urlpatterns as broadcast_urlpatterns  # noqa: E402

urlpatterns += broadcast_urlpatterns

from maharat.messaging.urls_helpdesk import urlpatterns as helpdesk_urlpatterns  # noqa: E402

urlpatterns += helpdesk_urlpatterns

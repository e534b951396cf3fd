"""URLs of broadcasts, segments, RapidPro API tokens and flow webhooks (added to the messaging URLs)."""

from django.urls import path, re_path

from maharat.messaging import views_broadcasts as views
from maharat.messaging import webhooks

urlpatterns = [
    path("staff/broadcasts/", views.broadcast_list_view, name="broadcast_list"),
    path("staff/broadcasts/new/", views.broadcast_create_view, name="broadcast_create"),
    path("staff/broadcasts/<uuid:broadcast_uuid>/", views.broadcast_detail_view, name="broadcast_detail"),
    path(
        "staff/broadcasts/<uuid:broadcast_uuid>/cancel/", views.broadcast_cancel_view, name="broadcast_cancel"
    ),
    path("staff/segments/", views.segment_list_view, name="segment_list"),
    path("staff/segments/new/", views.segment_create_view, name="segment_create"),
    path("staff/rapidpro-tokens/", views.token_list_view, name="token_list"),
    path("staff/rapidpro-tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    # RapidPro flows call these; the token is in the URL or in an "Authorization: Token <key>" header.
    re_path(r"^webhooks/rapidpro/(?P<action>[a-z]+)/?$", webhooks.flow_webhook, name="flow_webhook_header"),
    re_path(
        r"^webhooks/rapidpro/(?P<token>[A-Za-z0-9_-]+)/(?P<action>[a-z]+)/?$",
        webhooks.flow_webhook,
        name="flow_webhook",
    ),
]

"""The API at /api/v1/: token authentication for partner systems, session for the browser, OpenAPI docs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from maharat.core.models import ApiToken


def user_for_token(raw: str) -> Any:
    """The active user owning a non-revoked token, or None; records its last use."""
    if not raw:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class TokenHeader(APIKeyHeader):
    """``Authorization: Token <token>`` as RapidPro and many partner systems send it."""

    param_name = "Authorization"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key or not key.startswith("Token "):
            return None
        user = user_for_token(key.removeprefix("Token ").strip())
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Maharat API",
    version="1",
    description="People (scoped by access rules), skills search and organizations. "
    "Authenticate with `Authorization: Bearer <token>` (tokens are issued in the admin).",
    auth=[BearerToken(), TokenHeader(), django_auth],
    urls_namespace="api",
)


def _register_routers() -> None:
    from maharat.learning.api import router as learning_router
    from maharat.people.api import router as people_router
    from maharat.programmes.api import router as programmes_router
    from maharat.skills.api import router as skills_router

    api.add_router("/", people_router)
    api.add_router("/skills", skills_router)
    api.add_router("/programmes", programmes_router)
    api.add_router("/learning", learning_router)


_register_routers()

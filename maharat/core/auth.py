"""Authentication: staff by username or e-mail, beneficiaries by phone, with lockout on failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from maharat.core.audit import audit_record
from maharat.core.models import AuditAction, LoginFailure
from maharat.core.phones import try_normalize_phone


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as Django sees it (the proxy must set REMOTE_ADDR correctly)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _identifier_key(identifier: str) -> str:
    phone = try_normalize_phone(identifier)
    return (phone or identifier).strip().lower()[:150]


def is_locked_out(identifier: str, request: HttpRequest | None = None) -> bool:
    """True when this account (or, with a request, this address) failed too often recently."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    limit = settings.LOGIN_FAILURE_LIMIT
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(identifier=_identifier_key(identifier)).count() >= limit:
        return True
    ip = client_ip(request)
    return bool(ip) and recent.filter(ip_address=ip).count() >= limit * 4


def record_failure(identifier: str, request: HttpRequest | None = None) -> None:
    """Count one failed log-in; audit the moment an account becomes locked."""
    key = _identifier_key(identifier)
    LoginFailure.objects.create(identifier=key, ip_address=client_ip(request))
    if is_locked_out(identifier):
        audit_record(
            actor=key,
            action=AuditAction.LOGIN_LOCKED,
            subject_type="core.user",
            subject_id=key,
            reason="too many failed log-ins",
        )


def clear_failures(identifier: str) -> None:
    """Forget failures after a successful log-in."""
    LoginFailure.objects.filter(identifier=_identifier_key(identifier)).delete()


def find_user(identifier: str) -> Any:
    """The active user whose username, e-mail or phone is the identifier, or None."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user_model = get_user_model()
    query = Q(username__iexact=identifier) | Q(email__iexact=identifier)
    phone = try_normalize_phone(identifier)
    if phone:
        query |= Q(phone=phone)
    matches = list(user_model.objects.filter(query)[:2])
    return matches[0] if len(matches) == 1 else None


class LockoutModelBackend(ModelBackend):
    """Django's model backend with log-in by username, e-mail or phone, and lockout."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return None
        if is_locked_out(username, request):
            raise PermissionDenied("locked")
        user = find_user(username)
        if user is not None and user.check_password(password) and self.user_can_authenticate(user):
            clear_failures(username)
            return user
        if user is None:
            # Hash anyway so that timing does not reveal which accounts exist.
            get_user_model()().set_password(password)
        record_failure(username, request)
        return None

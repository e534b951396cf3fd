"""Template context shared by every page: the user's roles and the text direction."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language_bidi

from maharat.core.roles import Role, primary_role, user_roles


def roles(request: HttpRequest) -> dict[str, Any]:
    """Expose ``roles``, ``primary_role`` and ``text_dir`` to templates."""
    user = getattr(request, "user", None)
    held = user_roles(user) if user is not None else frozenset()
    return {
        "roles": held,
        "primary_role": primary_role(user) if user is not None else None,
        "Role": Role,
        "text_dir": "rtl" if get_language_bidi() else "ltr",
        "is_staff_user": bool(held - {Role.BENEFICIARY}),
    }

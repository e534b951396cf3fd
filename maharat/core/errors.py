"""Domain errors: a service refuses bad input with a localized message and changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A rule of the domain was broken; the message is shown to the user as is."""


class DuplicatePersonError(DomainError):
    """The person already exists: same phone number or same identity document."""

    def __init__(self, message: Any, *, existing_id: int, field: str) -> None:
        super().__init__(message, code="duplicate")
        self.existing_id = existing_id
        self.field = field


class AccessDenied(Exception):
    """The user may not do this; views turn it into 403."""

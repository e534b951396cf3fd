"""Functions other apps register to hear that an opportunity was published (matching scores it then).

The publish services call every registered function with the opportunity once the transaction has
committed, so a hook never sees a publication that was rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PublishedHook = Callable[[Any], None]

_HOOKS: list[PublishedHook] = []


def register_published_hook(fn: PublishedHook) -> PublishedHook:
    """Add a function called with each newly published opportunity; registering twice keeps one copy."""
    if fn not in _HOOKS:
        _HOOKS.append(fn)
    return fn


def unregister_published_hook(fn: PublishedHook) -> None:
    """Remove a registered function (tests use it to clean up)."""
    if fn in _HOOKS:
        _HOOKS.remove(fn)


def published_hooks() -> tuple[PublishedHook, ...]:
    """The registered functions, in registration order."""
    return tuple(_HOOKS)

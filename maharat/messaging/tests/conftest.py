"""Fixtures of the messaging tests: a local gateway, and settings that do not depend on the time of day."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from maharat.messaging.tests.gateway import Gateway, start_gateway


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    """A gateway listening on 127.0.0.1, stopped after the test."""
    state, server = start_gateway()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _messaging_settings(settings: Any) -> None:
    """No quiet hours unless a test sets them; short retries; a fresh rate-limit count."""
    settings.MESSAGING_QUIET_HOURS = ""
    settings.MESSAGING_RETRY_MAX = 3
    settings.MESSAGING_RETRY_BASE_SECONDS = 30
    settings.MESSAGING_HTTP_TIMEOUT = 2
    settings.MESSAGING_DAILY_CAP = 20
    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        # Ids repeat across SQLite tests, so old rate counts could match; a shared Redis is left alone (it is
        # also the broker), and PostgreSQL never repeats an id.
        cache.clear()

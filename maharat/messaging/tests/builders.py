"""Builders for messaging tests: channels pointing at the local gateway, and the console channel."""

from __future__ import annotations

from typing import Any

from maharat.messaging.choices import ChannelKind
from maharat.messaging.models import Channel
from maharat.messaging.tests.gateway import Gateway


def http_channel(
    gateway: Gateway, *, name: str = "Aggregator", priority: int = 10, path: str = "/send", **config: Any
) -> Channel:
    """A generic HTTP channel sending GET <path>?to=…&text=…&id=… to the test gateway."""
    settings_ = {"url": gateway.url(path + "?to={to}&text={text}&id={id}"), "method": "GET", **config}
    return Channel.objects.create(
        name=name, kind=ChannelKind.HTTP, priority=priority, config=settings_, rate_per_second=0
    )


def console_channel(*, priority: int = 50) -> Channel:
    """The development console channel."""
    return Channel.objects.create(
        name="Console", kind=ChannelKind.CONSOLE, priority=priority, rate_per_second=0
    )

"""Channel clients, one module per gateway behind one interface; ``client_for`` picks the one of a channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maharat.messaging.channels.base import ChannelClient
from maharat.messaging.choices import ChannelKind

if TYPE_CHECKING:
    from maharat.messaging.models import Channel


def client_for(channel: Channel) -> ChannelClient:
    """The client that talks to the channel's gateway."""
    if channel.kind == ChannelKind.KANNEL:
        from maharat.messaging.channels.kannel import KannelClient

        return KannelClient(channel)
    if channel.kind == ChannelKind.RAPIDPRO:
        from maharat.messaging.channels.rapidpro import RapidProClient

        return RapidProClient(channel)
    if channel.kind == ChannelKind.HTTP:
        from maharat.messaging.channels.http import HttpClient

        return HttpClient(channel)
    from maharat.messaging.channels.console import ConsoleClient

    return ConsoleClient(channel)

"""The console channel: messages are written to the log instead of a phone, for development and the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maharat.messaging.channels.base import ChannelClient, SendResult, logger

if TYPE_CHECKING:
    from maharat.messaging.models import Message


class ConsoleClient(ChannelClient):
    """Logs each message at INFO level (run with LOG_LEVEL=INFO to see them) and reports it sent."""

    def send(self, message: Message) -> SendResult:
        """Write the message to the log."""
        logger.info("SMS to %s (%d part(s)): %s", message.phone, message.parts, message.text)
        return SendResult(ok=True, gateway_id=f"console-{message.pk}")

"""Demo data of the helpdesk: the social-security FAQ, two canned replies, and one open ticket from a text."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from maharat.messaging.channels.base import InboundMessage
from maharat.messaging.inbound import inbound_handle
from maharat.messaging.models_conversations import CannedReply, FaqEntry, Ticket
from maharat.messaging.services import channels_for

CANNED = [
    (
        "Visit our office",
        "Please visit our office from Sunday to Thursday, 9:00 to 15:00, with your ID.",
        "يرجى زيارة مكتبنا من الأحد إلى الخميس، من 9:00 إلى 15:00، مع هويتك.",
    ),
    (
        "We are checking",
        "Thank you. We are checking this and will write to you within two working days.",
        "شكراً لك. نتحقق من الأمر وسنراسلك خلال يومي عمل.",
    ),
]
DEMO_PHONE = "+962795550101"


def demo_helpdesk() -> dict[str, int]:
    """Load the FAQ, add canned replies and let an unknown number ask something only staff can answer."""
    call_command("load_faq", stdout=StringIO())
    for title, text_en, text_ar in CANNED:
        CannedReply.objects.get_or_create(title=title, defaults={"text_en": text_en, "text_ar": text_ar})
    channel = channels_for()[0]
    inbound_handle(
        channel=channel,
        inbound=InboundMessage(
            sender=DEMO_PHONE,
            text="My employer has kept my passport since March",
            gateway_id="demo-helpdesk-1",
        ),
    )
    return {"faq": FaqEntry.objects.count(), "tickets": Ticket.objects.exclude(status="closed").count()}

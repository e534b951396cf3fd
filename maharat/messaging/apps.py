"""Messaging: channels (SMS gateways, RapidPro), the outbox, inbound routing and opt-outs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """Configuration of the messaging app."""

    name = "maharat.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from maharat.messaging.services import erase_person_messages
        from maharat.people.services import register_anonymize_hook

        register_anonymize_hook(erase_person_messages)
        from maharat.messaging.helpdesk import erase_person_conversations

        register_anonymize_hook(erase_person_conversations)
        # Celery's autodiscovery finds only tasks.py: the broadcast tasks live beside it.
        import maharat.messaging.tasks_broadcasts  # noqa: F401

"""Send the programmes' unsent notices through the outbox, with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from maharat.messaging.notices import notices_send
from maharat.people.management.commands.import_people import ProgressBar


class Command(BaseCommand):
    help = "Send every notice the programmes owe applicants and have not sent yet (each one once)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = notices_send(progress=ProgressBar(self.stdout, _("Sending notices")))
        self.stdout.write(
            _("%(queued)d notices handed to the outbox, %(not_sent)d not sent (no consent or opted out).")
            % result
        )

"""Send every broadcast whose time has come (and finish any a stopped worker left half-sent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from maharat.messaging.broadcasts import broadcast_send, broadcasts_due
from maharat.people.management.commands.import_people import ProgressBar


class Command(BaseCommand):
    help = (
        "Fan out the broadcasts that are due into the outbox, each message once (run it from cron or beat)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        due = broadcasts_due()
        written = 0
        for broadcast_id in due:
            result = broadcast_send(
                broadcast_id, progress=ProgressBar(self.stdout, _("Broadcast %(id)s") % {"id": broadcast_id})
            )
            written += result["written"]
        self.stdout.write(
            _("%(broadcasts)d broadcasts due, %(messages)d messages handed to the outbox.")
            % {"broadcasts": len(due), "messages": written}
        )

"""Send every queued message whose time has come; without a broker, run it from cron to retry and catch up."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from maharat.messaging.delivery import outbox_due, outbox_recover
from maharat.messaging.tasks import outbox_send
from maharat.people.management.commands.import_people import ProgressBar


class Command(BaseCommand):
    help = (
        "Send queued messages that are due (retries, the end of quiet hours, messages whose task was lost), "
        "here in this process."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = outbox_recover()
        due = outbox_due(limit=100_000)
        progress = ProgressBar(self.stdout, _("Sending"))
        outcomes: dict[str, int] = {}
        for done, message_id in enumerate(due, start=1):
            outcome = outbox_send(message_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            progress(done, len(due))
        self.stdout.write(
            _("%(due)d messages due, %(recovered)d taken back from a stopped worker: %(outcomes)s")
            % {
                "due": len(due),
                "recovered": recovered,
                "outcomes": ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "—",
            }
        )

"""Remind learners of the workshops and sessions that start tomorrow, with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from maharat.learning.notify import workshop_reminders_send
from maharat.people.management.commands.import_people import ProgressBar


class Command(BaseCommand):
    help = "Text every active learner of a workshop or session starting tomorrow (each learner and session once)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = workshop_reminders_send(progress=ProgressBar(self.stdout, _("Sending reminders")))
        self.stdout.write(
            _(
                "Sessions tomorrow: %(sessions)d. Reminders handed to the outbox: %(queued)d; "
                "not sent (no consent or opted out): %(not_sent)d; sent before: %(already)d."
            )
            % result
        )

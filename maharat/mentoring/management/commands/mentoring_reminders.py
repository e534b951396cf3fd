"""Remind mentees of their sessions tomorrow, once per session (run it daily from cron or beat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from maharat.mentoring.services import reminders_send


class Command(BaseCommand):
    help = "Send 'session tomorrow' reminders to mentees; a session is never reminded twice."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send()
        self.stdout.write(_("Reminders sent: %(n)d.") % {"n": sent})

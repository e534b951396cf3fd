"""Load the shipped work-rights lists, permit routes and minimum wages (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from maharat.opportunities.work_rights_data import load_work_rights


class Command(BaseCommand):
    help = "Create or refresh the closed-occupation and closed-craft lists, permit routes and minimum wages."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            counts = load_work_rights()
        self.stdout.write(
            "Work rights: {lists} lists, {entries} entries, {routes} permit routes, "
            "{minimum_wages} minimum wages.".format(**counts)
        )

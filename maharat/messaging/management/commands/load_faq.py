"""Load the FAQ knowledge base shipped with Maharat (social security for migrant and non-national workers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from maharat.messaging.helpdesk import FAQ_FIELDS, faq_save
from maharat.messaging.models_conversations import FaqEntry

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "faq_social_security.json"


class Command(BaseCommand):
    help = "Create or update FAQ entries from a JSON file (by code); entries staff changed since are updated too."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DEFAULT_FILE), help="JSON file with an 'entries' list.")

    def handle(self, *args: Any, **options: Any) -> None:
        data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        created = 0
        with transaction.atomic():
            for row in data["entries"]:
                entry = FaqEntry.objects.filter(code=row["code"]).first()
                created += entry is None
                faq_save(
                    actor="load_faq",
                    entry=entry,
                    data={field: row[field] for field in FAQ_FIELDS if field in row},
                )
        self.stdout.write(f"FAQ: {len(data['entries'])} entries loaded ({created} new).")

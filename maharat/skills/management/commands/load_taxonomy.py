"""Load Maharat's curated bilingual taxonomy (occupations.csv and skills.csv) into the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maharat.skills.management.commands.import_esco import SHOWN_ERRORS, StageProgress
from maharat.skills.taxonomy import DATA_DIR, TaxonomyError, load_curated


class Command(BaseCommand):
    help = (
        "Load the curated skills and ISCO-08 occupations with their Arabic labels from occupations.csv and "
        "skills.csv (maharat/skills/data by default). Every row is checked first; if any is wrong nothing is "
        "loaded. Loading again changes nothing; skills an ESCO import brought in are taken over by ESCO URI."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "folder", nargs="?", default=str(DATA_DIR), help="folder holding occupations.csv and skills.csv"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_curated(options["folder"], progress=StageProgress(self.stdout))
        except TaxonomyError as exc:
            lines = exc.errors[:SHOWN_ERRORS]
            if len(exc.errors) > SHOWN_ERRORS:
                lines.append(_("… and %(count)d more.") % {"count": len(exc.errors) - SHOWN_ERRORS})
            raise CommandError(
                _("Nothing was loaded:") + "\n" + "\n".join(f"  {line}" for line in lines)
            ) from exc
        tables = [
            (_("occupations"), result.occupations),
            (_("skills"), result.skills),
            (_("occupation–skill relations"), result.relations),
        ]
        for name, counts in tables:
            self.stdout.write(
                _("%(table)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {
                    "table": name,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        if result.relations_removed:
            self.stdout.write(
                _("%(count)d relations no longer listed were removed") % {"count": result.relations_removed}
            )
        if result.merged:
            self.stdout.write(
                _("%(count)d skills imported from ESCO were merged into curated skills")
                % {"count": result.merged}
            )

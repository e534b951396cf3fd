"""Import ESCO's skills and occupations from a folder of CSV files (ESCO's download or Tabiya's format)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _

from maharat.skills.esco import EscoImportError, EscoImportResult, import_folder

# Errors listed before the rest are only counted: a broken file repeats the same error on every row.
SHOWN_ERRORS = 50


class StageProgress:
    """A one-line text progress bar per stage, redrawn with a carriage return."""

    def __init__(self, stream: OutputWrapper, width: int = 30) -> None:
        self.stream, self.width = stream, width
        self.stage, self.shown = "", -1

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Redraw when the stage or the percentage changes (redrawing every row would flood a log file)."""
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if stage == self.stage and percent == self.shown:
            return
        if stage != self.stage and 0 <= self.shown < 100:
            self.stream.write("")
        self.stage, self.shown = stage, percent
        filled = self.width * percent // 100
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{stage:<36} [{bar}] {percent:3d}% {done}/{total}", ending="")
        self.stream.flush()
        if percent >= 100:
            self.stream.write("")


def write_report(stdout: OutputWrapper, result: EscoImportResult, seconds: float) -> None:
    """Print which files were read or ignored and what was created, updated or skipped."""
    for name, label, rows in result.files:
        stdout.write(
            _("read %(file)s (%(format)s): %(rows)d rows") % {"file": name, "format": label, "rows": rows}
        )
    for name, reason in result.ignored:
        stdout.write(_("ignored %(file)s: %(reason)s") % {"file": name, "reason": reason})
    for name, counts in result.tables():
        stdout.write(
            _("%(table)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {
                "table": name,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
        )
    if result.relations_skipped:
        stdout.write(
            _(
                "skipped %(count)d relations: %(occupations)d name an unknown occupation, %(skills)d an unknown skill"
            )
            % {
                "count": result.relations_skipped,
                "occupations": result.relations_unknown_occupation,
                "skills": result.relations_unknown_skill,
            }
        )
    if result.links_unknown:
        stdout.write(
            _("skipped %(count)d broader links naming an unknown concept") % {"count": result.links_unknown}
        )
    if result.dry_run:
        stdout.write(_("Dry run: everything was checked and nothing was written."))
    else:
        stdout.write(_("Done in %(seconds).1f s.") % {"seconds": seconds})


class Command(BaseCommand):
    help = (
        "Import ESCO skills, occupations, ISCO-08 groups, their hierarchy and occupation–skill relations from "
        "a folder of CSV files: ESCO's own download (skills_en.csv, occupations_en.csv, …) or Tabiya's "
        "cleaned format (skills.csv, occupations.csv, …), detected from each file's columns. All or nothing; "
        "running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="folder holding the CSV files")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count everything, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = import_folder(
                options["folder"], progress=StageProgress(self.stdout), dry_run=options["dry_run"]
            )
        except EscoImportError as exc:
            lines = exc.errors[:SHOWN_ERRORS]
            if len(exc.errors) > SHOWN_ERRORS:
                lines.append(_("… and %(count)d more.") % {"count": len(exc.errors) - SHOWN_ERRORS})
            raise CommandError(
                _("Nothing was imported:") + "\n" + "\n".join(f"  {line}" for line in lines)
            ) from exc
        write_report(self.stdout, result, time.monotonic() - started)

"""Import people from a CSV/XLSX file or KoBoToolbox export, all or nothing, with a row-level report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maharat.people import access, importing
from maharat.people.models import Organization


class ProgressBar:
    """A one-line text progress bar redrawn with a carriage return."""

    def __init__(self, stream: Any, label: str, width: int = 30) -> None:
        self.stream, self.label, self.width = stream, label, width
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        """Redraw when the percentage changes (redrawing every row would flood a log file)."""
        percent = 100 if total <= 0 else done * 100 // total
        if percent == self.shown and done != total:
            return
        self.shown = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {done}/{total}", ending="")
        self.stream.flush()
        if done >= total:
            self.stream.write("")


def load_mapping(value: str | None) -> dict[str, str] | None:
    """A column mapping from a JSON object given inline or as the path of a JSON file."""
    if not value:
        return None
    inline = value.lstrip().startswith(("{", "["))
    try:
        text = value if inline else Path(value).read_text(encoding="utf-8")
        mapping = json.loads(text)
    except OSError as exc:
        raise CommandError(_("The mapping file could not be read: %(error)s") % {"error": exc}) from exc
    except json.JSONDecodeError as exc:
        raise CommandError(_("The mapping is not valid JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise CommandError(_('The mapping must be a JSON object like {"sex": "gender", "phone": "mobile"}.'))
    return mapping


class Command(BaseCommand):
    help = (
        "Import people from a CSV/XLSX file (KoBoToolbox exports too). Every row is checked first; if any row "
        "has an error nothing is imported and the errors are listed with their row numbers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument("--organization", required=True, help="short name (slug) of the organization")
        parser.add_argument("--actor", required=True, help="username of the staff member doing the import")
        parser.add_argument(
            "--mapping",
            help="JSON object {field: column} or a path to a JSON file; suggested from the headers when absent",
        )
        parser.add_argument(
            "--consent-confirmed",
            action="store_true",
            help="every person in the file gave consent on paper (needed when the file has no consent column)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(_("No organization “%(slug)s”.") % {"slug": options["organization"]})
        actor = get_user_model().objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(_("No user “%(username)s”.") % {"username": options["actor"]})
        if not access.can_import_for(actor, organization):
            raise CommandError(
                _("%(user)s may not import people for %(org)s.") % {"user": actor, "org": organization}
            )
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file “%(path)s”.") % {"path": path})
        try:
            # Refuse before reading a huge file into memory.
            importing.refuse_oversized(path.stat().st_size)
            content = path.read_bytes()
            table = importing.read_table(path.name, content)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        mapping = load_mapping(options["mapping"]) or importing.suggest_mapping(
            table.headers, table.hxl_tags, table.rows
        )
        self._show_mapping(table, mapping)
        consent_confirmed = bool(options["consent_confirmed"])
        report = importing.validate_import(
            table=table,
            mapping=mapping,
            organization=organization,
            actor=actor,
            consent_confirmed=consent_confirmed,
            progress=ProgressBar(self.stdout, _("Checking")),
        )
        self._show_report(report)
        if not report.ok:
            raise CommandError(_("Nothing was imported."))
        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(
                    _("All %(count)s rows are valid. Dry run: nothing was written.")
                    % {"count": report.rows_total}
                )
            )
            return
        try:
            job = importing.import_job_create(
                actor=actor, organization=organization, filename=path.name, content=content
            )
            result = importing.import_job_commit(
                job=job,
                actor=actor,
                consent_confirmed=consent_confirmed,
                mapping=mapping,
                progress=ProgressBar(self.stdout, _("Importing")),
            )
        except importing.ImportRefused as exc:
            self._show_report(exc.report)
            raise CommandError(exc.messages[0]) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s people imported for %(org)s (import %(job)s).")
                % {"count": result.created, "org": organization, "job": job.pk}
            )
        )
        if result.flagged:
            self.stdout.write(
                _("%(count)s possible duplicates (same birth date, similar name) wait for review.")
                % {"count": result.flagged}
            )

    def _show_mapping(self, table: importing.Table, mapping: dict[str, str]) -> None:
        self.stdout.write(
            _("%(rows)s rows, %(columns)s columns in %(file)s.")
            % {"rows": len(table.rows), "columns": len(table.headers), "file": table.filename}
        )
        if table.hxl_tags:
            self.stdout.write(_("HXL hashtag row found and skipped."))
        for target, column in mapping.items():
            self.stdout.write(f"  {target:<25} ← {column}")

    def _show_report(self, report: importing.ImportReport) -> None:
        for error in report.errors:
            where = _("row %(row)s") % {"row": error.row_number} if error.row_number else _("file")
            column = f" [{error.column}]" if error.column else ""
            self.stderr.write(f"{where}{column}: {error.message}")
        if report.errors:
            self.stderr.write(
                _("%(rows)s rows, %(bad)s with errors, %(errors)s errors.")
                % {"rows": report.rows_total, "bad": report.rows_with_errors, "errors": len(report.errors)}
            )

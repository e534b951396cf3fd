"""Import applications to a call from a CSV/XLSX file or KoBoToolbox export, all or nothing, with a row report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maharat.people.importing import ImportRefused, ImportReport, Table, read_table, refuse_oversized
from maharat.people.management.commands.import_people import ProgressBar, load_mapping
from maharat.people.models import Organization
from maharat.programmes import importing
from maharat.programmes.access import can_manage_call
from maharat.programmes.models import Call


class Command(BaseCommand):
    help = (
        "Import applications to a call from a CSV/XLSX file (KoBoToolbox exports too). Every row is checked "
        "first; if any row has an error nothing is imported and the errors are listed with their row numbers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument("--call", required=True, help="short code of the call")
        parser.add_argument("--organization", required=True, help="short name (slug) of your organization")
        parser.add_argument("--user", required=True, help="username of the staff member doing the import")
        parser.add_argument(
            "--mapping",
            help="JSON object {field: column} or a path to a JSON file; suggested from the headers when absent "
            "(questions are 'question:<code>')",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        call = Call.objects.select_related("programme__owner").filter(code__iexact=options["call"]).first()
        if call is None:
            raise CommandError(_("No call with the code “%(code)s”.") % {"code": options["call"]})
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(_("No organization “%(slug)s”.") % {"slug": options["organization"]})
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user “%(username)s”.") % {"username": options["user"]})
        if not can_manage_call(user, call):
            raise CommandError(_("%(user)s may not import applications to this call.") % {"user": user})
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file “%(path)s”.") % {"path": path})
        try:
            refuse_oversized(path.stat().st_size)
            table = read_table(path.name, path.read_bytes())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        mapping = load_mapping(options["mapping"]) or importing.suggest_mapping(call, table)
        self._show_mapping(table, mapping)
        arguments: dict[str, Any] = {
            "call": call,
            "table": table,
            "mapping": mapping,
            "actor": user,
            "organization": organization,
        }
        report = importing.validate_applications(
            **arguments, progress=ProgressBar(self.stdout, _("Checking"))
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
            result = importing.commit_applications(
                **arguments, progress=ProgressBar(self.stdout, _("Importing"))
            )
        except ImportRefused as exc:
            self._show_report(exc.report)
            raise CommandError(exc.messages[0]) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s applications imported to %(call)s; %(registered)s people newly registered.")
                % {"count": len(result.application_ids), "call": call.code, "registered": result.registered}
            )
        )

    def _show_mapping(self, table: Table, mapping: dict[str, str]) -> None:
        self.stdout.write(
            _("%(rows)s rows, %(columns)s columns in %(file)s.")
            % {"rows": len(table.rows), "columns": len(table.headers), "file": table.filename}
        )
        if table.hxl_tags:
            self.stdout.write(_("HXL hashtag row found and skipped."))
        for target, column in mapping.items():
            self.stdout.write(f"  {target:<25} ← {column}")

    def _show_report(self, report: ImportReport) -> None:
        for error in report.errors:
            where = _("row %(row)s") % {"row": error.row_number} if error.row_number else _("file")
            column = f" [{error.column}]" if error.column else ""
            self.stderr.write(f"{where}{column}: {error.message}")
        if report.errors:
            self.stderr.write(
                _("%(rows)s rows, %(bad)s with errors, %(errors)s errors.")
                % {"rows": report.rows_total, "bad": report.rows_with_errors, "errors": len(report.errors)}
            )

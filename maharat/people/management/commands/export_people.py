"""Export people to CSV or XLSX, optionally with HXL hashtags or pseudonymized for research."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maharat.people import access
from maharat.people.exporting import export_people
from maharat.people.management.commands.import_people import ProgressBar
from maharat.people.models import Organization


class Command(BaseCommand):
    help = (
        "Export the people the actor may see, for one organization (registered by it) or all, as CSV or XLSX; "
        "--hxl adds a hashtag row, --pseudonymized gives the research file (people who consented to research)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--organization", help="short name (slug): people registered by this organization")
        scope.add_argument("--all", action="store_true", help="every person the actor may see")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--hxl", action="store_true", help="add an HXL hashtag row under the header")
        parser.add_argument(
            "--pseudonymized", action="store_true", help="research file: no names, phones, IDs or exact dates"
        )
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument("--actor", required=True, help="username of the person exporting (audited)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = get_user_model().objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(_("No user “%(username)s”.") % {"username": options["actor"]})
        pseudonymized = bool(options["pseudonymized"])
        if pseudonymized:
            people = access.research_people(actor)
        elif access.can_use_registry(actor):
            people = access.visible_people(actor)
        elif access.is_researcher_only(actor):
            raise CommandError(_("%(user)s may export pseudonymized data only.") % {"user": actor})
        else:
            raise CommandError(_("%(user)s may not export the registry.") % {"user": actor})
        if options["organization"]:
            organization = Organization.objects.filter(slug=options["organization"]).first()
            if organization is None:
                raise CommandError(_("No organization “%(slug)s”.") % {"slug": options["organization"]})
            people = people.filter(registered_by=organization)
        content = export_people(
            queryset=people,
            actor=actor,
            fmt=options["format"],
            hxl=bool(options["hxl"]),
            researcher=pseudonymized,
            progress=ProgressBar(self.stdout, _("Exporting")),
        )
        output = Path(options["output"])
        output.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(
                _("Exported %(count)s people to %(path)s.") % {"count": people.count(), "path": output}
            )
        )

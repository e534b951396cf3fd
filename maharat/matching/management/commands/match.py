"""``manage.py match``: recompute everyone's recommendations, one opportunity's candidates, or resume a run."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from maharat.matching.models import MatchRun, RunKind, RunStatus
from maharat.matching.services import resumable_runs, run_execute, run_start
from maharat.opportunities.models import Opportunity

BAR_WIDTH = 30


class ProgressBar:
    """A text progress bar over chunks; redrawn in place on a terminal, one line per chunk elsewhere."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.tty = out.isatty()
        self.start = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        """Show how far the run is."""
        share = done / total if total else 1.0
        filled = int(share * BAR_WIDTH)
        elapsed = time.monotonic() - self.start
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} {done}/{total} chunks, {elapsed:,.1f} s"
        if self.tty:
            self.out.write("\r" + line, ending="\n" if done >= total else "")
            self.out.flush()
        else:
            self.out.write(line)


class Command(BaseCommand):
    help = (
        "Compute recommendations with the matching engine: --all for everyone (chunked; --resume continues a "
        "run that stopped), or --opportunity ID for one published opportunity's candidates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--all", action="store_true", help="every seeker and every active opportunity")
        group.add_argument("--opportunity", type=int, metavar="ID", help="one opportunity")
        group.add_argument(
            "--resume",
            nargs="?",
            const=0,
            type=int,
            metavar="RUN",
            help="continue a stopped run (the latest)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bar = ProgressBar(self.stdout)
        try:
            if options["all"]:
                run = run_start(actor="manage.py match")
            elif options["opportunity"] is not None:
                opportunity = Opportunity.objects.filter(pk=options["opportunity"]).first()
                if opportunity is None:
                    raise CommandError(f"There is no opportunity {options['opportunity']}.")
                run = run_start(actor="manage.py match", kind=RunKind.OPPORTUNITY, opportunity=opportunity)
            else:
                run = self._stopped(options["resume"])
            self.stdout.write(f"Run {run.pk}: {run.get_kind_display()}")
            run = run_execute(run, progress=bar)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        stored = sum(run.chunks.values_list("stored", flat=True))
        self.stdout.write(f"Run {run.pk} {run.get_status_display()}: {stored:,} recommendations stored.")

    def _stopped(self, run_id: int) -> MatchRun:
        if run_id:
            run = MatchRun.objects.filter(pk=run_id).first()
            if run is None:
                raise CommandError(f"There is no run {run_id}.")
            if run.status == RunStatus.DONE:
                raise CommandError(f"Run {run_id} has already finished.")
            return run
        stopped = resumable_runs()
        if not stopped:
            raise CommandError("No run is waiting to be resumed.")
        return stopped[0]

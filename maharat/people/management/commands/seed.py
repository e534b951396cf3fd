"""``manage.py seed``: add realistic synthetic people, deterministic for a seed (see maharat.people.seeding)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from maharat.people.seeding import DEFAULT_BATCH, seed_people

BAR_WIDTH = 30


class ProgressBar:
    """A text progress bar with the rate; redrawn in place on a terminal, one line per 10% elsewhere."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.tty = out.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int, elapsed: float) -> None:
        """Show how far the run is."""
        share = done / total if total else 1.0
        tenth = int(share * 10)
        if not self.tty and tenth == self.last_tenth and done < total:
            return
        self.last_tenth = tenth
        filled = int(share * BAR_WIDTH)
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate else 0.0
        line = (
            f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} {done:,}/{total:,} people "
            f"{rate:,.0f}/s, {left:,.0f} s left"
        )
        if self.tty:
            self.out.write("\r" + line, ending="\n" if done >= total else "")
            self.out.flush()
        else:
            self.out.write(line)


class Command(BaseCommand):
    help = (
        "Add synthetic people (names, documents, phones, Washington Group answers, consents, skills), "
        "deterministic for a seed. Batches are written in one transaction each."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=1000, help="how many people to add (default 1000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same people)")
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="people per transaction")
        parser.add_argument(
            "--organizations",
            type=int,
            default=10,
            help="partner organizations that register people (created if fewer exist)",
        )
        parser.add_argument(
            "--with-skills",
            dest="with_skills",
            action="store_true",
            default=True,
            help="give people 3-10 skills from the taxonomy (the default)",
        )
        parser.add_argument(
            "--no-skills", dest="with_skills", action="store_false", help="seed without skills"
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=2,
            help="PostgreSQL connections writing batches in parallel (default 2)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = seed_people(
                people=options["people"],
                seed=options["seed"],
                batch=options["batch"],
                organizations=options["organizations"],
                with_skills=options["with_skills"],
                jobs=options["jobs"],
                progress=ProgressBar(self.stdout),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if result.skills_skipped:
            self.stdout.write(
                "The skills table is empty (load the taxonomy first): people were seeded without skills."
            )
        if result.numbers_taken:
            self.stdout.write(
                f"{result.numbers_taken} phone numbers or documents already in use were left out."
            )
        self.stdout.write(
            f"Seeded {result.people} people in {result.seconds:.1f} s ({result.rate:.0f} people/s)",
            style_func=self.style.SUCCESS,
        )

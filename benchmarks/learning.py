"""Learning benchmark: the cohort progress grid page, completion for every learner, and a lesson page's weight.

    python benchmarks/learning.py                                   # 5,000 learners, 40 modules, 2,000,000 events
    python benchmarks/learning.py --database-url postgres://postgres@127.0.0.1:5432/maharat_bench_learning
    python benchmarks/learning.py --learners 500 --events 200000    # a quick look

It (re)creates the PostgreSQL database named in the URL (default ``maharat_bench_learning``), migrates it, and
builds one course of 40 modules (lessons, quizzes, workshops), N learners enrolled in it, and their progress
events, quiz attempts and attendance, loaded with COPY. Then it times, through the Django test client and the
real views, the progress grid page (one page of learners, with the counts over every learner) as the course's
provider; computes completion for every learner; and weighs a lesson page as a learner. An anchor measured in
the same run (a ``SELECT 1`` round trip and the public certificate-verification form, a page with no query)
lets readers compare figures across machines. Nothing is asserted. Importing this module does nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/maharat_bench_learning"
GRID_P95_TARGET_MS = 300.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_URL, help="PostgreSQL database to (re)create and use"
    )
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=40, help="grid page requests to time")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the database in place afterwards")
    return parser.parse_args(argv)


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Milliseconds per call."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def fresh_database(url: str) -> str:
    """Drop and create the database of the URL, and point Django at it."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "maharat_bench_learning"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["MAHARAT_VAR_DIR"] = tempfile.mkdtemp(prefix="maharat-bench-learning-")
    return name


def drop_database(url: str, name: str) -> None:
    """Remove the benchmark database."""
    import psycopg
    from django.db import connections

    connections.close_all()
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class EventLog:
    """One learner's events written to the COPY stream, spread evenly over the last 100 days."""

    def __init__(self, copy: Any, enrolment_id: int, start: dt.datetime, budget: int) -> None:
        self.copy, self.enrolment_id, self.at, self.budget = copy, enrolment_id, start, budget
        self.step = dt.timedelta(minutes=max(1, (100 * 24 * 60) // max(budget, 1)))
        self.serial = 0

    def write(self, module_id: int, verb: str, progress: int | None) -> None:
        """One event row, with a client event id unique for the learner."""
        self.serial += 1
        self.budget -= 1
        self.at += self.step
        row = (self.enrolment_id, module_id, verb, progress, 30, f"b{self.serial}", self.at, self.at)
        self.copy.write_row(row)


def build(args: argparse.Namespace) -> dict[str, Any]:
    """The course, its provider and trainer, the learners, their events, attempts and attendance."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from maharat.core.roles import Role
    from maharat.learning.choices import DeliveryMode, EnrolmentSource, EnrolmentStatus, ModuleKind, Track
    from maharat.learning.models import Attendance, Course, CourseEnrolment, Module, QuizAttempt
    from maharat.people.models import Membership, Organization, Person
    from maharat.people.seeding import seed_people

    rng = random.Random(args.seed)
    now = timezone.now()
    started = time.perf_counter()
    seed_people(people=args.learners, seed=args.seed, organizations=2, with_skills=False, jobs=1)
    provider = Organization.objects.create(
        kind="training_provider", slug="bench-academy", label_en="Bench Academy", label_ar="أكاديمية"
    )
    trainer = get_user_model().objects.create_user(username="bench-trainer", password="x-bench-only-x")
    Membership.objects.create(user=trainer, organization=provider, role=Role.TRAINING_PROVIDER)
    course = Course.objects.create(
        provider=provider,
        label_en="Digital skills at scale",
        label_ar="المهارات الرقمية",
        track=Track.DIGITAL_LITERACY,
        delivery_mode=DeliveryMode.BLENDED,
        self_enrolment=True,
        published=True,
        published_at=now,
        attendance_share=50,
    )
    kinds = []
    for position in range(1, args.modules + 1):
        if position % 10 == 0:
            kinds.append(ModuleKind.WORKSHOP)
        elif position % 5 == 0:
            kinds.append(ModuleKind.QUIZ)
        else:
            kinds.append(ModuleKind.LESSON)
    body = "## Lesson\n\n" + "Read this paragraph about sending e-mail and using a browser safely. " * 12
    modules = Module.objects.bulk_create(
        Module(
            course=course,
            position=i,
            kind=kind,
            label_en=f"Module {i}",
            label_ar=f"الوحدة {i}",
            body_en=body if kind == ModuleKind.LESSON else "",
            starts_at=now - dt.timedelta(days=args.modules - i) if kind == ModuleKind.WORKSHOP else None,
            meeting_url="https://meet.example.org/x" if kind == ModuleKind.WORKSHOP else "",
            pass_mark=60,
        )
        for i, kind in enumerate(kinds, start=1)
    )
    for before, after in zip(modules, modules[1:], strict=False):
        if after.kind == ModuleKind.QUIZ:
            after.prerequisites.add(before)
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True)[: args.learners])
    enrolments = CourseEnrolment.objects.bulk_create(
        (
            CourseEnrolment(
                person_id=pid,
                course=course,
                source=EnrolmentSource.SELF,
                status=EnrolmentStatus.ACTIVE,
                status_changed_at=now - dt.timedelta(days=120),
            )
            for pid in people
        ),
        batch_size=2000,
    )
    learner_person = people[0]
    per_learner = args.events // max(len(enrolments), 1)
    attempts: list[QuizAttempt] = []
    marks: list[Attendance] = []
    event_count = 0
    # Reach: how far each learner got, skewed so the cohort spreads along the course.
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY learning_progressevent (enrolment_id, module_id, verb, progress, seconds, client_event_id, at, "
            "recorded_at) FROM STDIN"
        ) as copy,
    ):
        for enrolment in enrolments:
            reach = min(len(modules), int(len(modules) * rng.random() ** 0.7) + 1)
            reached = modules[:reach]
            lessons = [m for m in reached if m.kind == ModuleKind.LESSON]
            log = EventLog(copy, enrolment.pk, now - dt.timedelta(days=100), per_learner)
            for module in reached:
                if log.budget <= 0:
                    break
                if module.kind == ModuleKind.LESSON:
                    log.write(module.pk, "started", None)
                elif module.kind == ModuleKind.QUIZ:
                    passed = rng.random() < 0.8
                    tries = 1 if passed and rng.random() < 0.7 else rng.randint(1, 3)
                    for number in range(1, tries + 1):
                        ok = passed and number == tries
                        attempts.append(
                            QuizAttempt(
                                enrolment=enrolment,
                                module=module,
                                number=number,
                                submission_id=f"s{module.pk}-{number}",
                                answers={},
                                score=80 if ok else 40,
                                passed=ok,
                                submitted_at=log.at,
                            )
                        )
                        log.write(module.pk, "passed" if ok else "failed", None)
                else:
                    present = rng.random() < 0.75
                    marks.append(Attendance(module=module, enrolment=enrolment, present=present))
                    if present:
                        log.write(module.pk, "attended", None)
            # The rest of the learner's events: progress through lessons, the last reached one left unfinished.
            while log.budget > len(lessons) and lessons:
                module = rng.choice(lessons)
                log.write(module.pk, "progressed", rng.randint(1, 99))
            for module in lessons[:-1] if reach < len(modules) else lessons:
                if log.budget <= 0:
                    break
                log.write(module.pk, "completed", 100)
            event_count += log.serial
    QuizAttempt.objects.bulk_create(attempts, batch_size=5000)
    Attendance.objects.bulk_create(marks, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return {
        "course": course,
        "trainer": trainer,
        "lesson": next(m for m in modules if m.kind == ModuleKind.LESSON),
        "learner_person": learner_person,
        "events": event_count,
        "attempts": len(attempts),
        "marks": len(marks),
        "build_s": time.perf_counter() - started,
    }


def measure(args: argparse.Namespace, data: dict[str, Any]) -> None:
    """Time the anchor, the grid page, completion for all and weigh the lesson page; print the figures."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from maharat.core.testing import PAGE_BUDGET, page_weight
    from maharat.learning import progress
    from maharat.learning.models import CourseEnrolment
    from maharat.learning.views_staff import GRID_PAGE_SIZE
    from maharat.people.models import Person

    course = data["course"]
    rng = random.Random(args.seed)

    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    anchor_client = Client()
    verify_url = reverse("learning:verify")
    anchor_client.get(verify_url)
    select_ms = timed(select_one, 200)
    bare_ms = timed(lambda: anchor_client.get(verify_url), args.requests)

    trainer = Client()
    trainer.force_login(data["trainer"])
    grid_url = reverse("learning:progress_grid", args=[course.pk])
    pages = max((args.learners + GRID_PAGE_SIZE - 1) // GRID_PAGE_SIZE, 1)
    first = trainer.get(grid_url)
    assert_ok(first.status_code, grid_url)
    grid_ms = timed(lambda: trainer.get(grid_url, {"page": rng.randint(1, pages)}), args.requests)

    everyone = CourseEnrolment.objects.filter(course=course)
    modules = progress.course_modules(course)
    summary_ms = timed(lambda: progress.grid_summary(modules, everyone), 10)

    def completion_for_all() -> int:
        states = progress.module_states(everyone)
        return sum(
            1
            for pk in everyone.values_list("pk", flat=True)
            if progress.completion(course, modules, states, pk).complete
        )

    start = time.perf_counter()
    complete = completion_for_all()
    completion_s = time.perf_counter() - start

    user = get_user_model().objects.create_user(username="bench-learner", password="x-bench-only-x")
    Person.objects.filter(pk=data["learner_person"]).update(user=user)
    learner = Client()
    learner.force_login(user)
    lesson_url = reverse("learning:module_detail", args=[data["lesson"].pk])
    weight = page_weight(learner, lesson_url)

    print(
        f"\nPostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"Built in {data['build_s']:.0f} s: 1 course × {len(modules)} modules, {args.learners:,} learners, "
        f"{data['events']:,} progress events, {data['attempts']:,} quiz attempts, {data['marks']:,} attendance marks"
    )
    print("\nAnchor (same run)")
    print(
        f"  SELECT 1 round trip          p50 {statistics.median(select_ms):7.2f} ms  p95 {percentile(select_ms, 0.95):7.2f} ms"
    )
    print(
        f"  verify form (no query), page p50 {statistics.median(bare_ms):7.2f} ms  p95 {percentile(bare_ms, 0.95):7.2f} ms"
    )
    print(
        f"\nProgress grid page ({GRID_PAGE_SIZE} learners a page of {pages}; counts over all {args.learners:,})"
    )
    print(
        f"  page via test client         p50 {statistics.median(grid_ms):7.1f} ms  p95 {percentile(grid_ms, 0.95):7.1f} ms"
        f"  (target p95 < {GRID_P95_TARGET_MS:.0f} ms)"
    )
    print(f"  of which the counts          p50 {statistics.median(summary_ms):7.1f} ms")
    print(f"\nCompletion for all {args.learners:,} learners: {completion_s:.2f} s ({complete:,} complete)")
    print(f"Lesson page weight: {weight:,} bytes (budget {PAGE_BUDGET:,})")


def assert_ok(status: int, url: str) -> None:
    """Stop early with a readable message when a page does not answer 200."""
    if status != 200:
        raise SystemExit(f"{url} answered {status}")


def main(argv: list[str] | None = None) -> int:
    """Build, measure, print, clean up."""
    args = parse_args(argv)
    name = fresh_database(args.database_url)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    try:
        call_command("migrate", verbosity=0)
        print(f"Building in {name}…", flush=True)
        data = build(args)
        measure(args, data)
    finally:
        if not args.keep:
            drop_database(args.database_url, name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

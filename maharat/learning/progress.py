"""Reading progress: each learner's state per module from aggregate queries, completion rules, resume point.

The state of every (learner, module) pair comes from three grouped queries (progress events, quiz
attempts, attendance) whatever the number of learners, so the progress grid and completion checks cost
the same few queries for one learner or five thousand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum

from maharat.learning.choices import SESSION_KINDS, ModuleKind, Verb
from maharat.learning.models import Attendance, Course, CourseEnrolment, Module, ProgressEvent, QuizAttempt


@dataclass
class ModuleState:
    """What one learner has done with one module."""

    started: bool = False
    completed: bool = False
    passed: bool = False
    failed: bool = False
    attempts: int = 0
    best_score: int | None = None
    attended: bool | None = None
    seconds: int = 0
    last_at: dt.datetime | None = None

    def done(self, kind: str) -> bool:
        """Lessons and videos are done when completed, quizzes and graded assignments when passed, sessions when attended."""
        if kind in (ModuleKind.QUIZ, ModuleKind.ASSIGNMENT):
            return self.passed
        if kind in SESSION_KINDS:
            return bool(self.attended)
        return self.completed

    def mark(self, kind: str) -> str:
        """A short code for the progress grid: done, failed, absent, started or empty."""
        if self.done(kind):
            return "done"
        if (kind == ModuleKind.QUIZ and self.attempts) or (kind == ModuleKind.ASSIGNMENT and self.failed):
            return "failed"
        if kind in SESSION_KINDS and self.attended is False:
            return "absent"
        return "started" if self.started or self.seconds else ""


States = dict[tuple[int, int], ModuleState]


def module_states(enrolments: QuerySet[CourseEnrolment]) -> States:
    """The state of every (enrolment, module) pair of the enrolments, in three grouped queries."""
    states: States = defaultdict(ModuleState)
    events = (
        ProgressEvent.objects.filter(enrolment__in=enrolments.values("pk"))
        .values("enrolment_id", "module_id")
        .annotate(
            n_started=Count("pk", filter=Q(verb__in=[Verb.STARTED, Verb.PROGRESSED])),
            n_completed=Count("pk", filter=Q(verb=Verb.COMPLETED)),
            n_passed=Count("pk", filter=Q(verb=Verb.PASSED)),
            n_failed=Count("pk", filter=Q(verb=Verb.FAILED)),
            seconds=Sum("seconds"),
            last_at=Max("at"),
        )
    )
    for row in events:
        state = states[(row["enrolment_id"], row["module_id"])]
        state.started = row["n_started"] > 0
        state.completed = row["n_completed"] > 0
        state.passed = (
            row["n_passed"] > 0
        )  # a graded assignment (quizzes are settled by their attempts below)
        state.failed = row["n_failed"] > 0
        state.seconds = row["seconds"] or 0
        state.last_at = row["last_at"]
    attempts = (
        QuizAttempt.objects.filter(enrolment__in=enrolments.values("pk"))
        .values("enrolment_id", "module_id")
        .annotate(n=Count("pk"), n_passed=Count("pk", filter=Q(passed=True)), best=Max("score"))
    )
    for quiz in attempts:
        state = states[(quiz["enrolment_id"], quiz["module_id"])]
        state.attempts = quiz["n"]
        state.passed = quiz["n_passed"] > 0
        state.best_score = quiz["best"]
    marks = Attendance.objects.filter(enrolment__in=enrolments.values("pk")).values_list(
        "enrolment_id", "module_id", "present"
    )
    for enrolment_id, module_id, present in marks:
        states[(enrolment_id, module_id)].attended = present
    return states


def course_modules(course: Course) -> list[Module]:
    """The course's modules in order, each with ``prerequisite_ids`` filled in (two queries)."""
    modules = list(Module.objects.filter(course=course).order_by("position", "pk"))
    links = Module.prerequisites.through.objects.filter(from_module__course=course).values_list(
        "from_module_id", "to_module_id"
    )
    needs: dict[int, list[int]] = defaultdict(list)
    for module_id, prerequisite_id in links:
        needs[module_id].append(prerequisite_id)
    for module in modules:
        module.prerequisite_ids = needs.get(module.pk, [])  # type: ignore[attr-defined]
    return modules


def _state(states: States, enrolment_id: int, module_id: int) -> ModuleState:
    return states.get((enrolment_id, module_id)) or ModuleState()


def locked(module: Module, modules: Sequence[Module], states: States, enrolment_id: int) -> bool:
    """Whether a prerequisite of the module is not yet done by the learner."""
    kinds = {m.pk: m.kind for m in modules}
    prerequisite_ids: Iterable[int] = getattr(
        module, "prerequisite_ids", None
    ) or module.prerequisites.values_list("pk", flat=True)
    return any(not _state(states, enrolment_id, pk).done(kinds[pk]) for pk in prerequisite_ids if pk in kinds)


@dataclass
class Completion:
    """Whether a learner meets the course's completion rules, and what is still missing."""

    complete: bool
    missing: list[Module] = field(default_factory=list)
    sessions_attended: int = 0
    sessions_total: int = 0
    attendance_share_needed: int = 0

    @property
    def attendance_ok(self) -> bool:
        """Attended at least the required share of workshops and sessions (trivially true without any)."""
        if not self.sessions_total:
            return True
        return self.sessions_attended * 100 >= self.attendance_share_needed * self.sessions_total


def completion(course: Course, modules: Sequence[Module], states: States, enrolment_id: int) -> Completion:
    """Every required lesson, video and assignment completed, every required quiz passed, enough attendance."""
    missing = [
        m
        for m in modules
        if m.required and m.kind not in SESSION_KINDS and not _state(states, enrolment_id, m.pk).done(m.kind)
    ]
    sessions = [m for m in modules if m.kind in SESSION_KINDS]
    attended = sum(1 for m in sessions if _state(states, enrolment_id, m.pk).attended)
    result = Completion(
        complete=False,
        missing=missing,
        sessions_attended=attended,
        sessions_total=len(sessions),
        attendance_share_needed=course.attendance_share,
    )
    result.complete = bool(modules) and not missing and result.attendance_ok
    return result


def resume_module(modules: Sequence[Module], states: States, enrolment_id: int) -> Module | None:
    """Where the learner picks up: the first module, in order, that is open to them and not yet done."""
    for module in modules:
        if not _state(states, enrolment_id, module.pk).done(module.kind) and not locked(
            module, modules, states, enrolment_id
        ):
            return module
    return None


@dataclass
class GridRow:
    """One learner's line of the progress grid."""

    enrolment: CourseEnrolment
    marks: list[str]
    done: int
    last_at: dt.datetime | None


def progress_grid(
    course: Course,
    enrolments: QuerySet[CourseEnrolment],
    *,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[Module], list[GridRow]]:
    """The modules × learners grid of a course for the given enrolments (or one page of them), in a few queries."""
    modules = course_modules(course)
    enrolments = enrolments.exclude(status="withdrawn").select_related("person", "cohort").order_by("pk")
    if limit is not None:
        # One page: only its learners' events are grouped, so a page costs the same for 50 or 5,000 learners.
        page = list(enrolments[offset : offset + limit])
        states = module_states(CourseEnrolment.objects.filter(pk__in=[e.pk for e in page]))
    else:
        page = list(enrolments)
        states = module_states(enrolments)
    rows = []
    for enrolment in page:
        cells = [_state(states, enrolment.pk, m.pk) for m in modules]
        marks = [cell.mark(m.kind) for cell, m in zip(cells, modules, strict=True)]
        seen = [c.last_at for c in cells if c.last_at is not None]
        rows.append(GridRow(enrolment, marks, marks.count("done"), max(seen) if seen else None))
    return modules, rows


@dataclass
class GridSummary:
    """Counts over every learner of the grid, whichever page is shown."""

    by_status: dict[str, int]
    done_per_module: dict[int, int]

    @property
    def learners(self) -> int:
        """Learners in the grid (withdrawn ones are left out)."""
        return sum(self.by_status.values())


def _done_verb(kind: str) -> str | None:
    """The event verb that makes a module of this kind done (None for sessions, settled by attendance)."""
    if kind in SESSION_KINDS:
        return None
    return Verb.PASSED if ModuleState(passed=True).done(kind) else Verb.COMPLETED


def grid_summary(modules: Sequence[Module], enrolments: QuerySet[CourseEnrolment]) -> GridSummary:
    """Learners by status and, per module, how many have it done, in three grouped queries over all learners.

    It follows ``ModuleState.done``: quizzes (and graded work) count when a "passed" event exists, which is
    written with every passing attempt; lessons when "completed"; sessions when marked present.
    """
    enrolments = enrolments.exclude(status="withdrawn")
    by_status = dict(enrolments.order_by().values_list("status").annotate(n=Count("pk")))
    ids = enrolments.values("pk")
    module_ids = [m.pk for m in modules]
    counted = (
        ProgressEvent.objects.filter(
            enrolment__in=ids, module_id__in=module_ids, verb__in=[Verb.COMPLETED, Verb.PASSED]
        )
        .order_by()
        .values_list("module_id", "verb")
        .annotate(n=Count("enrolment_id", distinct=True))
    )
    postgres = connection.vendor == "postgresql"
    with transaction.atomic() if postgres else contextlib.nullcontext():
        if postgres:
            # Counting distinct learners sorts one row per learner and module done (about 100,000 for 5,000
            # learners); the default 4 MB spills that sort to disk and doubles the time.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '32MB'")
        by_verb = {(module_id, verb): n for module_id, verb, n in counted}
    present = dict(
        Attendance.objects.filter(enrolment__in=ids, module_id__in=module_ids, present=True)
        .order_by()
        .values_list("module_id")
        .annotate(n=Count("pk"))
    )
    done: dict[int, int] = {}
    for module in modules:
        verb = _done_verb(module.kind)
        done[module.pk] = present.get(module.pk, 0) if verb is None else by_verb.get((module.pk, verb), 0)
    return GridSummary(by_status=by_status, done_per_module=done)

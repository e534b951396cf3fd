"""Staff reports of a course: learners who need help, quiz item statistics, workshop attendance, export tables.

Each report reads the enrolments the caller may see (``access.visible_enrolments``) with a fixed number of
grouped queries, whatever the number of learners or events.

Who needs help, for a chosen number of days N:

- **inactive**: an active learner with no progress event for N days (or none at all since enrolling N days ago);
- **out of attempts**: a quiz used all its attempts without being passed;
- **blocked**: a required module whose prerequisite can no longer be done by the learner (a quiz out of
  attempts, or a workshop or session they were marked absent from);
- **stalled**: a lesson, video, assignment or quiz opened more than N days ago and still not done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maharat.learning import progress
from maharat.learning.choices import SEAT_HOLDING, SESSION_KINDS, EnrolmentStatus, ModuleKind
from maharat.learning.models import (
    Choice,
    Course,
    CourseEnrolment,
    Module,
    ProgressEvent,
    Question,
    QuizAnswer,
)

DEFAULT_DAYS = 14
MAX_DAYS = 365


def parse_days(raw: str | None) -> int:
    """The number of days typed on the page, kept between 1 and a year (the default when unreadable)."""
    try:
        days = int(raw or DEFAULT_DAYS)
    except ValueError:
        return DEFAULT_DAYS
    return min(max(days, 1), MAX_DAYS)


# Learners who need help -----------------------------------------------------------------------------------


@dataclass
class HelpRow:
    """An active learner who is inactive or stuck, with the reasons in words."""

    enrolment: CourseEnrolment
    last_at: dt.datetime | None
    inactive: bool = False
    reasons: list[str] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)


def _dead_end(module: Module, state: progress.ModuleState) -> bool:
    """Whether the learner can no longer do the module: a quiz out of attempts or a session missed."""
    if module.kind == ModuleKind.QUIZ:
        return not state.passed and state.attempts >= module.attempts_allowed
    if module.kind in SESSION_KINDS:
        return state.attended is False
    return False


def learners_needing_help(
    course: Course, enrolments: QuerySet[CourseEnrolment], *, days: int, now: dt.datetime | None = None
) -> list[HelpRow]:
    """Active learners who are inactive for ``days`` days or stuck, most long-silent first (seven queries)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    modules = progress.course_modules(course)
    by_id = {m.pk: m for m in modules}
    active = enrolments.filter(status=EnrolmentStatus.ACTIVE)
    states = progress.module_states(active)
    first_seen = {
        (row["enrolment_id"], row["module_id"]): row["first"]
        for row in ProgressEvent.objects.filter(enrolment__in=active.values("pk"))
        .values("enrolment_id", "module_id")
        .annotate(first=Min("at"))
    }
    rows: list[HelpRow] = []
    for enrolment in active.select_related("person", "cohort").order_by("pk"):
        cells = {m.pk: states.get((enrolment.pk, m.pk)) or progress.ModuleState() for m in modules}
        seen = [c.last_at for c in cells.values() if c.last_at is not None]
        row = HelpRow(enrolment, max(seen) if seen else None)
        if (row.last_at or enrolment.status_changed_at) < cutoff:
            row.inactive = True
            row.codes.add("inactive")
            row.reasons.append(_("No activity for %(days)s days or more.") % {"days": days})
        dead = {pk for pk, m in by_id.items() if _dead_end(m, cells[pk])}
        for module in modules:
            state = cells[module.pk]
            if module.pk in dead and module.kind == ModuleKind.QUIZ:
                row.codes.add("quiz")
                row.reasons.append(
                    _("Used every attempt at the quiz “%(module)s”.") % {"module": module.label}
                )
                continue
            if state.done(module.kind) or module.pk in dead:
                continue
            blockers = [by_id[p] for p in getattr(module, "prerequisite_ids", []) if p in dead]
            if module.required and blockers:
                row.codes.add("blocked")
                row.reasons.append(
                    _("Cannot open “%(module)s” because of “%(blocker)s”.")
                    % {"module": module.label, "blocker": blockers[0].label}
                )
                continue
            opened = first_seen.get((enrolment.pk, module.pk))
            if module.kind not in SESSION_KINDS and opened is not None and opened < cutoff:
                row.codes.add("stalled")
                row.reasons.append(
                    _("Opened “%(module)s” on %(date)s and has not finished it.")
                    % {"module": module.label, "date": timezone.localdate(opened).isoformat()}
                )
        if row.codes:
            rows.append(row)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: (r.last_at or epoch, r.enrolment.pk))
    return rows


# Quiz item statistics -------------------------------------------------------------------------------------


@dataclass
class ItemStat:
    """How one quiz question fared: answers, share right and the wrong choice picked most."""

    question: Question
    attempts: int
    correct: int
    wrong_choice: Choice | None = None
    wrong_count: int = 0

    @property
    def share_correct(self) -> int | None:
        """Whole percent of attempts that answered the question right (None before any attempt)."""
        return round(100 * self.correct / self.attempts) if self.attempts else None


def quiz_item_stats(course: Course, enrolments: QuerySet[CourseEnrolment]) -> list[ItemStat]:
    """Every quiz question of the course, those answered right least often first (four queries)."""
    answers = QuizAnswer.objects.filter(
        attempt__enrolment__in=enrolments.values("pk"), question__module__course=course
    )
    totals: dict[int, dict[str, Any]] = {
        row["question_id"]: dict(row)
        for row in answers.values("question_id").annotate(
            attempts=Count("attempt_id", distinct=True),
            correct=Count("attempt_id", distinct=True, filter=Q(question_correct=True)),
        )
    }
    wrong: dict[int, tuple[int, int]] = {}
    for row in (
        answers.filter(choice__correct=False)
        .values("question_id", "choice_id")
        .annotate(n=Count("pk"))
        .order_by("question_id", "-n", "choice_id")
    ):
        wrong.setdefault(row["question_id"], (row["choice_id"], row["n"]))
    choices = Choice.objects.in_bulk([choice_id for choice_id, _n in wrong.values()])
    stats = []
    for question in Question.objects.filter(module__course=course).select_related("module"):
        total = totals.get(question.pk, {})
        choice_id, n_wrong = wrong.get(question.pk, (0, 0))
        stats.append(
            ItemStat(
                question=question,
                attempts=total.get("attempts", 0),
                correct=total.get("correct", 0),
                wrong_choice=choices.get(choice_id),
                wrong_count=n_wrong,
            )
        )
    stats.sort(
        key=lambda s: (
            s.share_correct is None,
            s.share_correct if s.share_correct is not None else 0,
            -s.attempts,
            s.question.module.position,
            s.question.position,
            s.question.pk,
        )
    )
    return stats


# Workshop attendance --------------------------------------------------------------------------------------


@dataclass
class SessionRow:
    """One workshop or session: seats booked (or learners expected), present, absent and not yet marked."""

    module: Module
    booked: int
    present: int
    absent: int

    @property
    def unmarked(self) -> int:
        """Expected learners the trainer has not marked either way."""
        return max(self.booked - self.present - self.absent, 0)


@dataclass
class LearnerAttendance:
    """How many of the sessions held so far a learner attended."""

    enrolment: CourseEnrolment
    present: int
    absent: int
    held: int

    @property
    def share(self) -> int | None:
        """Whole percent of held sessions attended (None while none was held)."""
        return round(100 * self.present / self.held) if self.held else None


def attendance_summary(
    course: Course, enrolments: QuerySet[CourseEnrolment], *, now: dt.datetime | None = None
) -> tuple[list[SessionRow], list[LearnerAttendance]]:
    """Per session and per learner attendance of the course's visible learners (three queries)."""
    now = now or timezone.now()
    seated = enrolments.filter(status__in=SEAT_HOLDING)
    n_seated = seated.count()
    mine = Q(attendance__enrolment__in=seated.values("pk"))
    sessions = (
        Module.objects.filter(course=course, kind__in=list(SESSION_KINDS))
        .annotate(
            n_present=Count("attendance", filter=mine & Q(attendance__present=True), distinct=True),
            n_absent=Count("attendance", filter=mine & Q(attendance__present=False), distinct=True),
            n_booked=Count("bookings", filter=Q(bookings__enrolment__in=seated.values("pk")), distinct=True),
        )
        .order_by("starts_at", "position", "pk")
    )
    session_rows = [
        SessionRow(
            module=m,
            booked=m.n_booked if m.capacity else n_seated,  # type: ignore[attr-defined]
            present=m.n_present,  # type: ignore[attr-defined]
            absent=m.n_absent,  # type: ignore[attr-defined]
        )
        for m in sessions
    ]
    held = sum(1 for row in session_rows if row.module.starts_at and row.module.starts_at <= now)
    session_ids = [row.module.pk for row in session_rows]
    in_sessions = Q(attendance__module_id__in=session_ids)
    learners = (
        seated.select_related("person", "cohort")
        .annotate(
            n_present=Count("attendance", filter=in_sessions & Q(attendance__present=True)),
            n_absent=Count("attendance", filter=in_sessions & Q(attendance__present=False)),
        )
        .order_by("pk")
    )
    learner_rows = [
        LearnerAttendance(e, e.n_present, e.n_absent, held)  # type: ignore[attr-defined]
        for e in learners
    ]
    learner_rows.sort(key=lambda r: (r.share if r.share is not None else 101, r.enrolment.pk))
    return session_rows, learner_rows


# Export tables --------------------------------------------------------------------------------------------


Table = list[list[Any]]


def _learner_cells(enrolment: CourseEnrolment) -> list[Any]:
    cohort = enrolment.cohort.label if enrolment.cohort_id and enrolment.cohort else ""
    return [enrolment.pk, enrolment.person.display_name, cohort, enrolment.get_status_display()]


def _learner_header() -> list[str]:
    return [_("Enrolment"), _("Learner"), _("Programme cohort"), _("Status")]


def grid_table(course: Course, enrolments: QuerySet[CourseEnrolment]) -> Table:
    """The progress grid with one column per module: done, failed, absent, started or empty."""
    modules, rows = progress.progress_grid(course, enrolments)
    labels = {
        "done": _("done"),
        "failed": _("failed"),
        "absent": _("absent"),
        "started": _("started"),
        "": "",
    }
    header = [*_learner_header(), *(f"{i}. {m.label}" for i, m in enumerate(modules, 1))]
    table: Table = [[*header, _("Done"), _("Last activity")]]
    for row in rows:
        last = timezone.localtime(row.last_at).strftime("%Y-%m-%d %H:%M") if row.last_at else ""
        table.append([*_learner_cells(row.enrolment), *(str(labels[m]) for m in row.marks), row.done, last])
    return table


def help_table(rows: list[HelpRow]) -> Table:
    """Learners who need help, with their last activity and reasons."""
    table: Table = [[*_learner_header(), _("Last activity"), _("Reasons")]]
    for row in rows:
        last = timezone.localtime(row.last_at).strftime("%Y-%m-%d") if row.last_at else ""
        table.append([*_learner_cells(row.enrolment), last, " ".join(row.reasons)])
    return table


def quiz_table(stats: list[ItemStat]) -> Table:
    """Quiz item statistics, hardest first."""
    table: Table = [
        [
            _("Quiz"),
            _("Question"),
            _("Answers"),
            _("Answered right (%)"),
            _("Wrong answer chosen most"),
            _("Times"),
        ]
    ]
    for stat in stats:
        table.append(
            [
                stat.question.module.label,
                stat.question.text,
                stat.attempts,
                "" if stat.share_correct is None else stat.share_correct,
                stat.wrong_choice.label if stat.wrong_choice else "",
                stat.wrong_count,
            ]
        )
    return table


def attendance_table(sessions: list[SessionRow], learners: list[LearnerAttendance]) -> Table:
    """Sessions (booked, present, absent, not marked), a blank line, then learners and their attendance share."""
    table: Table = [
        [_("Session"), _("Starts"), _("Booked or expected"), _("Present"), _("Absent"), _("Not marked")]
    ]
    for row in sessions:
        starts = (
            timezone.localtime(row.module.starts_at).strftime("%Y-%m-%d %H:%M")
            if row.module.starts_at
            else ""
        )
        table.append([row.module.label, starts, row.booked, row.present, row.absent, row.unmarked])
    table.append([])
    table.append([*_learner_header(), _("Present"), _("Absent"), _("Sessions held"), _("Attendance (%)")])
    for learner in learners:
        share = "" if learner.share is None else learner.share
        table.append(
            [*_learner_cells(learner.enrolment), learner.present, learner.absent, learner.held, share]
        )
    return table

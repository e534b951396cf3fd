"""API of learning at /api/v1/learning/: the catalogue, a learner's own enrolments and xAPI-like statements,
certificate verification, and a course's progress grid for its staff. The same rules as the pages (access.py).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from maharat.core.errors import DomainError
from maharat.learning import access, progress, services
from maharat.learning.choices import XAPI_VERBS, EnrolmentStatus, Verb
from maharat.learning.models import Certificate, Course, CourseEnrolment, Module
from maharat.people.models import Person

router = Router(tags=["learning"])
DURATION = re.compile(r"^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$")
MODULE_ID = re.compile(r"(\d+)/?$")
VERBS_BY_IRI = {iri: verb for verb, iri in XAPI_VERBS.items()}
PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"


class CourseOut(Schema):
    """A published course as anyone signed in may read it."""

    id: int
    label_en: str
    label_ar: str
    description_en: str
    description_ar: str
    provider: str = Field(..., description="Slug of the training provider")
    track: str
    level: int
    delivery_mode: str
    duration_hours: int
    self_enrolment: bool
    capacity: int | None


class ModuleOut(Schema):
    """One module of a course, in order, with the modules it builds on."""

    id: int
    position: int
    kind: str
    label_en: str
    label_ar: str
    required: bool
    prerequisites: list[int]
    starts_at: dt.datetime | None
    duration_minutes: int | None
    deadline: dt.datetime | None


class EnrolmentOut(Schema):
    """A learner's own enrolment and how far they are."""

    id: int
    course: int
    status: str
    source: str
    done: int = Field(..., description="Modules done (completed, passed or attended)")
    total: int
    resume_module: int | None = Field(None, description="The module to pick up at")
    completed_at: dt.datetime | None
    certificate: str | None = Field(None, description="Verification code of the certificate")


class VerbIn(Schema):
    """The xAPI verb: its IRI (``http://adlnet.gov/expapi/verbs/completed``) or its short name."""

    id: str


class ObjectIn(Schema):
    """The module acted on: ``https://…/modules/<id>`` or the bare id."""

    id: str


class ResultIn(Schema):
    """Time spent (ISO 8601 duration such as ``PT90S``) and progress through the cmi5 extension."""

    duration: str | None = None
    extensions: dict[str, Any] = Field(default_factory=dict)


class StatementIn(Schema):
    """An xAPI-like statement from an app or offline package; its id makes a resend harmless."""

    id: uuid.UUID
    verb: VerbIn
    object: ObjectIn
    result: ResultIn | None = None
    timestamp: dt.datetime | None = None


class StatementOut(Schema):
    """Whether the statement was stored now or had been before, and where the enrolment stands."""

    id: uuid.UUID
    stored: bool
    module: int
    verb: str
    enrolment_status: str


class CertificateOut(Schema):
    """What the public verification shows: the holder's name and the course, nothing else."""

    code: str
    holder: str
    course_en: str
    course_ar: str
    provider: str
    issued_at: dt.datetime


class GridModule(Schema):
    """A column of the grid, with how many of all the learners have it done."""

    id: int
    kind: str
    label_en: str
    label_ar: str
    done: int


class GridRowOut(Schema):
    """One learner's line: no names, the person's public id."""

    enrolment: int
    person: uuid.UUID
    cohort: int | None
    status: str
    marks: list[str] = Field(..., description="Per module: done, failed, absent, started or empty")
    done: int
    last_at: dt.datetime | None


class GridOut(Schema):
    """One page of the progress grid, counts over every learner, and the cursor of the next page."""

    modules: list[GridModule]
    by_status: dict[str, int]
    results: list[GridRowOut]
    next: int | None


def _course_or_404(course_id: int) -> Course:
    course = Course.objects.select_related("provider").filter(pk=course_id).first()
    if course is None:
        raise HttpError(404, _("Not found."))
    return course


def _course_out(course: Course) -> dict[str, Any]:
    return {
        **{name: getattr(course, name) for name in CourseOut.model_fields if name != "provider"},
        "provider": course.provider.slug,
    }


def _own_person(request: HttpRequest) -> Person:
    user = request.user
    person = Person.objects.active().filter(user=user).first() if user.is_authenticated else None
    if person is None:
        raise HttpError(403, _("Only registered learners can do this."))
    return person


def _raise_400(exc: DomainError) -> HttpError:
    return HttpError(400, " ".join(str(m) for m in exc.messages))


def _enrolments_out(enrolments: list[CourseEnrolment]) -> list[dict[str, Any]]:
    states = progress.module_states(CourseEnrolment.objects.filter(pk__in=[e.pk for e in enrolments]))
    modules_of: dict[int, list[Module]] = {}
    out = []
    for enrolment in enrolments:
        if enrolment.course_id not in modules_of:
            modules_of[enrolment.course_id] = progress.course_modules(enrolment.course)
        modules = modules_of[enrolment.course_id]
        done = sum(
            1 for m in modules if states.get((enrolment.pk, m.pk), progress.ModuleState()).done(m.kind)
        )
        resume = (
            progress.resume_module(modules, states, enrolment.pk)
            if enrolment.status == EnrolmentStatus.ACTIVE
            else None
        )
        certificate = getattr(enrolment, "certificate", None)
        out.append(
            {
                "id": enrolment.pk,
                "course": enrolment.course_id,
                "status": enrolment.status,
                "source": enrolment.source,
                "done": done,
                "total": len(modules),
                "resume_module": resume.pk if resume else None,
                "completed_at": enrolment.completed_at,
                "certificate": certificate.display_code if certificate else None,
            }
        )
    return out


@router.get("/courses", response=list[CourseOut], summary="Published courses")
def list_courses(request: HttpRequest) -> list[dict[str, Any]]:
    """Every published course, by track and title."""
    courses = (
        Course.objects.filter(published=True).select_related("provider").order_by("track", "label_en", "pk")
    )
    return [_course_out(course) for course in courses]


@router.get("/courses/{course_id}/modules", response=list[ModuleOut], summary="A course's modules in order")
def list_modules(request: HttpRequest, course_id: int) -> list[dict[str, Any]]:
    """Published courses for anyone signed in; drafts only for their managers."""
    course = _course_or_404(course_id)
    if not access.can_view_course(request.user, course):
        raise HttpError(404, _("Not found."))
    return [
        {
            **{name: getattr(m, name) for name in ModuleOut.model_fields if name != "prerequisites"},
            "prerequisites": sorted(m.prerequisite_ids),  # type: ignore[attr-defined]
        }
        for m in progress.course_modules(course)
    ]


@router.get("/me/enrolments", response=list[EnrolmentOut], summary="My courses and progress")
def my_enrolments(request: HttpRequest) -> list[dict[str, Any]]:
    """The signed-in learner's enrolments (not withdrawn ones), newest first."""
    person = _own_person(request)
    enrolments = list(
        CourseEnrolment.objects.filter(person=person)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("course", "certificate")
        .order_by("-status_changed_at", "-pk")
    )
    return _enrolments_out(enrolments)


@router.post("/courses/{course_id}/enrol", response={201: EnrolmentOut}, summary="Enrol in a course")
def enrol(request: HttpRequest, course_id: int) -> Status:
    """Enrol the signed-in learner; a full course puts them on the waiting list (status ``waitlisted``)."""
    person = _own_person(request)
    course = Course.objects.filter(pk=course_id, published=True).first()
    if course is None:
        raise HttpError(404, _("Not found."))
    try:
        enrolment = services.enrol(actor=request.user, course=course, person=person)
    except DomainError as exc:
        raise _raise_400(exc) from exc
    return Status(201, _enrolments_out([enrolment])[0])


@router.post("/courses/{course_id}/withdraw", response=EnrolmentOut, summary="Leave a course")
def withdraw(request: HttpRequest, course_id: int) -> dict[str, Any]:
    """Withdraw the signed-in learner; their seat goes to the first on the waiting list, who is told."""
    course = _course_or_404(course_id)
    enrolment = access.own_enrolment(request.user, course)
    if enrolment is None:
        raise HttpError(404, _("Not found."))
    try:
        services.enrolment_withdraw(
            actor=request.user, enrolment=enrolment, reason="learner left the course (API)"
        )
    except DomainError as exc:
        raise _raise_400(exc) from exc
    enrolment.refresh_from_db()
    return _enrolments_out([enrolment])[0]


def _seconds(duration: str | None) -> int:
    if not duration:
        return 0
    match = DURATION.match(duration.strip().upper())
    if match is None or not any(match.groups()):
        raise HttpError(400, _("The duration must be written like PT1M30S."))
    hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return round(hours * 3600 + minutes * 60 + seconds)


def _progress(result: ResultIn | None) -> int | None:
    value = (result.extensions if result else {}).get(PROGRESS_EXTENSION)
    if value is None:
        return None
    try:
        return round(float(value))
    except (TypeError, ValueError) as exc:
        raise HttpError(400, _("The progress must be a number from 0 to 100.")) from exc


@router.post(
    "/statements",
    response={200: StatementOut, 201: StatementOut},
    summary="Record an xAPI-like statement (idempotent by its id)",
)
def post_statement(request: HttpRequest, statement: StatementIn) -> Status:
    """Started, progressed or completed a module; 201 when stored, 200 when the same id was stored before."""
    verb = VERBS_BY_IRI.get(statement.verb.id) or (
        statement.verb.id if statement.verb.id in Verb.values else None
    )
    match = MODULE_ID.search(statement.object.id)
    if verb is None:
        raise HttpError(400, _("Unknown kind of progress."))
    module = Module.objects.select_related("course").filter(pk=int(match.group(1))).first() if match else None
    if module is None:
        raise HttpError(404, _("Not found."))
    enrolment = access.own_enrolment(request.user, module.course)
    if not access.can_take_module(enrolment, module):
        raise HttpError(404, _("Not found."))
    assert enrolment is not None  # can_take_module checked it
    try:
        _event, stored = services.progress_record(
            actor=request.user,
            enrolment=enrolment,
            module=module,
            verb=verb,
            client_event_id=str(statement.id),
            seconds=_seconds(statement.result.duration if statement.result else None),
            progress_percent=_progress(statement.result),
            at=min(statement.timestamp, timezone.now()) if statement.timestamp else None,
        )
    except DomainError as exc:
        raise _raise_400(exc) from exc
    enrolment.refresh_from_db()
    body = {
        "id": statement.id,
        "stored": stored,
        "module": module.pk,
        "verb": str(verb),
        "enrolment_status": enrolment.status,
    }
    return Status(201 if stored else 200, body)


@router.get("/certificates/{code}", response=CertificateOut, auth=None, summary="Verify a certificate")
def verify_certificate(request: HttpRequest, code: str) -> dict[str, Any]:
    """Public, like the verification page: the holder's name and the course for a valid code, else 404."""
    certificate = (
        Certificate.objects.filter(code=services.normalize_code(code))
        .select_related("enrolment__person", "enrolment__course__provider")
        .first()
    )
    if certificate is None:
        raise HttpError(404, _("Not found."))
    course = certificate.enrolment.course
    return {
        "code": certificate.display_code,
        "holder": certificate.enrolment.person.display_name,
        "course_en": course.label_en,
        "course_ar": course.label_ar,
        "provider": course.provider.slug,
        "issued_at": certificate.issued_at,
    }


@router.get("/courses/{course_id}/progress", response=GridOut, summary="A course's progress grid (staff)")
def progress_grid(
    request: HttpRequest,
    course_id: int,
    cohort: int | None = None,
    after: int | None = None,
    limit: int = Query(100, ge=1, le=500),  # type: ignore[type-arg]
) -> dict[str, Any]:
    """Learners by enrolment id, paged by the last id seen (``after``); managers see all, officers their cohorts'."""
    course = _course_or_404(course_id)
    if not access.can_view_progress(request.user, course):
        raise HttpError(403, _("You may not see the progress of this course."))
    enrolments = access.visible_enrolments(request.user, course)
    if cohort is not None:
        enrolments = enrolments.filter(cohort_id=cohort)
    page = enrolments.filter(pk__gt=after) if after is not None else enrolments
    modules, rows = progress.progress_grid(course, page, limit=limit + 1)
    summary = progress.grid_summary(modules, enrolments)
    shown = rows[:limit]
    return {
        "modules": [
            {
                "id": m.pk,
                "kind": m.kind,
                "label_en": m.label_en,
                "label_ar": m.label_ar,
                "done": summary.done_per_module.get(m.pk, 0),
            }
            for m in modules
        ],
        "by_status": summary.by_status,
        "results": [
            {
                "enrolment": row.enrolment.pk,
                "person": row.enrolment.person.public_id,
                "cohort": row.enrolment.cohort_id,
                "status": row.enrolment.status,
                "marks": row.marks,
                "done": row.done,
                "last_at": row.last_at,
            }
            for row in shown
        ],
        "next": shown[-1].enrolment.pk if len(rows) > limit else None,
    }

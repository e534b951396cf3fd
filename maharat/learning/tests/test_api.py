"""The learning API: catalogue, my enrolments, enrol and withdraw, xAPI-like statements, certificates, the grid."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from maharat.core.models import ApiToken
from maharat.core.testing import Personas
from maharat.learning import services
from maharat.learning.choices import EnrolmentStatus, Verb
from maharat.learning.models import CourseEnrolment, ProgressEvent
from maharat.learning.tests.factories import CourseKit, make_course
from maharat.messaging.models import Message
from maharat.programmes.models import Enrolment
from maharat.programmes.services import cohort_for
from maharat.programmes.tests.factories import applicant, open_call

pytestmark = pytest.mark.django_db
BASE = "/api/v1/learning"


def auth(user: Any) -> dict[str, str]:
    raw = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, name="learning app", key_prefix=raw[:8], key_hash=ApiToken.hash_key(raw)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, path: str, user: Any, payload: dict[str, Any] | None = None) -> Any:
    return client.post(
        f"{BASE}{path}", json.dumps(payload or {}), content_type="application/json", **auth(user)
    )


def statement(
    module_id: int, verb: str = "http://adlnet.gov/expapi/verbs/completed", **extra: Any
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "verb": {"id": verb},
        "object": {"id": f"https://maharat.example/modules/{module_id}"},
        **extra,
    }


class CatalogueApiTests:
    def test_published_courses_and_their_modules(
        self, personas: Personas, kit: CourseKit, client: Client
    ) -> None:
        draft = make_course(personas, published=False, label_en="Draft course").course
        response = client.get(f"{BASE}/courses", **auth(personas.amal_user))
        assert [c["id"] for c in response.json()] == [kit.course.pk]
        assert response.json()[0]["provider"] == personas.training_org.slug
        modules = client.get(f"{BASE}/courses/{kit.course.pk}/modules", **auth(personas.amal_user)).json()
        assert [m["id"] for m in modules] == [kit.lesson.pk, kit.quiz.pk, kit.workshop.pk]
        assert modules[1]["prerequisites"] == [kit.lesson.pk] and modules[2]["starts_at"]
        assert client.get(f"{BASE}/courses/{draft.pk}/modules", **auth(personas.amal_user)).status_code == 404
        assert client.get(f"{BASE}/courses/{draft.pk}/modules", **auth(personas.trainer)).status_code == 200
        assert client.get(f"{BASE}/courses/999999/modules", **auth(personas.trainer)).status_code == 404

    def test_anonymous_is_refused(self, client: Client) -> None:
        assert client.get(f"{BASE}/courses").status_code == 401
        assert client.get(f"{BASE}/me/enrolments").status_code == 401


class LearnerApiTests:
    def test_enrol_record_statements_and_see_progress(
        self, personas: Personas, kit: CourseKit, client: Client
    ) -> None:
        response = post(client, f"/courses/{kit.course.pk}/enrol", personas.amal_user)
        assert response.status_code == 201 and response.json()["status"] == "active"
        assert response.json()["resume_module"] == kit.lesson.pk
        sent = statement(
            kit.lesson.pk,
            result={
                "duration": "PT1M30S",
                "extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 100},
            },
            timestamp=(timezone.now() - dt.timedelta(hours=1)).isoformat(),
        )
        first = post(client, "/statements", personas.amal_user, sent)
        assert first.status_code == 201 and first.json()["stored"] is True
        again = post(client, "/statements", personas.amal_user, sent)
        assert again.status_code == 200 and again.json()["stored"] is False
        event = ProgressEvent.objects.get(client_event_id=sent["id"])
        assert (event.verb, event.seconds, event.progress) == (Verb.COMPLETED, 90, 100)
        mine = client.get(f"{BASE}/me/enrolments", **auth(personas.amal_user)).json()
        assert mine[0]["done"] == 1 and mine[0]["total"] == 3 and mine[0]["resume_module"] == kit.quiz.pk
        again_enrol = post(client, f"/courses/{kit.course.pk}/enrol", personas.amal_user)
        assert again_enrol.status_code == 400 and "already enrolled" in again_enrol.json()["detail"]

    def test_short_verb_names_are_accepted_and_bad_statements_change_nothing(
        self, personas: Personas, kit: CourseKit, client: Client
    ) -> None:
        services.enrol(actor=None, course=kit.course, person=personas.amal)
        assert (
            post(client, "/statements", personas.amal_user, statement(kit.lesson.pk, "started")).status_code
            == 201
        )
        refused = [
            (statement(kit.lesson.pk, "http://example.org/verbs/danced"), 400),
            (statement(kit.lesson.pk, "passed"), 400),  # only grading passes a learner
            (statement(kit.quiz.pk, "completed"), 400),
            (statement(kit.lesson.pk, result={"duration": "ten minutes"}), 400),
            (
                statement(
                    kit.lesson.pk,
                    result={"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": "x"}},
                ),
                400,
            ),
            (
                statement(
                    kit.lesson.pk,
                    result={"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 140}},
                ),
                400,
            ),
            (statement(999999), 404),
            ({**statement(kit.lesson.pk), "object": {"id": "https://maharat.example/lessons/x"}}, 404),
        ]
        for payload, status in refused:
            assert post(client, "/statements", personas.amal_user, payload).status_code == status, payload
        assert ProgressEvent.objects.count() == 1

    def test_statements_about_a_course_one_is_not_in_are_not_found(
        self, personas: Personas, kit: CourseKit, client: Client
    ) -> None:
        assert post(client, "/statements", personas.amal_user, statement(kit.lesson.pk)).status_code == 404
        assert not ProgressEvent.objects.exists()

    def test_withdraw_frees_a_seat_for_the_waiting_learner_who_is_told(
        self, personas: Personas, client: Client
    ) -> None:
        course = make_course(personas, capacity=1).course
        post(client, f"/courses/{course.pk}/enrol", personas.amal_user)
        waiting = services.enrol(actor=None, course=course, person=applicant(personas))
        assert waiting.status == EnrolmentStatus.WAITLISTED
        response = post(client, f"/courses/{course.pk}/withdraw", personas.amal_user)
        assert response.status_code == 200 and response.json()["status"] == "withdrawn"
        waiting.refresh_from_db()
        assert waiting.status == EnrolmentStatus.ACTIVE
        assert Message.objects.filter(person=waiting.person).exists()
        assert post(client, f"/courses/{course.pk}/withdraw", personas.amal_user).status_code == 400
        assert post(client, f"/courses/{course.pk}/withdraw", personas.trainer).status_code == 404

    def test_staff_without_a_person_record_cannot_enrol(
        self, personas: Personas, kit: CourseKit, client: Client
    ) -> None:
        assert post(client, f"/courses/{kit.course.pk}/enrol", personas.trainer).status_code == 403
        assert client.get(f"{BASE}/me/enrolments", **auth(personas.trainer)).status_code == 403
        assert post(client, "/courses/999999/enrol", personas.amal_user).status_code == 404


class CertificateApiTests:
    def test_anyone_verifies_a_code_and_sees_name_and_course_only(
        self, personas: Personas, kit: CourseKit, client: Client
    ) -> None:
        enrolment = services.enrol(actor=None, course=kit.course, person=personas.amal)
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        services.quiz_submit(
            actor=None, enrolment=enrolment, module=kit.quiz, answers=kit.right, submission_id="a"
        )
        services.attendance_mark(actor=personas.trainer, module=kit.workshop, marks={enrolment.pk: True})
        code = CourseEnrolment.objects.get(pk=enrolment.pk).certificate.display_code
        body = client.get(f"{BASE}/certificates/{code.lower()}").json()
        assert body["code"] == code and body["holder"] == personas.amal.display_name
        assert set(body) == {"code", "holder", "course_en", "course_ar", "provider", "issued_at"}
        mine = client.get(f"{BASE}/me/enrolments", **auth(personas.amal_user)).json()
        assert mine[0]["certificate"] == code and mine[0]["resume_module"] is None
        assert client.get(f"{BASE}/certificates/ZZZZZ-ZZZZZ").status_code == 404


class GridApiTests:
    def test_managers_page_through_every_learner_without_names(
        self, personas: Personas, kit: CourseKit, client: Client
    ) -> None:
        learners = [
            services.enrol(actor=None, course=kit.course, person=applicant(personas)) for _ in range(3)
        ]
        services.progress_record(actor=None, enrolment=learners[0], module=kit.lesson, verb=Verb.COMPLETED)
        first = client.get(
            f"{BASE}/courses/{kit.course.pk}/progress?limit=2", **auth(personas.trainer)
        ).json()
        assert [r["enrolment"] for r in first["results"]] == [learners[0].pk, learners[1].pk]
        assert first["results"][0]["marks"] == ["done", "", ""] and "name" not in first["results"][0]
        assert first["modules"][0]["done"] == 1 and first["by_status"] == {"active": 3}
        rest = client.get(
            f"{BASE}/courses/{kit.course.pk}/progress?limit=2&after={first['next']}", **auth(personas.trainer)
        ).json()
        assert [r["enrolment"] for r in rest["results"]] == [learners[2].pk] and rest["next"] is None

    def test_officer_sees_own_cohort_and_others_are_refused(
        self, personas: Personas, kit: CourseKit, client: Client
    ) -> None:
        cohort = cohort_for(open_call(personas))
        Enrolment.objects.create(cohort=cohort, person=applicant(personas))
        services.enrol_cohort(actor=personas.trainer, course=kit.course, cohort=cohort)
        services.enrol(actor=None, course=kit.course, person=personas.amal)
        url = f"{BASE}/courses/{kit.course.pk}/progress"
        seen = client.get(url, **auth(personas.officer)).json()
        assert len(seen["results"]) == 1 and seen["by_status"] == {"active": 1}
        assert len(client.get(f"{url}?cohort={cohort.pk}", **auth(personas.trainer)).json()["results"]) == 1
        for outsider in (personas.other_officer, personas.employer, personas.amal_user, personas.researcher):
            assert client.get(url, **auth(outsider)).status_code == 403
        other = make_course(personas, provider=personas.other_partner).course
        assert client.get(f"{BASE}/courses/{other.pk}/progress", **auth(personas.trainer)).status_code == 403

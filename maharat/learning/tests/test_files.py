"""Assignments handed in as files and graded, module images and files, uploaded videos, workshop seats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from maharat.core.errors import DomainError
from maharat.core.models import AuditLog
from maharat.core.testing import PAGE_BUDGET, Personas, assert_forbidden, page_weight
from maharat.learning import services, services_files, uploads
from maharat.learning.choices import EnrolmentStatus, ModuleKind, Verb
from maharat.learning.models import Attendance, ProgressEvent
from maharat.learning.models_files import AssignmentSubmission, ModuleAttachment, SeatBooking
from maharat.learning.tests.factories import CourseKit, make_course
from maharat.learning.tests.files_factories import (
    PDF,
    add_assignment,
    docx_bytes,
    enrol_amal,
    finish_quiz_and_lesson,
    image_bytes,
    odt_bytes,
    second_learner,
    upload,
)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


class UploadCheckTests:
    @pytest.mark.parametrize(
        ("name", "content", "mime"),
        [
            ("essay.pdf", PDF, "application/pdf"),
            ("essay.docx", docx_bytes(), uploads.DOCUMENT_TYPES["docx"]),
            ("essay.odt", odt_bytes(), uploads.DOCUMENT_TYPES["odt"]),
            ("notes.txt", "مرحبا hello".encode(), "text/plain"),
            ("shot.JPG", image_bytes("JPEG", (20, 20)), "image/jpeg"),
            ("shot.png", image_bytes("PNG", (20, 20)), "image/png"),
        ],
    )
    def test_accepts_each_allowed_type_by_name_and_content(
        self, name: str, content: bytes, mime: str
    ) -> None:
        checked = uploads.check_upload(upload(name, content), uploads.SUBMISSION_TYPES, max_bytes=10**6)
        assert checked.content_type == mime
        assert checked.size == len(content)

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("virus.exe", b"MZ\x90\x00", "not accepted"),
            ("noname", PDF, "not accepted"),
            ("fake.pdf", b"MZ\x90\x00program", "does not match"),
            ("fake.docx", PDF, "does not match"),
            ("fake.docx", odt_bytes(), "does not match"),
            ("fake.odt", docx_bytes(), "does not match"),
            ("broken.docx", b"PK\x03\x04not really a zip", "does not match"),
            ("binary.txt", b"abc\x00def", "does not match"),
            ("latin.txt", "café".encode("latin-1"), "does not match"),
            ("photo.png", image_bytes("JPEG", (10, 10)), "does not match"),
            ("photo.jpg", image_bytes("PNG", (10, 10)), "does not match"),
            ("empty.pdf", b"", "empty"),
        ],
    )
    def test_refuses_a_wrong_type_or_a_disguised_file(self, name: str, content: bytes, message: str) -> None:
        with pytest.raises(DomainError, match=message):
            uploads.check_upload(upload(name, content), uploads.SUBMISSION_TYPES, max_bytes=10**6)

    def test_refuses_a_file_over_the_limit_and_no_file_at_all(self) -> None:
        with pytest.raises(DomainError, match="too large"):
            uploads.check_upload(upload("big.pdf", PDF + b"x" * 200), uploads.SUBMISSION_TYPES, max_bytes=100)
        with pytest.raises(DomainError, match="Choose a file"):
            uploads.check_upload(None, uploads.SUBMISSION_TYPES, max_bytes=100)

    def test_videos_are_recognised_by_their_header(self) -> None:
        mp4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20
        webm = b"\x1a\x45\xdf\xa3" + b"\x00" * 20
        assert uploads.check_upload(upload("a.mp4", mp4), uploads.VIDEO_TYPES, max_bytes=10**6).size == len(
            mp4
        )
        assert uploads.check_upload(upload("a.webm", webm), uploads.VIDEO_TYPES, max_bytes=10**6)
        with pytest.raises(DomainError, match="does not match"):
            uploads.check_upload(upload("a.mp4", webm), uploads.VIDEO_TYPES, max_bytes=10**6)

    def test_limits_come_from_settings(self, settings: Any) -> None:
        assert uploads.max_upload_bytes() == 5 * 1024 * 1024
        settings.LEARNING_UPLOAD_MAX_BYTES = 1234
        settings.LEARNING_VIDEO_MAX_BYTES = 99
        assert (uploads.max_upload_bytes(), uploads.max_video_bytes()) == (1234, 99)

    def test_images_are_made_smaller_and_lose_their_metadata(self) -> None:
        from PIL import Image

        big = uploads.check_upload(upload("p.png", image_bytes()), uploads.IMAGE_TYPES, max_bytes=10**7)
        small = uploads.compress_image(big)
        assert (small.width, small.height) == (1280, 960)
        assert small.name == "p.jpg" and small.content_type == "image/jpeg"
        transparent = uploads.check_upload(
            upload("t.png", image_bytes("PNG", (50, 40), "RGBA")), uploads.IMAGE_TYPES, max_bytes=10**7
        )
        kept = uploads.compress_image(transparent)
        assert kept.content_type == "image/png" and (kept.width, kept.height) == (50, 40)
        with Image.open(small.content) as reopened:
            assert not reopened.getexif()

    def test_a_broken_image_is_refused(self) -> None:
        broken = uploads.check_upload(
            upload("b.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10), uploads.IMAGE_TYPES, max_bytes=10**6
        )
        with pytest.raises(DomainError, match="could not be read"):
            uploads.compress_image(broken)


class AssignmentTests:
    def test_hand_in_fail_feedback_hand_in_again_pass_and_complete(
        self, personas: Personas, kit: CourseKit, media: Path
    ) -> None:
        assignment = add_assignment(kit)
        enrolment = enrol_amal(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        services_files.workshop_book(actor=personas.amal_user, enrolment=enrolment, module=kit.workshop)
        services.attendance_mark(actor=personas.trainer, module=kit.workshop, marks={enrolment.pk: True})
        amal = personas.client_for(personas.amal_user)
        page = amal.get(reverse("learning:module_detail", args=[assignment.pk]))
        assert b'enctype="multipart/form-data"' in page.content
        assert b"Mark as done" not in page.content
        amal.post(
            reverse("learning:assignment_submit", args=[assignment.pk]),
            {"file": upload("my e-mail.pdf", PDF, "application/pdf")},
        )
        submission = AssignmentSubmission.objects.get()
        assert submission.original_name == "my e-mail.pdf"
        assert (
            submission.file.name.startswith("learning/submissions/") and "e-mail" not in submission.file.name
        )
        assert (media / submission.file.name).read_bytes() == PDF
        assert AuditLog.objects.filter(
            subject_type="learning.assignmentsubmission", person_id=personas.amal.pk
        )
        trainer = personas.client_for(personas.trainer)
        listing = trainer.get(reverse("learning:submissions", args=[assignment.pk]))
        assert b"my e-mail.pdf" in listing.content and personas.amal.display_name.encode() in listing.content
        trainer.post(
            reverse("learning:submission_grade", args=[submission.pk]),
            {"score": 40, "passed": "0", "feedback": "Add a subject line."},
        )
        assert enrolment.events.filter(module=assignment, verb=Verb.FAILED).count() == 1
        page = amal.get(reverse("learning:module_detail", args=[assignment.pk]))
        assert b"Add a subject line." in page.content and b"Not yet passed" in page.content
        grid = trainer.get(reverse("learning:progress_grid", args=[kit.course.pk]))
        assert grid.status_code == 200
        amal.post(
            reverse("learning:assignment_submit", args=[assignment.pk]),
            {"file": upload("second.docx", docx_bytes())},
        )
        submission.refresh_from_db()
        assert submission.round == 2 and submission.passed is None and submission.feedback == ""
        response = trainer.post(
            reverse("learning:submission_grade", args=[submission.pk]),
            {"score": 90, "passed": "1", "feedback": "Well done."},
            follow=True,
        )
        assert b"grade was saved" in response.content
        assert enrolment.events.filter(module=assignment, verb=Verb.PASSED).count() == 1
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.COMPLETED
        with pytest.raises(DomainError, match="Only active learners"):
            services_files.assignment_submit(
                actor=personas.amal_user, enrolment=enrolment, module=assignment, upload=upload("x.pdf", PDF)
            )

    def test_the_assignment_box_reads_in_arabic(self, personas: Personas, kit: CourseKit) -> None:
        from django.test import Client

        assignment = add_assignment(kit)
        enrolment = enrol_amal(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        arabic = Client()
        arabic.force_login(personas.amal_user)
        page = arabic.get(reverse("learning:module_detail", args=[assignment.pk])).content.decode()
        assert 'dir="rtl"' in page and "أرسل رسالة حقيقية" in page
        assert page_weight(arabic, reverse("learning:module_detail", args=[assignment.pk])) < PAGE_BUDGET

    def test_a_passed_assignment_is_not_handed_in_again(self, personas: Personas, kit: CourseKit) -> None:
        assignment = add_assignment(kit)
        enrolment = enrol_amal(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        submission = services_files.assignment_submit(
            actor=None, enrolment=enrolment, module=assignment, upload=upload("a.pdf", PDF)
        )
        services_files.assignment_grade(
            actor=None, submission=submission, score=80, passed=True, feedback="ok"
        )
        assert str(submission) == f"{enrolment.pk}/{assignment.pk} #1"
        with pytest.raises(DomainError, match="already graded as passed"):
            services_files.assignment_submit(
                actor=None, enrolment=enrolment, module=assignment, upload=upload("x.pdf", PDF)
            )

    def test_wrong_type_or_too_large_stores_nothing(
        self, personas: Personas, kit: CourseKit, media: Path, settings: Any
    ) -> None:
        assignment = add_assignment(kit)
        enrol_amal(personas, kit)
        amal = personas.client_for(personas.amal_user)
        url = reverse("learning:assignment_submit", args=[assignment.pk])
        wrong = amal.post(url, {"file": upload("photo.pdf", image_bytes("PNG", (10, 10)))}, follow=True)
        assert b"does not match its name" in wrong.content
        settings.LEARNING_UPLOAD_MAX_BYTES = 10
        big = amal.post(url, {"file": upload("big.pdf", PDF)}, follow=True)
        assert b"too large" in big.content
        none = amal.post(url, {}, follow=True)
        assert b"Choose a file" in none.content
        assert not AssignmentSubmission.objects.exists()
        assert _stored(media) == []

    def test_ungraded_file_is_replaced_and_the_old_one_removed(
        self, personas: Personas, kit: CourseKit, media: Path, django_capture_on_commit_callbacks: Any
    ) -> None:
        assignment = add_assignment(kit)
        enrolment = enrol_amal(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        with django_capture_on_commit_callbacks(execute=True):
            first = services_files.assignment_submit(
                actor=personas.amal_user,
                enrolment=enrolment,
                module=assignment,
                upload=upload("a.txt", b"one"),
            )
            first_path = media / first.file.name
            services_files.assignment_submit(
                actor=personas.amal_user,
                enrolment=enrolment,
                module=assignment,
                upload=upload("b.txt", b"two"),
            )
        submission = AssignmentSubmission.objects.get()
        assert submission.round == 1 and submission.original_name == "b.txt"
        assert not first_path.exists()
        assert [p.read_bytes() for p in _stored(media)] == [b"two"]

    def test_refused_after_deadline_beyond_attempts_or_when_not_an_assignment(
        self, personas: Personas, kit: CourseKit, media: Path
    ) -> None:
        assignment = add_assignment(kit, attempts_allowed=1, deadline=timezone.now() + dt.timedelta(days=1))
        enrolment = enrol_amal(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        with pytest.raises(DomainError, match="deadline"):
            services_files.assignment_submit(
                actor=None,
                enrolment=enrolment,
                module=assignment,
                upload=upload("a.pdf", PDF),
                now=timezone.now() + dt.timedelta(days=2),
            )
        with pytest.raises(DomainError, match="not an assignment"):
            services_files.assignment_submit(
                actor=None, enrolment=enrolment, module=kit.lesson, upload=upload("a.pdf", PDF)
            )
        assert _stored(media) == []
        submission = services_files.assignment_submit(
            actor=None, enrolment=enrolment, module=assignment, upload=upload("a.pdf", PDF)
        )
        services_files.assignment_grade(
            actor=personas.trainer, submission=submission, score=10, passed=False, feedback=""
        )
        with pytest.raises(DomainError, match="already graded"):
            services_files.assignment_grade(
                actor=personas.trainer, submission=submission, score=90, passed=True, feedback=""
            )
        with pytest.raises(DomainError, match="all the attempts"):
            services_files.assignment_submit(
                actor=None, enrolment=enrolment, module=assignment, upload=upload("b.pdf", PDF)
            )
        assert len(_stored(media)) == 1

    def test_grade_out_of_range_or_for_a_withdrawn_learner_is_refused(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        assignment = add_assignment(kit)
        enrolment = enrol_amal(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        submission = services_files.assignment_submit(
            actor=None, enrolment=enrolment, module=assignment, upload=upload("a.pdf", PDF)
        )
        with pytest.raises(DomainError, match="between 0 and 100"):
            services_files.assignment_grade(
                actor=None, submission=submission, score=101, passed=True, feedback=""
            )
        trainer = personas.client_for(personas.trainer)
        bad = trainer.post(
            reverse("learning:submission_grade", args=[submission.pk]), {"score": "x"}, follow=True
        )
        assert b"Give a score" in bad.content
        trainer.post(
            reverse("learning:submission_grade", args=[submission.pk]),
            {"score": 0, "passed": "0", "feedback": "x"},
        )
        twice = trainer.post(
            reverse("learning:submission_grade", args=[submission.pk]),
            {"score": 90, "passed": "1", "feedback": "y"},
            follow=True,
        )
        assert b"already graded" in twice.content
        submission = AssignmentSubmission.objects.get()
        assert submission.score == 0
        submission = services_files.assignment_submit(
            actor=None, enrolment=enrolment, module=assignment, upload=upload("b.pdf", PDF)
        )
        services.enrolment_withdraw(actor=None, enrolment=enrolment)
        with pytest.raises(DomainError, match="no longer active"):
            services_files.assignment_grade(
                actor=None, submission=submission, score=50, passed=True, feedback=""
            )
        submission.refresh_from_db()
        assert submission.passed is None
        assert list(ProgressEvent.objects.filter(module=assignment).values_list("verb", flat=True)) == [
            Verb.FAILED
        ]

    def test_an_assignment_is_not_marked_done_by_the_learner(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        assignment = add_assignment(kit)
        enrolment = enrol_amal(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        with pytest.raises(DomainError, match="grades it as passed"):
            services.progress_record(actor=None, enrolment=enrolment, module=assignment, verb=Verb.COMPLETED)

    def test_only_the_learner_and_the_provider_see_the_file(self, personas: Personas, kit: CourseKit) -> None:
        assignment = add_assignment(kit)
        enrolment = enrol_amal(personas, kit)
        omar_user, _ = second_learner(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        submission = services_files.assignment_submit(
            actor=None, enrolment=enrolment, module=assignment, upload=upload("mine.pdf", PDF)
        )
        url = reverse("learning:submission_file", args=[submission.pk])
        for user in (personas.amal_user, personas.trainer, personas.admin):
            response = personas.client_for(user).get(url)
            assert response.status_code == 200
            assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
            assert response["Content-Disposition"].startswith("attachment")
        others = [
            None,
            omar_user,
            personas.employer,
            personas.officer,
            personas.other_officer,
            personas.mentor,
        ]
        assert_forbidden(url, others)
        assert_forbidden(reverse("learning:submissions", args=[assignment.pk]), others + [personas.amal_user])
        grade = reverse("learning:submission_grade", args=[submission.pk])
        assert_forbidden(grade, [personas.amal_user, personas.officer], method="post", data={"score": 100})
        submission.refresh_from_db()
        assert submission.passed is None

    def test_a_provider_sees_only_its_own_learners_uploads(self, personas: Personas, kit: CourseKit) -> None:
        other = make_course(personas, provider=personas.partner, label_en="Sewing", label_ar="خياطة")
        other_assignment = add_assignment(other)
        enrolment = services.enrol(actor=None, course=other.course, person=personas.amal)
        finish_quiz_and_lesson(personas, other, enrolment)
        submission = services_files.assignment_submit(
            actor=None, enrolment=enrolment, module=other_assignment, upload=upload("other.pdf", PDF)
        )
        assert_forbidden(reverse("learning:submission_file", args=[submission.pk]), [personas.trainer])
        assert_forbidden(reverse("learning:submissions", args=[other_assignment.pk]), [personas.trainer])
        assert (
            personas.client_for(personas.officer)
            .get(reverse("learning:submissions", args=[other_assignment.pk]))
            .status_code
            == 200
        )
        lesson_list = personas.client_for(personas.trainer).get(
            reverse("learning:submissions", args=[add_assignment(kit).pk])
        )
        assert b"other.pdf" not in lesson_list.content and b"Nothing handed in" in lesson_list.content
        assert (
            personas.client_for(personas.trainer)
            .get(reverse("learning:submissions", args=[kit.lesson.pk]))
            .status_code
            == 404
        )


class AttachmentTests:
    def test_images_are_compressed_and_lazy_in_a_light_lesson_page(
        self, personas: Personas, kit: CourseKit, media: Path
    ) -> None:
        trainer = personas.client_for(personas.trainer)
        url = reverse("learning:module_files", args=[kit.lesson.pk])
        response = trainer.post(
            url,
            {"kind": "image", "file": upload("inbox.png", image_bytes()), "title_en": "The inbox screen"},
            follow=True,
        )
        assert b"was added" in response.content
        image = ModuleAttachment.objects.get()
        assert (image.width, image.height) == (1280, 960) and image.original_name == "inbox.jpg"
        trainer.post(url, {"kind": "file", "file": upload("cheatsheet.pdf", PDF), "title_en": "Cheat sheet"})
        enrol_amal(personas, kit)
        amal = personas.client_for(personas.amal_user)
        lesson_url = reverse("learning:module_detail", args=[kit.lesson.pk])
        page = amal.get(lesson_url).content.decode()
        image_url = reverse("learning:attachment_file", args=[image.pk])
        assert f'src="{image_url}" alt="The inbox screen" loading="lazy"' in page
        assert "Cheat sheet" in page and "Files to download" in page
        assert page_weight(amal, lesson_url) < PAGE_BUDGET
        served = amal.get(image_url)
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        pdf = ModuleAttachment.objects.get(kind="file")
        download = amal.get(reverse("learning:attachment_file", args=[pdf.pk]))
        assert download["Content-Disposition"].startswith("attachment")
        omar_user, omar_enrolment = second_learner(personas, kit)
        services.enrolment_withdraw(actor=None, enrolment=omar_enrolment)
        assert_forbidden(image_url, [None, omar_user, personas.employer, personas.officer])
        assert personas.client_for(personas.admin).get(image_url).status_code == 200
        assert_forbidden(url, [personas.amal_user, personas.officer, personas.employer])

    def test_an_uploaded_video_replaces_the_link_and_keeps_its_text_alternative(
        self, personas: Personas
    ) -> None:
        kit = make_course(personas, published=False)
        from maharat.learning.models import Module

        video = Module.objects.create(
            course=kit.course,
            position=5,
            kind=ModuleKind.VIDEO,
            label_en="Watch",
            label_ar="شاهد",
            body_en="The trainer opens the inbox and writes a message.",
        )
        video.full_clean()
        with pytest.raises(DomainError, match="neither a link nor an uploaded file"):
            services.course_publish(actor=None, course=kit.course)
        mp4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
        services_files.attachment_add(
            actor=personas.trainer,
            module=video,
            kind="video",
            upload=upload("clip.mp4", mp4),
            title_en="Clip",
        )
        services.course_publish(actor=None, course=kit.course)
        enrol_amal(personas, kit)
        enrolment = kit.course.enrolments.get()
        services.progress_record(actor=None, enrolment=enrolment, module=kit.lesson, verb=Verb.COMPLETED)
        page = personas.client_for(personas.amal_user).get(reverse("learning:module_detail", args=[video.pk]))
        html = page.content.decode()
        assert '<video controls preload="none"' in html and 'aria-describedby="video-text"' in html
        assert "The trainer opens the inbox" in html and "Watch the video" not in html

    def test_bad_attachments_are_refused_and_removal_deletes_the_file(
        self, personas: Personas, kit: CourseKit, media: Path, django_capture_on_commit_callbacks: Any
    ) -> None:
        with pytest.raises(DomainError, match="Only a video module"):
            services_files.attachment_add(
                actor=None, module=kit.lesson, kind="video", upload=upload("a.mp4", b"x"), title_en="x"
            )
        with pytest.raises(DomainError, match="Describe the file"):
            services_files.attachment_add(
                actor=None, module=kit.lesson, kind="file", upload=upload("a.pdf", PDF), title_en=" "
            )
        with pytest.raises(DomainError, match="Unknown kind"):
            services_files.attachment_add(
                actor=None, module=kit.lesson, kind="zip", upload=upload("a.pdf", PDF), title_en="x"
            )
        trainer = personas.client_for(personas.trainer)
        bad = trainer.post(
            reverse("learning:module_files", args=[kit.lesson.pk]),
            {"kind": "image", "file": upload("a.png", PDF), "title_en": "x"},
        )
        assert b"does not match" in bad.content
        assert _stored(media) == [] and not ModuleAttachment.objects.exists()
        attachment = services_files.attachment_add(
            actor=None,
            module=kit.lesson,
            kind="file",
            upload=upload("a.pdf", PDF),
            title_en="Guide",
            title_ar="دليل",
        )
        assert str(attachment) == "a.pdf"
        from django.utils import translation

        with translation.override("ar"):
            assert attachment.title == "دليل"
        with translation.override("en"):
            assert attachment.title == "Guide"
        path = media / attachment.file.name
        assert path.exists()
        delete = reverse("learning:attachment_delete", args=[attachment.pk])
        assert_forbidden(delete, [personas.amal_user, personas.officer], method="post")
        with django_capture_on_commit_callbacks(execute=True):
            trainer.post(delete)
        assert not ModuleAttachment.objects.exists() and not path.exists()

    def test_a_failed_save_leaves_no_file_behind(
        self, personas: Personas, kit: CourseKit, media: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(**kwargs: Any) -> None:
            raise RuntimeError("audit store down")

        monkeypatch.setattr(services_files, "audit_record", broken)
        with pytest.raises(RuntimeError):
            services_files.attachment_add(
                actor=None, module=kit.lesson, kind="file", upload=upload("a.pdf", PDF), title_en="x"
            )
        assignment = add_assignment(kit)
        enrolment = enrol_amal(personas, kit)
        finish_quiz_and_lesson(personas, kit, enrolment)
        with pytest.raises(RuntimeError):
            services_files.assignment_submit(
                actor=None, enrolment=enrolment, module=assignment, upload=upload("a.pdf", PDF)
            )
        assert _stored(media) == []
        assert not AssignmentSubmission.objects.exists() and not ModuleAttachment.objects.exists()


class WorkshopSeatTests:
    def test_seats_are_booked_until_full_and_given_back(self, personas: Personas, kit: CourseKit) -> None:
        kit.workshop.capacity = 1
        kit.workshop.save(update_fields=["capacity"])
        amal_enrolment = enrol_amal(personas, kit)
        omar_user, omar_enrolment = second_learner(personas, kit)
        amal = personas.client_for(personas.amal_user)
        url = reverse("learning:workshop_seat", args=[kit.workshop.pk])
        page = amal.get(reverse("learning:module_detail", args=[kit.workshop.pk]))
        assert b"1 seat left." in page.content and b"Book a seat" in page.content
        assert b"Your seat is booked" in amal.post(url, follow=True).content
        again = amal.post(url, follow=True)
        assert b"already have a seat" in again.content
        omar = personas.client_for(omar_user)
        full = omar.post(url, follow=True)
        assert b"Every seat at this workshop is taken" in full.content
        assert SeatBooking.objects.count() == 1
        with pytest.raises(DomainError, match="booked a seat"):
            services.attendance_mark(
                actor=personas.trainer, module=kit.workshop, marks={omar_enrolment.pk: True}
            )
        assert not Attendance.objects.exists()
        services.attendance_mark(
            actor=personas.trainer,
            module=kit.workshop,
            marks={amal_enrolment.pk: True, omar_enrolment.pk: False},
        )
        assert Attendance.objects.count() == 2
        assert b"gave back" in amal.post(url, {"action": "cancel"}, follow=True).content
        assert b"no seat" in amal.post(url, {"action": "cancel"}, follow=True).content
        assert b"Your seat is booked" in omar.post(url, follow=True).content

    def test_refused_for_started_or_other_workshops_and_inactive_learners(
        self, personas: Personas, kit: CourseKit
    ) -> None:
        enrolment = enrol_amal(personas, kit)
        with pytest.raises(DomainError, match="only for virtual workshops"):
            services_files.workshop_book(actor=None, enrolment=enrolment, module=kit.lesson)
        kit.workshop.starts_at = timezone.now() - dt.timedelta(minutes=5)
        kit.workshop.save(update_fields=["starts_at"])
        with pytest.raises(DomainError, match="already started"):
            services_files.workshop_book(actor=None, enrolment=enrolment, module=kit.workshop)
        services.enrolment_withdraw(actor=None, enrolment=enrolment)
        enrolment.refresh_from_db()
        with pytest.raises(DomainError, match="Only active learners"):
            services_files.workshop_book(actor=None, enrolment=enrolment, module=kit.workshop)
        assert not SeatBooking.objects.exists()
        assert str(SeatBooking(module_id=1, enrolment_id=2)) == "1/2"

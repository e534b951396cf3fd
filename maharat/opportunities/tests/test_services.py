"""Services: moderation, employer verification, reports, the pipeline, placements, uploads and hooks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maharat.core.errors import DomainError
from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.opportunities import services
from maharat.opportunities.choices import ApplicationStatus, OpportunityStatus, VerificationStatus
from maharat.opportunities.hooks import published_hooks, register_published_hook, unregister_published_hook
from maharat.opportunities.models import (
    Application,
    EmployerProfile,
    MinimumWage,
    Opportunity,
    OpportunityReport,
    Placement,
)
from maharat.opportunities.tests.factories import (
    DOCX_BYTES,
    draft,
    other_employer,
    pdf,
    published,
    verified_employer,
)

pytestmark = pytest.mark.django_db


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


class ModerationTests:
    def test_clean_offer_of_verified_employer_is_published_and_hooks_run(
        self, personas: Personas, employer: EmployerProfile, django_capture_on_commit_callbacks: Any
    ) -> None:
        seen: list[int] = []

        def hook(opportunity: Opportunity) -> None:
            seen.append(opportunity.pk)

        register_published_hook(hook)
        register_published_hook(hook)
        try:
            assert published_hooks().count(hook) == 1
            with django_capture_on_commit_callbacks(execute=True):
                offer = published(personas)
        finally:
            unregister_published_hook(hook)
        assert seen == [offer.pk]
        assert hook not in published_hooks()
        assert Opportunity.objects.visible().filter(pk=offer.pk).exists()

    def test_flagged_offer_waits_then_moderator_approves(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        offer = draft(personas, description_en="Pay a recruitment fee of 20 JOD.")
        services.opportunity_submit(actor=personas.employer, opportunity=offer)
        assert offer.status == OpportunityStatus.PENDING
        assert offer.safeguarding_flags == [{"code": "recruitment_fee"}]
        assert not Opportunity.objects.visible().filter(pk=offer.pk).exists()
        services.opportunity_moderate(
            actor=personas.officer, opportunity=offer, approve=True, note="fee removed by phone"
        )
        assert offer.status == OpportunityStatus.PUBLISHED and offer.moderated_by == personas.officer
        with pytest.raises(DomainError):
            services.opportunity_moderate(actor=personas.officer, opportunity=offer, approve=True)

    def test_rejection_needs_a_note_and_returns_to_draft_on_edit(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        offer = draft(personas, description_ar="سنحتفظ بجواز سفرك")
        services.opportunity_submit(actor=personas.employer, opportunity=offer)
        with pytest.raises(DomainError):
            services.opportunity_moderate(actor=personas.officer, opportunity=offer, approve=False, note=" ")
        services.opportunity_moderate(
            actor=personas.officer, opportunity=offer, approve=False, note="passports"
        )
        assert offer.status == OpportunityStatus.REJECTED
        edited = services.opportunity_save(
            actor=personas.employer,
            employer=personas.employer_org,
            data={"description_ar": "عمل"},
            opportunity=offer,
        )
        assert edited.status == OpportunityStatus.DRAFT

    def test_below_minimum_wage_uses_the_table_or_the_setting(
        self, personas: Personas, employer: EmployerProfile, settings: Any
    ) -> None:
        offer = draft(personas, wage_amount=Decimal("280"))
        flags = services.opportunity_screen(offer, on=dt.date(2026, 1, 1))
        assert [f.code for f in flags] == ["below_minimum_wage"]
        assert services.opportunity_screen(offer, on=dt.date(2024, 1, 1)) == []
        settings.OPPORTUNITIES_MINIMUM_WAGE_MONTHLY = "250"
        assert services.minimum_wage_on(dt.date(2026, 1, 1)) == Decimal("250")
        del settings.OPPORTUNITIES_MINIMUM_WAGE_MONTHLY
        MinimumWage.objects.all().delete()
        assert services.minimum_wage_on(dt.date(2026, 1, 1)) is None

    def test_submit_refuses_non_drafts_and_past_closing_dates(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        offer = published(personas)
        with pytest.raises(DomainError):
            services.opportunity_submit(actor=personas.employer, opportunity=offer)
        with pytest.raises(DomainError):
            services.opportunity_save(
                actor=personas.employer,
                employer=personas.employer_org,
                data={"title_en": "x"},
                opportunity=offer,
            )
        late = draft(personas, closing_date=timezone.localdate() - dt.timedelta(days=1))
        with pytest.raises(DomainError):
            services.opportunity_submit(actor=personas.employer, opportunity=late)
        services.opportunity_close(actor=personas.employer, opportunity=offer)
        with pytest.raises(DomainError):
            services.opportunity_close(actor=personas.employer, opportunity=offer)

    def test_save_validates_and_writes_nothing_on_error(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        count = Opportunity.objects.count()
        with pytest.raises(DomainError):
            draft(personas, title_en="", title_ar="")
        with pytest.raises(DomainError):
            draft(personas, governorate=None)
        with pytest.raises(DomainError):
            draft(personas, seats=0)
        with pytest.raises(DomainError):
            draft(personas, closing_date=timezone.localdate() + dt.timedelta(days=900))
        with pytest.raises(DomainError):
            services.opportunity_save(
                actor=personas.employer, employer=personas.partner, data={"title_en": "x"}
            )
        assert Opportunity.objects.count() == count

    def test_required_skills_are_checked(self, personas: Personas, employer: EmployerProfile) -> None:
        from maharat.skills.models import Skill

        skill = Skill.objects.create(code="sewing", label_en="Sewing", group="manufacturing")
        offer = services.opportunity_save(
            actor=personas.employer,
            employer=personas.employer_org,
            data={"kind": "job_full_time", "title_en": "Tailor", "sector": "C", "remote": True},
            skills=[(skill, 4, 2)],
        )
        assert list(offer.required_skills.values_list("importance", "min_proficiency")) == [(4, 2)]
        for rows in ([(skill, 3, 1), (skill, 2, 1)], [(skill, 3, 5)]):
            with pytest.raises(DomainError):
                services.opportunity_save(
                    actor=personas.employer,
                    employer=personas.employer_org,
                    data={"title_en": "Tailor 2"},
                    skills=rows,
                    opportunity=offer,
                )
        assert offer.required_skills.count() == 1


class EmployerVerificationTests:
    def test_offers_of_unverified_employer_are_hidden_until_verified(
        self, personas: Personas, rules: None
    ) -> None:
        offer = draft(personas)
        services.opportunity_submit(actor=personas.employer, opportunity=offer)
        assert offer.status == OpportunityStatus.PENDING
        assert offer.safeguarding_flags == [{"code": "unverified_employer"}]
        with pytest.raises(DomainError):
            services.opportunity_moderate(actor=personas.officer, opportunity=offer, approve=True)
        with pytest.raises(DomainError):
            services.employer_verify(actor=personas.officer, organization=personas.employer_org, approve=True)
        verified_employer(personas)
        offer.refresh_from_db()
        assert offer.status == OpportunityStatus.PUBLISHED
        assert Opportunity.objects.visible().filter(pk=offer.pk).exists()

    def test_refused_verification_hides_published_offers(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        offer = published(personas)
        with pytest.raises(DomainError):
            services.employer_verify(
                actor=personas.officer, organization=personas.employer_org, approve=False
            )
        services.employer_verify(
            actor=personas.officer,
            organization=personas.employer_org,
            approve=False,
            note="registration expired",
        )
        assert EmployerProfile.objects.get().status == VerificationStatus.REJECTED
        assert not Opportunity.objects.visible().filter(pk=offer.pk).exists()

    def test_document_upload_refused_when_wrong_type_or_too_large(
        self, personas: Personas, rules: None, settings: Any, _private_media: Path
    ) -> None:
        settings.OPPORTUNITIES_MAX_UPLOAD_BYTES = 100
        bad = [
            SimpleUploadedFile("reg.exe", b"MZ" + b"\x00" * 20),
            SimpleUploadedFile("reg.pdf", b"not a pdf at all"),
            pdf("reg.pdf", b"%PDF-" + b"x" * 200),
            SimpleUploadedFile("reg.pdf", b""),
        ]
        for upload in bad:
            with pytest.raises(DomainError):
                services.employer_document_upload(
                    actor=personas.employer, organization=personas.employer_org, upload=upload
                )
        assert _files(_private_media) == []
        assert not EmployerProfile.objects.filter(document__gt="").exists()


class PipelineTests:
    @pytest.fixture
    def application(self, personas: Personas, employer: EmployerProfile) -> Application:
        offer = published(personas)
        return services.application_submit(actor=personas.amal_user, opportunity=offer, person=personas.amal)

    def test_transitions_only_in_order(self, personas: Personas, application: Application) -> None:
        actor = personas.employer
        with pytest.raises(DomainError, match="cannot become"):
            services.application_move(
                actor=actor, application=application, to_status=ApplicationStatus.INTERVIEW
            )
        with pytest.raises(DomainError):
            services.application_move(actor=actor, application=application, to_status=ApplicationStatus.HIRED)
        services.application_move(
            actor=actor, application=application, to_status=ApplicationStatus.SHORTLISTED
        )
        with pytest.raises(DomainError, match="interview"):
            services.application_move(
                actor=actor, application=application, to_status=ApplicationStatus.INTERVIEW
            )
        when = timezone.now() + dt.timedelta(days=3)
        services.application_move(
            actor=actor,
            application=application,
            to_status=ApplicationStatus.INTERVIEW,
            interview_at=when,
            interview_place="Zarqa factory, gate 2",
        )
        from maharat.messaging.models import Message

        invitation = Message.objects.get(person=personas.amal)
        assert "Zarqa factory, gate 2" in invitation.text and "ملابس الزرقاء" in invitation.text
        services.application_move(actor=actor, application=application, to_status=ApplicationStatus.OFFERED)
        start = dt.date(2027, 1, 31)
        moved = services.application_move(
            actor=actor, application=application, to_status=ApplicationStatus.HIRED, start_date=start
        )
        assert moved.status == ApplicationStatus.HIRED
        assert [e.to_status for e in moved.events.all()] == [
            "applied",
            "shortlisted",
            "interview",
            "offered",
            "hired",
        ]
        with pytest.raises(DomainError):
            services.application_withdraw(actor=personas.amal_user, application=moved)
        placement = Placement.objects.get(application=application)
        assert placement.wage_amount == Decimal("320")
        due = {c.month: c.due_on for c in placement.checks.all()}
        assert due == {1: dt.date(2027, 2, 28), 3: dt.date(2027, 4, 30), 6: dt.date(2027, 7, 31)}
        assert (
            AuditLog.objects.filter(
                subject_type="opportunities.application", person_id=personas.amal.pk
            ).count()
            == 5
        )

    def test_not_selected_needs_a_reason_and_ends_the_pipeline(
        self, personas: Personas, application: Application
    ) -> None:
        with pytest.raises(DomainError):
            services.application_move(
                actor=personas.employer, application=application, to_status=ApplicationStatus.NOT_SELECTED
            )
        services.application_move(
            actor=personas.employer,
            application=application,
            to_status=ApplicationStatus.NOT_SELECTED,
            not_selected_reason="filled",
            note="All seats taken",
        )
        with pytest.raises(DomainError):
            services.application_move(
                actor=personas.employer, application=application, to_status=ApplicationStatus.SHORTLISTED
            )

    def test_withdraw_from_an_open_step(self, personas: Personas, application: Application) -> None:
        services.application_withdraw(actor=personas.amal_user, application=application)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.WITHDRAWN

    def test_apply_refusals(
        self, personas: Personas, employer: EmployerProfile, application: Application
    ) -> None:
        with pytest.raises(DomainError, match="already applied"):
            services.application_submit(
                actor=personas.amal_user, opportunity=application.opportunity, person=personas.amal
            )
        barber = published(personas, title_en="Barber")
        with pytest.raises(DomainError, match="barbers"):
            services.application_submit(actor=personas.amal_user, opportunity=barber, person=personas.amal)
        hidden = draft(personas)
        with pytest.raises(DomainError, match="not open"):
            services.application_submit(actor=personas.amal_user, opportunity=hidden, person=personas.amal)

    def test_cv_upload_checked_and_nothing_stored_when_refused(
        self, personas: Personas, employer: EmployerProfile, settings: Any, _private_media: Path
    ) -> None:
        offer = published(personas)
        settings.OPPORTUNITIES_MAX_UPLOAD_BYTES = 1000
        for upload in (
            SimpleUploadedFile("cv.txt", b"hello"),
            SimpleUploadedFile("cv.docx", b"%PDF-1.4 pretending"),
            pdf("cv.pdf", b"%PDF-" + b"x" * 2000),
        ):
            with pytest.raises(DomainError):
                services.application_submit(
                    actor=personas.omar, opportunity=offer, person=personas.omar, cv=upload
                )
        assert not list((_private_media / "private" / "cvs").glob("*"))
        assert not Application.objects.exists()
        docx = SimpleUploadedFile("My CV.docx", DOCX_BYTES)
        application = services.application_submit(
            actor=None, opportunity=offer, person=personas.omar, cv=docx
        )
        assert application.cv_name == "My CV.docx" and application.cv_size == len(DOCX_BYTES)
        assert len(list((_private_media / "private" / "cvs").glob("*"))) == 1

    def test_message_goes_through_messaging(self, personas: Personas, application: Application) -> None:
        from maharat.messaging.models import Message

        with pytest.raises(DomainError):
            services.application_message(actor=personas.employer, application=application, text=" ")
        with pytest.raises(DomainError):
            services.application_message(actor=personas.employer, application=application, text="x" * 1001)
        services.application_message(
            actor=personas.employer, application=application, text="Come on Sunday at 9."
        )
        assert Message.objects.filter(person=personas.amal, text="Come on Sunday at 9.").exists()


class PlacementFollowUpTests:
    def test_checks_due_and_overdue_and_recorded(self, personas: Personas, employer: EmployerProfile) -> None:
        from maharat.opportunities.selectors import retention_checks_due

        offer = published(personas)
        application = services.application_submit(actor=None, opportunity=offer, person=personas.amal)
        placement = services.placement_create(
            actor=personas.employer,
            application=application,
            start_date=dt.date(2026, 1, 15),
            wage_amount=None,
        )
        due = retention_checks_due(today=dt.date(2026, 2, 20))
        assert [(c.month, overdue) for c, overdue in due] == [(1, True)]
        due = retention_checks_due(today=dt.date(2026, 4, 10))
        assert [(c.month, overdue) for c, overdue in due] == [(1, True), (3, False)]
        assert retention_checks_due(org_ids=[other_employer(personas).pk], today=dt.date(2026, 4, 10)) == []
        first, third = (c for c, _ in due)
        with pytest.raises(DomainError):
            services.retention_check_record(
                actor=personas.officer,
                check=placement.checks.get(month=6),
                still_employed=True,
                today=dt.date(2026, 4, 10),
            )
        with pytest.raises(DomainError):
            services.retention_check_record(
                actor=personas.officer,
                check=first,
                still_employed=True,
                earnings_amount=Decimal("-1"),
                today=dt.date(2026, 4, 10),
            )
        services.retention_check_record(
            actor=personas.officer,
            check=first,
            still_employed=True,
            earnings_amount=Decimal("320"),
            today=dt.date(2026, 4, 10),
        )
        due = retention_checks_due(today=dt.date(2026, 4, 10))
        assert [c.month for c, _ in due] == [3]


class ReportTests:
    def test_report_reaches_the_queue_and_is_resolved(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        from maharat.opportunities.selectors import moderation_queue

        offer = published(personas)
        with pytest.raises(DomainError):
            services.opportunity_report(actor=personas.amal_user, opportunity=offer, reason="nonsense")
        report = services.opportunity_report(
            actor=personas.amal_user, opportunity=offer, reason="fees", text="They asked me for 20 JOD."
        )
        assert moderation_queue()["reports"] == [report]
        with pytest.raises(DomainError):
            services.report_resolve(actor=personas.officer, report=report, note="")
        services.report_resolve(actor=personas.officer, report=report, note="Offer closed", close_offer=True)
        offer.refresh_from_db()
        assert offer.status == OpportunityStatus.CLOSED
        assert moderation_queue()["reports"] == []
        with pytest.raises(DomainError):
            services.report_resolve(
                actor=personas.officer, report=OpportunityReport.objects.get(), note="again"
            )

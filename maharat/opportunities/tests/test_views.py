"""Pages: seekers, employers and moderators, in Arabic and English, with their permission matrices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maharat.core.roles import Role
from maharat.core.testing import PAGE_BUDGET, Personas, assert_forbidden, page_weight
from maharat.opportunities import services
from maharat.opportunities.choices import ApplicationStatus, OpportunityStatus
from maharat.opportunities.models import Application, EmployerProfile, Opportunity, OpportunityReport
from maharat.opportunities.tests.factories import draft, other_employer, pdf, published
from maharat.people.choices import OrganizationKind
from maharat.people.models import Membership

pytestmark = pytest.mark.django_db


def arabic(client: Client) -> Client:
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    return client


class SeekerPageTests:
    def test_list_filters_and_open_to_me(self, personas: Personas, employer: EmployerProfile) -> None:
        barber = published(personas, title_en="Barber", title_ar="حلاق")
        packer = published(personas, title_en="Packer", title_ar="عامل تعبئة")
        client = personas.client_for(personas.amal_user)
        url = reverse("opportunities:list")
        body = client.get(url).content.decode()
        assert "Barber" in body and "Packer" in body
        body = client.get(url, {"open_to_me": "on"}).content.decode()
        assert "Barber" not in body and "Packer" in body
        body = client.get(url, {"q": "packer", "kind": "job_full_time", "sector": "C"}).content.decode()
        assert "Packer" in body and "Barber" not in body
        gov = packer.governorate_id
        assert "Packer" in client.get(url, {"governorate": gov}).content.decode()
        assert "Packer" not in client.get(url, {"remote": "on"}).content.decode()
        assert barber.pk != packer.pk

    def test_detail_shows_the_verdict_in_english_and_arabic(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        barber = published(personas, title_en="Barber", title_ar="حلاق")
        url = reverse("opportunities:detail", args=[barber.pk])
        english = personas.client_for(personas.amal_user).get(url).content.decode()
        assert "Closed to non-Jordanians: barbers (list of 2023)." in english
        assert "Apply with my profile" not in english
        page = arabic(personas.client_for(personas.amal_user)).get(url)
        body = page.content.decode()
        assert 'dir="rtl"' in body and "الحلاقة" in body
        assert (
            personas.client_for(personas.omar.user).get(url).status_code == 200
            if personas.omar.user
            else True
        )

    def test_apply_follow_and_withdraw(self, personas: Personas, employer: EmployerProfile) -> None:
        offer = published(personas)
        client = personas.client_for(personas.amal_user)
        detail = client.get(reverse("opportunities:detail", args=[offer.pk])).content.decode()
        assert "Apply with my profile" in detail
        response = client.post(
            reverse("opportunities:apply", args=[offer.pk]), {"note": "Five years of sewing", "cv": pdf()}
        )
        assert response.status_code == 302
        application = Application.objects.get()
        assert application.cv_name == "cv.pdf"
        mine = client.get(reverse("opportunities:my_applications")).content.decode()
        assert offer.title_en in mine and "Applied" in mine
        cv = client.get(reverse("opportunities:application_cv", args=[application.pk]))
        assert cv.status_code == 200 and b"".join(cv.streaming_content).startswith(b"%PDF")
        again = client.post(reverse("opportunities:apply", args=[offer.pk]), {})
        assert again.status_code == 302
        client.post(reverse("opportunities:withdraw", args=[application.pk]))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.WITHDRAWN
        client.post(reverse("opportunities:withdraw", args=[application.pk]))
        assert page_weight(client, reverse("opportunities:my_applications")) < PAGE_BUDGET

    def test_apply_with_a_bad_cv_is_refused(self, personas: Personas, employer: EmployerProfile) -> None:
        offer = published(personas)
        client = personas.client_for(personas.amal_user)
        response = client.post(
            reverse("opportunities:apply", args=[offer.pk]),
            {"cv": SimpleUploadedFile("cv.exe", b"MZ\x00\x00")},
            follow=True,
        )
        assert "This kind of file is not accepted" in response.content.decode()
        assert not Application.objects.exists()

    def test_report_an_offer(self, personas: Personas, employer: EmployerProfile) -> None:
        offer = published(personas)
        client = personas.client_for(personas.amal_user)
        url = reverse("opportunities:report", args=[offer.pk])
        assert client.get(url).status_code == 200
        client.post(url, {"reason": "fees", "text": "Asked for money"})
        assert OpportunityReport.objects.get().reporter == personas.amal_user
        assert_forbidden(url, [None])

    def test_list_and_detail_are_light(self, personas: Personas, employer: EmployerProfile) -> None:
        offer = published(personas)
        client = personas.client_for(personas.amal_user)
        assert page_weight(client, reverse("opportunities:list")) < PAGE_BUDGET
        assert page_weight(client, reverse("opportunities:detail", args=[offer.pk])) < PAGE_BUDGET


class EmployerPageTests:
    def test_post_submit_and_manage_the_pipeline(self, personas: Personas, employer: EmployerProfile) -> None:
        client = personas.client_for(personas.employer)
        home = client.get(reverse("opportunities:employer_home"))
        assert home.status_code == 200 and "Zarqa Garments" in home.content.decode()
        create = reverse("opportunities:create", args=[personas.employer_org.pk])
        assert client.get(create).status_code == 200
        today = timezone.localdate()
        data = {
            "kind": "job_full_time",
            "title_en": "Pattern cutter",
            "title_ar": "قصّاص باترونات",
            "sector": "C",
            "governorate": personas.employer_org.governorate_id or 1,
            "wage_amount": "350",
            "wage_period": "month",
            "hours_per_week": "48",
            "seats": "2",
            "start_date": (today + dt.timedelta(days=20)).isoformat(),
            "closing_date": (today + dt.timedelta(days=10)).isoformat(),
            "open_to_non_jordanians": "on",
        }
        for i in range(5):
            data[f"importance_{i}"] = "3"
            data[f"level_{i}"] = "1"
        from maharat.skills.models import Skill

        Skill.objects.create(
            code="sewing",
            label_en="Industrial sewing",
            label_ar="خياطة صناعية",
            group="manufacturing",
            curated=True,
        )
        assert "Industrial sewing" in client.get(create).content.decode()
        unknown = client.post(create, {**data, "skill_0": "Juggling"})
        assert unknown.status_code == 200 and "No skill is called" in unknown.content.decode()
        response = client.post(
            create, {**data, "skill_0": "خياطة صناعية", "importance_0": "4", "level_0": "2"}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        offer = Opportunity.objects.get(title_en="Pattern cutter")
        assert list(offer.required_skills.values_list("skill__code", "importance", "min_proficiency")) == [
            ("sewing", 4, 2)
        ]
        edit = reverse("opportunities:edit", args=[personas.employer_org.pk, offer.pk])
        assert 'value="Industrial sewing"' in client.get(edit).content.decode()
        assert client.post(edit, {**data, "governorate": ""}).status_code == 200
        client.post(reverse("opportunities:submit", args=[offer.pk]))
        offer.refresh_from_db()
        assert offer.status == OpportunityStatus.PUBLISHED
        client.post(reverse("opportunities:submit", args=[offer.pk]))
        application = services.application_submit(actor=None, opportunity=offer, person=personas.amal)
        applicants = client.get(reverse("opportunities:applicants", args=[offer.pk])).content.decode()
        assert "Amal" in applicants or "أمل" in applicants
        manage = reverse("opportunities:application_manage", args=[application.pk])
        assert client.get(manage).status_code == 200
        client.post(manage, {"action": "move", "to_status": "interview"})
        application.refresh_from_db()
        assert application.status == ApplicationStatus.APPLIED
        client.post(manage, {"action": "move", "to_status": "shortlisted"})
        client.post(
            manage,
            {
                "action": "move",
                "to_status": "interview",
                "interview_at": "2027-01-10T10:00",
                "interview_place": "Factory office",
            },
        )
        application.refresh_from_db()
        assert application.status == ApplicationStatus.INTERVIEW
        client.post(manage, {"action": "message", "text": "See you on the 10th."})
        client.post(reverse("opportunities:close", args=[offer.pk]))
        client.post(reverse("opportunities:close", args=[offer.pk]))
        offer.refresh_from_db()
        assert offer.status == OpportunityStatus.CLOSED

    def test_document_upload_and_private_download(self, personas: Personas, rules: None) -> None:
        url = reverse("opportunities:employer_document", args=[personas.employer_org.pk])
        client = personas.client_for(personas.employer)
        assert client.get(url).status_code == 200
        bad = client.post(url, {"document": SimpleUploadedFile("x.gif", b"GIF89a")})
        assert bad.status_code == 200 and "not accepted" in bad.content.decode()
        assert client.post(url, {}).status_code == 200
        client.post(url, {"document": pdf("reg.pdf"), "insured_workers": "40"})
        profile = EmployerProfile.objects.get()
        assert profile.status == "pending" and profile.insured_workers == 40
        assert client.get(url).status_code == 200
        download = client.get(url, {"file": "1"})
        assert download.status_code == 200
        officer = personas.client_for(personas.officer)
        assert officer.get(url, {"file": "1"}).status_code == 200
        assert_forbidden(url, [None, personas.amal_user, personas.trainer, personas.researcher])
        assert_forbidden(url, [personas.amal_user], method="post", data={"document": pdf()})

    def test_employer_never_sees_another_employers_pipeline(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        from django.contrib.auth import get_user_model

        offer = published(personas)
        application = services.application_submit(actor=None, opportunity=offer, person=personas.amal)
        bakery = other_employer(personas)
        baker = get_user_model().objects.create_user(username="baker", password="x-Long-pass-1")
        Membership.objects.create(user=baker, organization=bakery, role=Role.EMPLOYER_RECRUITER)
        pending = draft(personas)
        for url in (
            reverse("opportunities:applicants", args=[offer.pk]),
            reverse("opportunities:application_manage", args=[application.pk]),
            reverse("opportunities:application_cv", args=[application.pk]),
            reverse("opportunities:edit", args=[personas.employer_org.pk, offer.pk]),
            reverse("opportunities:detail", args=[pending.pk]),
            reverse("opportunities:employer_document", args=[personas.employer_org.pk]),
        ):
            assert_forbidden(url, [None, baker, personas.hassan.user, personas.trainer, personas.researcher])
        for name in ("submit", "close"):
            assert_forbidden(reverse(f"opportunities:{name}", args=[offer.pk]), [None, baker], method="post")
        assert_forbidden(reverse("opportunities:employer_home"), [None, personas.amal_user, personas.trainer])
        assert bakery.kind == OrganizationKind.EMPLOYER

    def test_seeker_never_sees_another_seekers_application(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        from maharat.core.testing import english_client

        offer = published(personas)
        application = services.application_submit(
            actor=None, opportunity=offer, person=personas.amal, cv=pdf()
        )
        omar_user = personas.omar.user
        if omar_user is None:
            from django.contrib.auth import get_user_model

            omar_user = get_user_model().objects.create_user(username="omar", password="x-Long-pass-1")
            personas.omar.user = omar_user
            personas.omar.save(update_fields=["user"])
        assert_forbidden(reverse("opportunities:application_cv", args=[application.pk]), [omar_user])
        assert_forbidden(reverse("opportunities:withdraw", args=[application.pk]), [omar_user], method="post")
        assert_forbidden(reverse("opportunities:application_manage", args=[application.pk]), [omar_user])
        client = english_client()
        client.force_login(omar_user)
        assert offer.title_en not in client.get(reverse("opportunities:my_applications")).content.decode()
        assert_forbidden(reverse("opportunities:my_applications"), [personas.trainer])


class ModeratorPageTests:
    def test_queue_approve_reject_verify_and_resolve(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        flagged = draft(personas, description_en="Pay a registration fee first.")
        services.opportunity_submit(actor=personas.employer, opportunity=flagged)
        other = draft(personas, description_en="We keep your passport.")
        services.opportunity_submit(actor=personas.employer, opportunity=other)
        bakery = other_employer(personas)
        services.employer_document_upload(actor=personas.admin, organization=bakery, upload=pdf("r.pdf"))
        report = services.opportunity_report(
            actor=personas.amal_user, opportunity=published(personas), reason="fake"
        )
        client = personas.client_for(personas.officer)
        body = client.get(reverse("opportunities:moderation")).content.decode()
        assert "Asks candidates to pay a recruitment fee or deposit." in body
        assert "Irbid Bakery" in body and "fake" not in body and "Fake or misleading offer" in body
        arabic_body = arabic(personas.client_for(personas.officer)).get(reverse("opportunities:moderation"))
        assert 'dir="rtl"' in arabic_body.content.decode()
        client.post(
            reverse("opportunities:moderate", args=[flagged.pk]), {"decision": "approve", "note": "ok"}
        )
        client.post(reverse("opportunities:moderate", args=[other.pk]), {"decision": "reject", "note": ""})
        client.post(reverse("opportunities:moderate", args=[other.pk]), {})
        client.post(
            reverse("opportunities:moderate", args=[other.pk]), {"decision": "reject", "note": "passports"}
        )
        flagged.refresh_from_db()
        other.refresh_from_db()
        assert (flagged.status, other.status) == (OpportunityStatus.PUBLISHED, OpportunityStatus.REJECTED)
        client.post(reverse("opportunities:verify_employer", args=[bakery.pk]), {"decision": "approve"})
        assert EmployerProfile.objects.get(organization=bakery).is_verified
        client.post(reverse("opportunities:resolve_report", args=[report.pk]), {})
        client.post(
            reverse("opportunities:resolve_report", args=[report.pk]), {"note": "called the employer"}
        )
        client.post(reverse("opportunities:resolve_report", args=[report.pk]), {"note": "again"})
        report.refresh_from_db()
        assert report.status == "resolved"

    def test_followups_recorded_by_staff_or_employer(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        offer = published(personas)
        application = services.application_submit(actor=None, opportunity=offer, person=personas.amal)
        placement = services.placement_create(
            actor=personas.employer,
            application=application,
            start_date=timezone.localdate() - dt.timedelta(days=40),
            wage_amount=None,
        )
        check = placement.checks.get(month=1)
        staff = personas.client_for(personas.officer)
        body = staff.get(reverse("opportunities:followups")).content.decode()
        assert "overdue" in body
        url = reverse("opportunities:retention_record", args=[check.pk])
        assert staff.get(url).status_code == 200
        staff.post(url, {"still_employed": "yes", "earnings_amount": "320"})
        check.refresh_from_db()
        assert check.still_employed is True
        late = placement.checks.get(month=6)
        employer_client = personas.client_for(personas.employer)
        response = employer_client.post(
            reverse("opportunities:retention_record", args=[late.pk]), {"still_employed": "no"}
        )
        assert response.status_code == 200 and "not due yet" in response.content.decode()
        three = placement.checks.get(month=3)
        three.due_on = timezone.localdate()
        three.save()
        employer_client.post(
            reverse("opportunities:retention_record", args=[three.pk]), {"still_employed": "no"}
        )
        three.refresh_from_db()
        assert three.still_employed is False
        manage = employer_client.get(reverse("opportunities:application_manage", args=[application.pk]))
        body = manage.content.decode()
        assert "still employed, 320 JOD" in body and "no longer employed" in body and "not due yet" in body
        assert_forbidden(url, [None, personas.amal_user, personas.trainer, personas.researcher])

    def test_staff_pages_forbidden_to_others(self, personas: Personas, employer: EmployerProfile) -> None:
        offer = draft(personas)
        users: list[Any] = [
            None,
            personas.amal_user,
            personas.employer,
            personas.trainer,
            personas.researcher,
        ]
        assert_forbidden(reverse("opportunities:moderation"), users)
        assert_forbidden(reverse("opportunities:followups"), users)
        assert_forbidden(reverse("opportunities:moderate", args=[offer.pk]), users, method="post")
        assert_forbidden(
            reverse("opportunities:verify_employer", args=[personas.employer_org.pk]), users, method="post"
        )


class QueryCountTests:
    def test_list_pages_do_not_grow_with_rows(
        self, personas: Personas, employer: EmployerProfile, django_assert_max_num_queries: Any
    ) -> None:
        offers = [published(personas) for _ in range(3)]
        for offer in offers:
            services.application_submit(actor=None, opportunity=offer, person=personas.amal)
            services.application_submit(actor=None, opportunity=offer, person=personas.hassan)
        seeker = personas.client_for(personas.amal_user)
        employer_client = personas.client_for(personas.employer)
        staff = personas.client_for(personas.officer)
        pages = [
            (seeker, reverse("opportunities:list"), {"open_to_me": "on"}),
            (seeker, reverse("opportunities:my_applications"), {}),
            (employer_client, reverse("opportunities:employer_home"), {}),
            (employer_client, reverse("opportunities:applicants", args=[offers[0].pk]), {}),
            (staff, reverse("opportunities:moderation"), {}),
        ]
        counts = []
        for client, url, params in pages:
            with django_assert_max_num_queries(20) as captured:
                assert client.get(url, params).status_code == 200
            counts.append(len(captured))
        for _ in range(3):
            offer = published(personas)
            services.application_submit(actor=None, opportunity=offer, person=personas.amal)
        for (client, url, params), before in zip(pages, counts, strict=True):
            with django_assert_max_num_queries(before) as captured:
                client.get(url, params)


class ArabicPageTests:
    def test_every_page_renders_right_to_left(self, personas: Personas, employer: EmployerProfile) -> None:
        offer = published(personas)
        application = services.application_submit(actor=None, opportunity=offer, person=personas.amal)
        placement = services.placement_create(
            actor=personas.employer,
            application=application,
            start_date=timezone.localdate(),
            wage_amount=None,
        )
        check = placement.checks.first()
        assert check is not None
        pages = [
            (personas.amal_user, reverse("opportunities:list")),
            (personas.amal_user, reverse("opportunities:detail", args=[offer.pk])),
            (personas.amal_user, reverse("opportunities:my_applications")),
            (personas.amal_user, reverse("opportunities:report", args=[offer.pk])),
            (personas.employer, reverse("opportunities:employer_home")),
            (personas.employer, reverse("opportunities:create", args=[personas.employer_org.pk])),
            (personas.employer, reverse("opportunities:applicants", args=[offer.pk])),
            (personas.employer, reverse("opportunities:application_manage", args=[application.pk])),
            (personas.employer, reverse("opportunities:employer_document", args=[personas.employer_org.pk])),
            (personas.officer, reverse("opportunities:moderation")),
            (personas.officer, reverse("opportunities:followups")),
            (personas.officer, reverse("opportunities:retention_record", args=[check.pk])),
        ]
        for user, url in pages:
            response = arabic(personas.client_for(user)).get(url)
            assert response.status_code == 200, url
            assert 'dir="rtl"' in response.content.decode(), url

    def test_bad_apply_form_shows_the_error(self, personas: Personas, employer: EmployerProfile) -> None:
        offer = published(personas)
        client = personas.client_for(personas.amal_user)
        response = client.post(
            reverse("opportunities:apply", args=[offer.pk]), {"note": "x" * 2001}, follow=True
        )
        assert "2000" in response.content.decode()
        assert not Application.objects.exists()
        assert_forbidden(reverse("opportunities:apply", args=[offer.pk]), [personas.employer], method="post")

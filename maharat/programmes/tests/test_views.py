"""Programme pages: staff configure calls and run selections; beneficiaries apply and answer offers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from maharat.core.testing import PAGE_BUDGET, Personas, assert_forbidden, page_weight
from maharat.programmes.choices import ApplicationStatus, ApplyChannel, CallStatus, Group, QuestionKind
from maharat.programmes.models import Application, Call, Enrolment, Programme, Quota, SelectionRun
from maharat.programmes.services import application_submit
from maharat.programmes.tests.factories import add_question, applicant


@pytest.fixture
def applied(personas: Personas, call: Call) -> list[Application]:
    Quota.objects.create(call=call, group=Group.WOMEN, min_share=Decimal("0.5"))
    people = [personas.amal, personas.hassan, applicant(personas), applicant(personas, sex="M")]
    return [
        application_submit(actor=personas.officer, call=call, person=p, channel=ApplyChannel.STAFF)
        for p in people
    ]


def staff_urls(call: Call, application: Application) -> list[str]:
    return [
        reverse("programmes:programme_list"),
        reverse("programmes:programme_detail", args=[call.programme.pk]),
        reverse("programmes:programme_edit", args=[call.programme.pk]),
        reverse("programmes:call_detail", args=[call.pk]),
        reverse("programmes:call_edit", args=[call.pk]),
        reverse("programmes:call_rules", args=[call.pk]),
        reverse("programmes:application_list", args=[call.pk]),
        reverse("programmes:application_detail", args=[application.pk]),
        reverse("programmes:apply_on_behalf", args=[call.pk]),
        reverse("programmes:selection_start", args=[call.pk]),
    ]


class StaffPageTests:
    def test_the_owner_officer_sees_every_page(
        self, personas: Personas, call: Call, applied: list[Application]
    ) -> None:
        client = personas.client_for(personas.officer)
        for url in staff_urls(call, applied[0]):
            response = client.get(url)
            assert response.status_code == 200, url

    def test_other_partners_and_other_roles_are_refused(
        self, personas: Personas, call: Call, applied: list[Application]
    ) -> None:
        refused = [
            personas.anonymous,
            personas.other_officer,
            personas.employer,
            personas.researcher,
            personas.trainer,
            personas.amal_user,
        ]
        for url in staff_urls(call, applied[0])[1:]:
            assert_forbidden(url, refused)
        assert_forbidden(reverse("programmes:programme_list"), [personas.anonymous, personas.employer])

    def test_an_officer_lists_only_their_organizations_programmes(
        self, personas: Personas, call: Call
    ) -> None:
        response = personas.client_for(personas.other_officer).get(reverse("programmes:programme_list"))
        assert response.status_code == 200 and call.programme.label_en not in response.content.decode()

    def test_create_a_programme_and_a_call(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        response = client.post(
            reverse("programmes:programme_create"),
            {
                "owner": personas.partner.pk,
                "slug": "coding-mafraq",
                "label_ar": "البرمجة في المفرق",
                "label_en": "Coding in Mafraq",
                "starts_on": "2027-01-10",
                "ends_on": "2027-12-20",
                "target_groups": ["women", "refugees"],
                "components": ["training"],
            },
        )
        programme = Programme.objects.get(slug="coding-mafraq")
        assert response.status_code == 302 and programme.target_groups == ["women", "refugees"]
        response = client.post(
            reverse("programmes:call_create", args=[programme.pk]),
            {
                "code": "CODE27",
                "label_ar": "الدفعة الأولى",
                "label_en": "First intake",
                "status": CallStatus.PUBLISHED,
                "opens_on": "2026-11-01",
                "closes_on": "2026-12-31",
                "seats": "30",
                "channels": ["web", "sms"],
                "min_age": "18",
                "max_age": "35",
                "sexes": [],
                "disability": "any",
                "previous_participation": "allowed",
                "control_percent": "20",
            },
        )
        call = Call.objects.get(code="CODE27")
        assert response.status_code == 302 and call.channels == ["web", "sms"]
        assert call.control_share == Decimal("0.2")

    def test_bad_call_dates_are_refused_with_a_message(self, personas: Personas, call: Call) -> None:
        client = personas.client_for(personas.officer)
        response = client.post(
            reverse("programmes:call_edit", args=[call.pk]),
            {
                "code": call.code,
                "label_ar": "x",
                "label_en": "x",
                "status": "published",
                "opens_on": "2026-12-01",
                "closes_on": "2026-11-01",
                "seats": "5",
                "disability": "any",
                "previous_participation": "allowed",
                "min_age": "30",
                "max_age": "20",
            },
        )
        assert response.status_code == 200
        assert "must close after it opens" in response.content.decode()
        assert "maximum age must not be below" in response.content.decode()
        call.refresh_from_db()
        assert call.seats == 2

    def test_rules_page_saves_quotas_and_re_evaluates(
        self, personas: Personas, call: Call, applied: list[Application]
    ) -> None:
        client = personas.client_for(personas.officer)
        quota = call.quotas.get()
        data = {
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-0-code": "income",
            "questions-0-label_ar": "الدخل",
            "questions-0-label_en": "Income",
            "questions-0-kind": "number",
            "questions-0-required": "",
            "questions-0-position": "1",
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "0",
            "criteria-0-criterion": "refugee",
            "criteria-0-points": "4",
            "quotas-TOTAL_FORMS": "2",
            "quotas-INITIAL_FORMS": "1",
            "quotas-0-id": str(quota.pk),
            "quotas-0-group": "women",
            "quotas-0-min_percent": "60",
            "quotas-0-reserved_seats": "0",
            "quotas-1-group": "disability",
            "quotas-1-min_percent": "7",
            "quotas-1-reserved_seats": "1",
            "caps-TOTAL_FORMS": "1",
            "caps-INITIAL_FORMS": "0",
            "caps-0-attribute": "governorate",
            "caps-0-value": "",
            "caps-0-max_percent": "50",
        }
        response = client.post(reverse("programmes:call_rules", args=[call.pk]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert sorted((q.group, q.min_share) for q in call.quotas.all()) == [
            ("disability", Decimal("0.070")),
            ("women", Decimal("0.600")),
        ]
        assert call.caps.get().max_share == Decimal("0.500")
        assert Application.objects.get(person=personas.amal).score == Decimal("4")

    def test_a_cap_without_a_limit_is_refused(self, personas: Personas, call: Call) -> None:
        data = {
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "criteria-TOTAL_FORMS": "0",
            "criteria-INITIAL_FORMS": "0",
            "quotas-TOTAL_FORMS": "0",
            "quotas-INITIAL_FORMS": "0",
            "caps-TOTAL_FORMS": "1",
            "caps-INITIAL_FORMS": "0",
            "caps-0-attribute": "governorate",
        }
        response = personas.client_for(personas.officer).post(
            reverse("programmes:call_rules", args=[call.pk]), data
        )
        assert (
            response.status_code == 200 and "Give a number of people or a share" in response.content.decode()
        )
        assert not call.caps.exists()

    def test_apply_on_behalf_finds_the_person_by_phone(self, personas: Personas, call: Call) -> None:
        client = personas.client_for(personas.officer)
        url = reverse("programmes:apply_on_behalf", args=[call.pk])
        found = client.get(url, {"lookup": "0775556677"})
        assert "Hassan" in found.content.decode() or "حسن" in found.content.decode()
        missing = client.get(url, {"lookup": "0790000000"})
        assert "No registered person you may see" in missing.content.decode()
        response = client.post(url, {"person": personas.hassan.pk, "consent": "on"})
        assert response.status_code == 302
        application = Application.objects.get(person=personas.hassan)
        assert application.channel == ApplyChannel.STAFF and application.organization == personas.partner

    def test_staff_cannot_apply_for_someone_they_may_not_see(self, personas: Personas, call: Call) -> None:
        client = personas.client_for(personas.officer)
        client.post(
            reverse("programmes:apply_on_behalf", args=[call.pk]),
            {"person": personas.omar.pk, "consent": "on"},
        )
        assert not Application.objects.filter(person=personas.omar).exists()

    def test_withdraw_from_the_application_page(
        self, personas: Personas, call: Call, applied: list[Application]
    ) -> None:
        client = personas.client_for(personas.officer)
        url = reverse("programmes:application_detail", args=[applied[1].pk])
        assert client.post(url, {"reason": "found work"}).status_code == 302
        applied[1].refresh_from_db()
        assert applied[1].status == ApplicationStatus.WITHDRAWN


class SelectionPageTests:
    def test_run_report_export_and_verify(
        self, personas: Personas, call: Call, applied: list[Application]
    ) -> None:
        client = personas.client_for(personas.officer)
        response = client.post(reverse("programmes:selection_start", args=[call.pk]), {"seed": "2026"})
        run = SelectionRun.objects.get(call=call)
        assert response.status_code == 302 and run.seed == 2026
        page = client.get(reverse("programmes:selection_report", args=[run.pk])).content.decode()
        assert "2026" in page and "Women" in page and "Optimal" in page
        assert "Selected" in page and "Waiting list" in page
        exported = client.get(reverse("programmes:selection_export", args=[run.pk, "csv"]))
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0][:2] == ["Rank", "Application"] and len(rows) == 5
        xlsx = client.get(reverse("programmes:selection_export", args=[run.pk, "xlsx"]))
        assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        verified = client.post(reverse("programmes:selection_verify", args=[run.pk]), follow=True)
        assert "Verified" in verified.content.decode()

    def test_report_is_refused_to_other_partners(
        self, personas: Personas, call: Call, applied: list[Application]
    ) -> None:
        from maharat.programmes.selecting import selection_run

        run = selection_run(actor=personas.officer, call=call, seed=1)
        for url in (
            reverse("programmes:selection_report", args=[run.pk]),
            reverse("programmes:selection_export", args=[run.pk, "csv"]),
        ):
            assert_forbidden(
                url, [personas.anonymous, personas.other_officer, personas.employer, personas.researcher]
            )

    def test_a_bad_seed_is_refused(self, personas: Personas, call: Call, applied: list[Application]) -> None:
        client = personas.client_for(personas.officer)
        response = client.post(reverse("programmes:selection_start", args=[call.pk]), {"seed": "-4"})
        assert response.status_code == 200 and not SelectionRun.objects.exists()


class BeneficiaryPageTests:
    def test_open_calls_are_public(self, client: object, call: Call) -> None:
        response = client.get(reverse("programmes:open_calls"))  # type: ignore[attr-defined]
        assert response.status_code == 200 and "Digital skills intake" in response.content.decode()

    def test_amal_applies_and_reads_why_in_plain_words(self, personas: Personas, call: Call) -> None:
        call.max_age = 30
        call.save()
        add_question(call, "device", QuestionKind.YES_NO)
        client = personas.client_for(personas.amal_user)
        url = reverse("programmes:call_public", args=[call.pk])
        refused = client.post(url, {"q_device": "yes"})
        assert refused.status_code == 200 and not Application.objects.exists()  # consent box not ticked
        response = client.post(url, {"q_device": "yes", "consent": "on"})
        assert response.status_code == 302
        page = client.get(reverse("programmes:my_applications")).content.decode()
        assert "You must be at most 30 years old; you are 32." in page

    def test_amal_accepts_her_offer(self, personas: Personas, call: Call) -> None:
        application = application_submit(
            actor=personas.amal_user, call=call, person=personas.amal, channel=ApplyChannel.WEB
        )
        Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SELECTED)
        client = personas.client_for(personas.amal_user)
        response = client.post(
            reverse("programmes:my_application_respond", args=[application.pk]), {"answer": "accept"}
        )
        assert response.status_code == 302 and Enrolment.objects.filter(person=personas.amal).exists()

    def test_nobody_answers_someone_elses_offer(self, personas: Personas, call: Call) -> None:
        application = application_submit(
            actor=personas.officer, call=call, person=personas.hassan, channel=ApplyChannel.STAFF
        )
        url = reverse("programmes:my_application_respond", args=[application.pk])
        assert_forbidden(url, [personas.anonymous, personas.amal_user, personas.officer], method="post")

    def test_pages_are_arabic_and_light(self, personas: Personas, call: Call) -> None:
        application_submit(
            actor=personas.amal_user, call=call, person=personas.amal, channel=ApplyChannel.WEB
        )
        client = personas.client_for(personas.amal_user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        for name, args in (("programmes:my_applications", []), ("programmes:call_public", [call.pk])):
            response = client.get(reverse(name, args=args))
            body = response.content.decode()
            assert 'dir="rtl"' in body and "طلباتي" in body
            assert page_weight(client, reverse(name, args=args)) < PAGE_BUDGET

    def test_a_closed_call_is_not_shown_to_the_public(self, client: object, call: Call) -> None:
        call.status = CallStatus.CLOSED
        call.save()
        assert client.get(reverse("programmes:call_public", args=[call.pk])).status_code == 404  # type: ignore[attr-defined]


class CapFormTests:
    def test_unknown_governorate_or_organization_is_refused(self, personas: Personas, call: Call) -> None:
        client = personas.client_for(personas.officer)
        base = {
            "questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0",
            "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0",
            "quotas-TOTAL_FORMS": "0", "quotas-INITIAL_FORMS": "0",
            "caps-TOTAL_FORMS": "1", "caps-INITIAL_FORMS": "0", "caps-0-max_count": "3",
        }  # fmt: skip
        url = reverse("programmes:call_rules", args=[call.pk])
        page = client.post(url, {**base, "caps-0-attribute": "governorate", "caps-0-value": "XX"})
        assert "No governorate has this code." in page.content.decode()
        page = client.post(url, {**base, "caps-0-attribute": "organization", "caps-0-value": "nobody"})
        assert "No organization has this short name." in page.content.decode()
        ok = client.post(url, {**base, "caps-0-attribute": "governorate", "caps-0-value": "ma"})
        assert ok.status_code == 302 and call.caps.get().value == "MA"

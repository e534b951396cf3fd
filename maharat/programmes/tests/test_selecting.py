"""Selection runs from the Django side: stored, explained, verified, followed by offers and replacements."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from maharat.core.errors import DomainError
from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.people.choices import LegalStatus, Sex
from maharat.programmes.choices import ApplicationStatus, ApplyChannel, CapAttribute, Group, NoticeKind
from maharat.programmes.explain import describe_outcome, describe_run_notes
from maharat.programmes.models import Application, Call, Cap, Notice, Quota, SelectionRun
from maharat.programmes.selecting import data_hash, selection_run, selection_verify
from maharat.programmes.services import application_respond, application_submit, application_withdraw
from maharat.programmes.tests.factories import applicant


def apply(personas: Personas, call: Call, score: str, **person: object) -> Application:
    application = application_submit(
        actor=personas.officer,
        call=call,
        person=applicant(personas, **person),  # type: ignore[arg-type]
        channel=ApplyChannel.STAFF,
    )
    Application.objects.filter(pk=application.pk).update(score=Decimal(score))
    application.refresh_from_db()
    return application


@pytest.fixture
def field(personas: Personas, call: Call) -> dict[str, Application]:
    """Two seats, women ≥ 50%: two high-scoring men, two lower-scoring women, one refugee man."""
    Quota.objects.create(call=call, group=Group.WOMEN, min_share=Decimal("0.5"))
    return {
        "m1": apply(personas, call, "10", sex=Sex.MALE),
        "m2": apply(personas, call, "9", sex=Sex.MALE),
        "w1": apply(personas, call, "8"),
        "w2": apply(personas, call, "3"),
        "r1": apply(personas, call, "1", sex=Sex.MALE, legal_status=LegalStatus.REFUGEE),
    }


def status(application: Application) -> str:
    application.refresh_from_db()
    return application.status


class RunTests:
    def test_selects_the_best_cohort_that_meets_the_quota(
        self, personas: Personas, call: Call, field: dict[str, Application]
    ) -> None:
        run = selection_run(actor=personas.officer, call=call, seed=7)
        assert run.status == "optimal" and run.selected_count == 2
        assert run.total_score == Decimal("18")
        assert [status(field[k]) for k in ("m1", "m2", "w1", "w2", "r1")] == [
            ApplicationStatus.SELECTED,
            ApplicationStatus.WAITLISTED,
            ApplicationStatus.SELECTED,
            ApplicationStatus.WAITLISTED,
            ApplicationStatus.WAITLISTED,
        ]

    def test_records_everything_needed_to_re_run_it(
        self, personas: Personas, call: Call, field: dict[str, Application]
    ) -> None:
        run = selection_run(actor=personas.officer, call=call, seed=7)
        assert run.seed == 7 and run.run_by == personas.officer and run.number == 1
        assert run.input_hash == data_hash(run.inputs) and len(run.inputs) == 5
        assert run.rules["quotas"] == [{"group": "women", "min_share": "0.500", "reserved_seats": 0}]
        assert run.code_version.startswith("maharat ") and "selection " in run.code_version
        check = selection_verify(run)
        assert check.ok and check.data_unchanged

    def test_verification_notices_changed_data(
        self, personas: Personas, call: Call, field: dict[str, Application]
    ) -> None:
        run = selection_run(actor=personas.officer, call=call, seed=7)
        Application.objects.filter(pk=field["w2"].pk).update(score=Decimal("4"))
        assert not selection_verify(run).data_unchanged
        SelectionRun.objects.filter(pk=run.pk).update(input_hash="0" * 64)
        run.refresh_from_db()
        assert not selection_verify(run).ok

    def test_same_seed_same_cohort(self, personas: Personas, call: Call) -> None:
        tied = [apply(personas, call, "5") for _ in range(5)]
        first = selection_run(actor=personas.officer, call=call, seed=99)
        second = selection_run(actor=personas.officer, call=call, seed=99)
        assert first.result["selected"] == second.result["selected"] and second.number == 2
        chosen = {a.pk for a in tied if status(a) == ApplicationStatus.SELECTED}
        assert {int(k) for k in second.result["selected"]} == chosen
        reason = second.result["reasons"][second.result["selected"][0]]
        assert "lottery" in describe_outcome(reason)

    def test_each_person_gets_a_notice_and_each_change_an_audit_row(
        self, personas: Personas, call: Call, field: dict[str, Application]
    ) -> None:
        selection_run(actor=personas.officer, call=call, seed=1)
        assert Notice.objects.filter(kind=NoticeKind.SELECTED).count() == 2
        assert Notice.objects.filter(kind=NoticeKind.WAITLISTED).count() == 3
        assert AuditLog.objects.filter(reason__startswith="selection run 1").count() == 5

    def test_ineligible_applicants_are_left_out(self, personas: Personas, call: Call) -> None:
        young = apply(personas, call, "9")
        call.max_age = 20
        call.save()
        from maharat.programmes.services import applications_reevaluate

        applications_reevaluate(call=call)
        with pytest.raises(DomainError, match="no eligible"):
            selection_run(actor=personas.officer, call=call, seed=1)
        assert status(young) == ApplicationStatus.SUBMITTED

    def test_refuses_a_new_run_after_people_answered(
        self, personas: Personas, call: Call, field: dict[str, Application]
    ) -> None:
        selection_run(actor=personas.officer, call=call, seed=1)
        application_respond(actor=personas.officer, application=field["m1"], accept=True)
        with pytest.raises(DomainError, match="answered"):
            selection_run(actor=personas.officer, call=call, seed=2)

    def test_explains_infeasible_quotas_and_relaxes_them(self, personas: Personas, call: Call) -> None:
        Quota.objects.create(call=call, group=Group.DISABILITY, min_share=Decimal("0.5"))
        for score in ("5", "4", "3"):
            apply(personas, call, score)
        run = selection_run(actor=personas.officer, call=call, seed=3)
        assert run.status == "relaxed" and run.selected_count == 2
        notes = describe_run_notes(run.result)
        assert any(
            "Only 0 eligible applicants are Persons with disabilities" in line for line in notes["lines"]
        )
        assert any("Proposed relaxation" in line for line in notes["lines"])
        with translation.override("ar"):
            assert describe_run_notes(run.result)["lines"][0] != notes["lines"][0]

    def test_caps_hold(self, personas: Personas, call: Call) -> None:
        Cap.objects.create(call=call, attribute=CapAttribute.GOVERNORATE, max_count=1)
        top = apply(personas, call, "9", governorate="IR")
        apply(personas, call, "8", governorate="IR")
        third = apply(personas, call, "1", governorate="MA")
        run = selection_run(actor=personas.officer, call=call, seed=3)
        assert {int(k) for k in run.result["selected"]} == {top.pk, third.pk}

    def test_control_group_is_held_back(self, personas: Personas, call: Call) -> None:
        call.control_share = Decimal("0.5")
        call.seats = 2
        call.save()
        for score in ("5", "5", "5", "5", "5", "5"):
            apply(personas, call, score)
        run = selection_run(actor=personas.officer, call=call, seed=3)
        assert run.selected_count == 2 and len(run.result["control"]) == 2
        assert Application.objects.filter(status=ApplicationStatus.CONTROL).count() == 2
        assert Notice.objects.filter(kind=NoticeKind.NOT_SELECTED).count() == 2


class ReplacementTests:
    def test_the_next_person_who_keeps_the_quota_gets_the_seat(
        self, personas: Personas, call: Call, field: dict[str, Application]
    ) -> None:
        selection_run(actor=personas.officer, call=call, seed=1)
        replacement = application_withdraw(actor=personas.officer, application=field["w1"], reason="moved")
        # m2 is next in rank, but two men would break the women quota: w2 is offered the seat.
        assert replacement == field["w2"]
        assert status(field["w2"]) == ApplicationStatus.SELECTED
        assert status(field["m2"]) == ApplicationStatus.WAITLISTED
        assert field["w2"].notices.filter(kind=NoticeKind.SELECTED).exists()

    def test_a_declined_seat_goes_to_the_next_in_rank(
        self, personas: Personas, call: Call, field: dict[str, Application]
    ) -> None:
        selection_run(actor=personas.officer, call=call, seed=1)
        replacement = application_respond(actor=personas.officer, application=field["m1"], accept=False)
        assert replacement == field["m2"]

    def test_no_replacement_when_nobody_keeps_the_quota(self, personas: Personas, call: Call) -> None:
        Quota.objects.create(call=call, group=Group.WOMEN, min_share=Decimal("0.5"))
        woman = apply(personas, call, "9")
        apply(personas, call, "8", sex=Sex.MALE)
        apply(personas, call, "7", sex=Sex.MALE)
        selection_run(actor=personas.officer, call=call, seed=1)
        assert application_withdraw(actor=personas.officer, application=woman) is None
        assert Application.objects.filter(status=ApplicationStatus.SELECTED).count() == 1


class OrganizationCapTests:
    def test_a_cap_names_the_referring_organization_by_its_short_name(
        self, personas: Personas, call: Call
    ) -> None:
        Cap.objects.create(
            call=call, attribute=CapAttribute.ORGANIZATION, value=personas.partner.slug, max_count=1
        )

        def referred(score: str, organization: object) -> Application:
            application = application_submit(
                actor=personas.admin,
                call=call,
                person=applicant(personas),
                channel=ApplyChannel.STAFF,
                organization=organization,  # type: ignore[arg-type]
            )
            Application.objects.filter(pk=application.pk).update(score=Decimal(score))
            return application

        first = referred("9", personas.partner)
        referred("8", personas.partner)
        other = referred("1", personas.other_partner)
        run = selection_run(actor=personas.officer, call=call, seed=3)
        assert {int(k) for k in run.result["selected"]} == {first.pk, other.pk}
        assert run.rules["caps"][0]["value"] == str(personas.partner.pk)

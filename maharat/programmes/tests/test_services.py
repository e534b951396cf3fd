"""Applying, re-evaluating, answering offers and withdrawing: every write checked, audited, and all-or-nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from maharat.core.errors import DomainError
from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.people.choices import ConsentPurpose
from maharat.people.models import Consent
from maharat.people.services import consent_withdraw
from maharat.programmes.choices import (
    ApplicationStatus,
    ApplyChannel,
    CallStatus,
    Criterion,
    NoticeKind,
    QuestionKind,
)
from maharat.programmes.models import Application, Call, Enrolment, Notice, PriorityCriterion
from maharat.programmes.services import (
    application_respond,
    application_submit,
    application_withdraw,
    applications_reevaluate,
    cohort_for,
)
from maharat.programmes.tests.factories import add_question


def submit(personas: Personas, call: Call, person: object = None, **kwargs: object) -> Application:
    values: dict[str, object] = {"channel": ApplyChannel.WEB, "answers": {}}
    values.update(kwargs)
    return application_submit(actor=personas.amal_user, call=call, person=person or personas.amal, **values)  # type: ignore[arg-type]


class SubmitTests:
    def test_records_eligibility_priority_receipt_and_audit(self, personas: Personas, call: Call) -> None:
        PriorityCriterion.objects.create(call=call, criterion=Criterion.REFUGEE, points=Decimal("2"))
        application = submit(personas, call)
        assert application.eligible and application.score == Decimal("2")
        assert application.status == ApplicationStatus.SUBMITTED
        notice = Notice.objects.get(application=application)
        assert notice.kind == NoticeKind.RECEIVED and notice.language == "ar"
        assert "دفعة المهارات الرقمية" in notice.text  # Amal reads Arabic: the call's Arabic title
        assert AuditLog.objects.filter(
            subject_type="programmes.application", person_id=personas.amal.pk
        ).exists()

    def test_applying_shares_the_record_with_the_programme_owner(
        self, personas: Personas, call: Call
    ) -> None:
        call.programme.owner = personas.other_partner
        call.programme.save()
        submit(personas, call)
        sharing = Consent.objects.get(person=personas.amal, purpose=ConsentPurpose.SHARING)
        assert list(sharing.organizations.all()) == [personas.other_partner]

    def test_one_application_per_person_per_call(self, personas: Personas, call: Call) -> None:
        submit(personas, call)
        with pytest.raises(DomainError, match="already applied"):
            submit(personas, call)
        assert Application.objects.count() == 1

    def test_refuses_a_closed_or_draft_call(self, personas: Personas, call: Call) -> None:
        call.closes_on = call.opens_on = dt.date(2020, 1, 1)
        call.save()
        with pytest.raises(DomainError, match="not open"):
            submit(personas, call)
        call.closes_on = dt.date(2099, 1, 1)
        call.status = CallStatus.DRAFT
        call.save()
        with pytest.raises(DomainError, match="not open"):
            submit(personas, call)
        assert not Application.objects.exists()

    def test_refuses_a_channel_the_call_does_not_take(self, personas: Personas, call: Call) -> None:
        call.channels = [ApplyChannel.SMS]
        call.save()
        with pytest.raises(DomainError, match="this way"):
            submit(personas, call)
        staff = application_submit(
            actor=personas.officer, call=call, person=personas.amal, channel=ApplyChannel.STAFF
        )
        assert staff.channel == ApplyChannel.STAFF

    def test_refuses_without_registration_consent_and_writes_nothing(
        self, personas: Personas, call: Call
    ) -> None:
        for consent in Consent.objects.filter(person=personas.amal, purpose=ConsentPurpose.REGISTRATION):
            consent_withdraw(actor=personas.amal_user, consent=consent)
        before = AuditLog.objects.count()
        with pytest.raises(DomainError, match="consent"):
            submit(personas, call)
        assert not Application.objects.exists() and AuditLog.objects.count() == before

    def test_bad_answers_are_refused_question_by_question(self, personas: Personas, call: Call) -> None:
        add_question(call, "income", QuestionKind.NUMBER)
        add_question(call, "device", QuestionKind.YES_NO)
        add_question(call, "hours", QuestionKind.CHOICE, options=[["a", "A", "أ"], ["b", "B", "ب"]])
        with pytest.raises(DomainError) as caught:
            submit(personas, call, answers={"income": "a lot", "device": "maybe", "hours": "z"})
        assert set(caught.value.message_dict) == {"income", "device", "hours"}
        assert not Application.objects.exists()
        ok = submit(personas, call, answers={"income": "1,200", "device": "نعم", "hours": "b"})
        assert ok.answers == {"income": "1,200", "device": "yes", "hours": "b"}

    def test_anonymized_people_cannot_apply(self, personas: Personas, call: Call) -> None:
        from maharat.people.services import person_anonymize

        person_anonymize(actor=personas.admin, person=personas.hassan, reason="asked")
        personas.hassan.refresh_from_db()
        with pytest.raises(DomainError):
            submit(personas, call, person=personas.hassan)


class ReevaluateTests:
    def test_new_rules_apply_to_applications_already_in(self, personas: Personas, call: Call) -> None:
        application = submit(personas, call)
        call.max_age = 25
        call.save()
        PriorityCriterion.objects.create(call=call, criterion=Criterion.WOMAN, points=Decimal("1"))
        assert applications_reevaluate(call=call) == 1
        application.refresh_from_db()
        assert not application.eligible and application.score == Decimal("1")


class OfferTests:
    def offered(self, personas: Personas, call: Call) -> Application:
        application = submit(personas, call)
        Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SELECTED)
        application.refresh_from_db()
        return application

    def test_accepting_enrols_in_the_cohort(self, personas: Personas, call: Call) -> None:
        application = self.offered(personas, call)
        application_respond(actor=personas.amal_user, application=application, accept=True)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ENROLLED
        enrolment = Enrolment.objects.get(person=personas.amal)
        assert enrolment.cohort == cohort_for(call) and enrolment.application == application
        assert application.notices.filter(kind=NoticeKind.ENROLLED).exists()

    def test_declining_frees_the_seat(self, personas: Personas, call: Call) -> None:
        application = self.offered(personas, call)
        assert application_respond(actor=personas.amal_user, application=application, accept=False) is None
        application.refresh_from_db()
        assert application.status == ApplicationStatus.DECLINED
        assert not Enrolment.objects.exists()

    def test_no_answer_without_an_offer(self, personas: Personas, call: Call) -> None:
        application = submit(personas, call)
        with pytest.raises(DomainError, match="no open offer"):
            application_respond(actor=personas.amal_user, application=application, accept=True)

    def test_withdrawing_ends_the_enrolment(self, personas: Personas, call: Call) -> None:
        application = self.offered(personas, call)
        application_respond(actor=personas.amal_user, application=application, accept=True)
        application_withdraw(actor=personas.officer, application=application, reason="moved to Irbid")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.WITHDRAWN
        assert Enrolment.objects.get().status == Enrolment.Status.WITHDRAWN
        with pytest.raises(DomainError, match="already withdrawn"):
            application_withdraw(actor=personas.officer, application=application)

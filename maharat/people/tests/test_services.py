"""Registering, changing, merging, exporting and anonymizing people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from maharat.core.errors import DomainError, DuplicatePersonError
from maharat.core.models import AuditLog, Governorate
from maharat.core.testing import Personas
from maharat.people import services
from maharat.people.choices import ConsentPurpose, DuplicateStatus
from maharat.people.models import DuplicateFlag, Person
from maharat.skills.models import Skill
from maharat.skills.services import person_skill_set

pytestmark = pytest.mark.django_db


def _data(**overrides: Any) -> dict[str, Any]:
    data = {
        "given_name_ar": "فاطمة",
        "family_name_ar": "الزعبي",
        "given_name_latin": "Fatima",
        "family_name_latin": "Al-Zoubi",
        "sex": "F",
        "date_of_birth": dt.date(1999, 5, 4),
        "nationality": "SY",
        "legal_status": "refugee",
        "phone": "0795551234",
        "governorate": Governorate.objects.get(code="IR"),
    }
    data.update(overrides)
    return data


def _register(personas: Personas, **overrides: Any) -> Person:
    return services.person_register(
        actor=personas.officer,
        data=_data(**overrides),
        consent_purposes=[ConsentPurpose.REGISTRATION],
        consent_channel="paper",
        organization=personas.partner,
    )


class RegisterTests:
    def test_registers_with_e164_phone_consent_and_audit(self, personas: Personas) -> None:
        person = _register(personas)
        assert person.phone == "+962795551234"
        assert services.has_valid_consent(person, ConsentPurpose.REGISTRATION, personas.partner)
        entry = AuditLog.objects.filter(person_id=person.pk, action="create").get()
        assert entry.actor == personas.officer and "phone" in entry.fields

    def test_refuses_without_registration_consent(self, personas: Personas) -> None:
        with pytest.raises(DomainError):
            services.person_register(
                actor=personas.officer,
                data=_data(),
                consent_purposes=["messaging"],
                consent_channel="paper",
                organization=personas.partner,
            )
        assert not Person.objects.filter(given_name_latin="Fatima").exists()

    def test_refuses_duplicate_phone_pointing_to_existing_record(self, personas: Personas) -> None:
        with pytest.raises(DuplicatePersonError) as caught:
            _register(personas, phone="+962 79 123 4567")
        assert caught.value.existing_id == personas.amal.pk
        assert caught.value.field == "phone"

    def test_refuses_duplicate_unhcr_case_number(self, personas: Personas) -> None:
        with pytest.raises(DuplicatePersonError) as caught:
            _register(personas, unhcr_case_number="945-12345678")
        assert caught.value.field == "unhcr_case_number"

    @pytest.mark.parametrize("phone", ["12345", "0791", "not a phone", "+1 555"])
    def test_refuses_invalid_phone(self, personas: Personas, phone: str) -> None:
        with pytest.raises(ValidationError) as caught:
            _register(personas, phone=phone)
        assert "phone" in caught.value.message_dict
        assert Person.objects.count() == 3

    @pytest.mark.parametrize("born", [dt.date(2090, 1, 1), dt.date(1900, 1, 1), dt.date.today()])
    def test_refuses_impossible_birth_date(self, personas: Personas, born: dt.date) -> None:
        with pytest.raises(ValidationError) as caught:
            _register(personas, date_of_birth=born)
        assert "date_of_birth" in caught.value.message_dict
        assert not AuditLog.objects.filter(action="create", person_id__gt=personas.hassan.pk).exists()

    def test_refuses_a_malformed_national_id(self, personas: Personas) -> None:
        with pytest.raises(ValidationError):
            _register(personas, national_id="12AB")

    def test_derives_disability_with_the_washington_group_cutoff(self, personas: Personas) -> None:
        assert personas.hassan.has_disability  # walking: a lot of difficulty
        some = _register(personas, wg_seeing=2, wg_hearing=2)
        assert not some.has_disability
        cannot = _register(personas, phone="0795551235", given_name_latin="Huda", wg_selfcare=4)
        assert cannot.has_disability

    def test_flags_similar_name_with_same_birth_date(self, personas: Personas) -> None:
        twin = _register(
            personas,
            given_name_latin="Amaal",
            family_name_latin="Al Hasan",
            given_name_ar="امل",
            family_name_ar="الحسن",
            date_of_birth=dt.date(1994, 3, 12),
            phone="0795550000",
        )
        flag = DuplicateFlag.objects.get(person=twin)
        assert flag.other == personas.amal and flag.status == DuplicateStatus.OPEN

    def test_does_not_flag_different_people_born_the_same_day(self, personas: Personas) -> None:
        other = _register(
            personas,
            given_name_latin="Zainab",
            family_name_latin="Haddad",
            given_name_ar="زينب",
            family_name_ar="حداد",
            date_of_birth=dt.date(1994, 3, 12),
            phone="0795550001",
        )
        assert not DuplicateFlag.objects.filter(person=other).exists()


class UpdateTests:
    def test_audits_changed_fields_with_reason(self, personas: Personas) -> None:
        changed = services.person_update(
            actor=personas.officer,
            person=personas.amal,
            data={"locality": "Mafraq city", "sex": "F"},
            reason="moved",
        )
        assert changed == ["locality"]
        entry = AuditLog.objects.filter(person_id=personas.amal.pk, action="change").latest("id")
        assert entry.fields == ["locality"] and entry.reason == "moved"

    def test_refuses_taking_another_persons_phone(self, personas: Personas) -> None:
        with pytest.raises(DuplicatePersonError):
            services.person_update(
                actor=personas.officer, person=personas.hassan, data={"phone": "0791234567"}
            )
        personas.hassan.refresh_from_db()
        assert personas.hassan.phone == "+962775556677"


class MergeTests:
    def test_merge_keeps_history_moves_consents_and_skills(self, personas: Personas) -> None:
        twin = _register(
            personas,
            given_name_latin="Amaal",
            family_name_latin="Al Hasan",
            given_name_ar="امل",
            family_name_ar="الحسن",
            date_of_birth=dt.date(1994, 3, 12),
            phone="0795550000",
            national_id=None,
            locality="",
        )
        skill = Skill.objects.create(code="t-sewing", label_en="Sewing", label_ar="خياطة", group="trades")
        person_skill_set(actor=personas.officer, person=twin, skill=skill, proficiency=3)
        person_skill_set(actor=personas.officer, person=personas.amal, skill=skill, proficiency=1)
        services.person_merge(actor=personas.officer, keep=personas.amal, drop=twin, reason="same woman")
        twin.refresh_from_db()
        assert twin.merged_into == personas.amal
        assert personas.amal.skills.get().proficiency == 3
        assert personas.amal.consents.count() >= 4
        assert not Person.objects.active().filter(pk=twin.pk).exists()
        assert AuditLog.objects.filter(action="merge").count() == 2
        assert DuplicateFlag.objects.get(person=twin).status == DuplicateStatus.MERGED

    def test_refuses_merge_without_reason_or_with_itself(self, personas: Personas) -> None:
        with pytest.raises(DomainError):
            services.person_merge(actor=personas.officer, keep=personas.amal, drop=personas.amal, reason="x")
        with pytest.raises(DomainError):
            services.person_merge(
                actor=personas.officer, keep=personas.amal, drop=personas.hassan, reason=" "
            )


class ExportAndDeletionTests:
    def test_own_data_export_contains_record_consents_and_history(self, personas: Personas) -> None:
        record = services.person_export_data(actor=personas.amal_user, person=personas.amal)
        assert record["unhcr_case_number"] == "945-12345678"
        assert {c["purpose"] for c in record["consents"]} >= {"registration", "research"}
        assert record["history"]
        assert AuditLog.objects.filter(action="export", person_id=personas.amal.pk).exists()

    def test_anonymize_removes_identity_and_keeps_counts(self, personas: Personas) -> None:
        women_before = Person.objects.filter(sex="F", governorate__code="MA").count()
        services.deletion_request_create(actor=personas.amal_user, person=personas.amal, reason="")
        services.person_anonymize(actor=personas.officer, person=personas.amal, reason="asked by the person")
        amal = Person.objects.get(pk=personas.amal.pk)
        assert amal.given_name_ar == "" and amal.phone is None and amal.unhcr_case_number is None
        assert amal.user is None and amal.date_of_birth.year == 1994
        assert Person.objects.filter(sex="F", governorate__code="MA").count() == women_before
        assert not amal.consents.filter(withdrawn_at__isnull=True).exists()
        assert amal.deletion_requests.get().completed_at is not None
        from django.contrib.auth import get_user_model

        assert not get_user_model().objects.filter(phone="+962791234567").exists()

    def test_withdrawn_consent_stops_processing(self, personas: Personas) -> None:
        consent = personas.amal.consents.get(purpose=ConsentPurpose.MESSAGING)
        services.require_consent(personas.amal, ConsentPurpose.MESSAGING)
        services.consent_withdraw(actor=personas.amal_user, consent=consent, reason="too many messages")
        with pytest.raises(DomainError):
            services.require_consent(personas.amal, ConsentPurpose.MESSAGING)


class SignupTests:
    def test_beneficiary_signup_creates_account_and_person(self, db: Any) -> None:
        person = services.beneficiary_signup(
            phone="0786667777", password="a-Long-pass-2026", data=_data(phone="0786667777")
        )
        assert person.user is not None and person.user.phone == "+962786667777"
        assert person.user.check_password("a-Long-pass-2026")

    def test_signup_refuses_weak_password_and_writes_nothing(self, db: Any) -> None:
        with pytest.raises(ValidationError):
            services.beneficiary_signup(
                phone="0786667777", password="12345678", data=_data(phone="0786667777")
            )
        assert not Person.objects.exists()


class UniqueNumberTests:
    """Phones and documents are unique in the database itself, and model validation names the field."""

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("phone", "+962791234567"),
            ("national_id", "2003123456"),
            ("unhcr_case_number", "945-12345678"),
            ("moi_card_number", "MOI-1"),
        ],
    )
    def test_a_second_person_with_the_same_number_is_refused(
        self, personas: Personas, field: str, value: str
    ) -> None:
        from django.db import IntegrityError, transaction

        fields = {
            "given_name_ar": "سلمى",
            "sex": "F",
            "date_of_birth": dt.date(1990, 1, 1),
            "nationality": "JO",
            "legal_status": "jordanian",
            "governorate": personas.amal.governorate,
        }
        Person.objects.filter(pk=personas.hassan.pk).update(moi_card_number="MOI-1")
        twin = Person(**fields, **{field: value})
        with pytest.raises(ValidationError) as caught:
            twin.full_clean()
        assert [e.code for e in caught.value.error_dict[field]] == ["unique"]
        with pytest.raises(IntegrityError), transaction.atomic():
            twin.save()
        Person.objects.create(**fields, **{field: None})  # any number of people without one
        Person.objects.create(**fields)

"""Synthetic people: deterministic for a seed, plausible, valid, unique, consented, and safe to run twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from io import StringIO
from typing import Any

import numpy as np
import phonenumbers
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection

from conftest import require_service
from maharat.core.models import AuditAction, AuditLog, Governorate
from maharat.core.testing import Personas
from maharat.people import seeding
from maharat.people.choices import ConsentPurpose, LegalStatus, OrganizationKind
from maharat.people.duplicates import search_name_for
from maharat.people.models import Consent, Organization, Person
from maharat.people.seeding import (
    GEN_BLOCK,
    GOVERNORATE_CODES,
    PHONE_PERMUTATION,
    PHONE_SPACE,
    AffinePermutation,
    BulkCreateWriter,
    ParallelWriter,
    PostgresWriter,
    SeedPlan,
    build_plan,
    drop_taken_numbers,
    ensure_partner_organizations,
    generate_people,
    national_ids,
    phone_numbers,
    seed_people,
    taken_values,
    taken_values_postgres,
    unhcr_case_numbers,
)
from maharat.people.services import disability_from_wg
from maharat.skills.models import PersonSkill, Skill

pytestmark = pytest.mark.django_db

ROW_FIELDS = (
    "public_id",
    "given_name_ar",
    "family_name_ar",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "nationality",
    "legal_status",
    "national_id",
    "unhcr_case_number",
    "phone",
    "governorate__code",
    "locality",
    "household_role",
    "female_headed_household",
    "wg_seeing",
    "wg_walking",
    "has_disability",
    "education_level",
    "employment_status",
    "languages",
    "preferred_channel",
    "registered_by__slug",
    "search_name",
)


def seed(**options: Any) -> str:
    """Run the command as an operator would; returns what it printed."""
    out = StringIO()
    call_command("seed", stdout=out, **options)
    return out.getvalue()


def rows_digest() -> str:
    """A hash of every person's data (not ids or timestamps), in registration order."""
    digest = hashlib.sha256()
    for row in Person.objects.order_by("id").values_list(*ROW_FIELDS):
        digest.update(repr(row).encode())
    consents = Consent.objects.order_by("person_id", "purpose").values_list("purpose", "channel", "given_at")
    for row in consents:
        digest.update(repr(row).encode())
    links = Consent.organizations.through.objects.order_by("consent__person_id", "consent__purpose")
    for row in links.values_list("organization__slug"):
        digest.update(repr(row).encode())
    skills = PersonSkill.objects.order_by("person_id", "skill__code")
    for row in skills.values_list("skill__code", "proficiency", "evidence"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def offline_plan(seed: int = 1, skills: int = 0) -> SeedPlan:
    """A plan with made-up ids, for the pure generation functions."""
    return SeedPlan(
        seed=seed,
        reference_date=dt.date(2026, 1, 1),
        governorate_ids=list(range(1, 13)),
        organization_ids=[101, 102, 103],
        organization_governorates=[6, 5, None],
        skill_ids=list(range(1, skills + 1)),
    )


class DeterminismTests:
    def test_same_seed_on_an_empty_registry_gives_the_same_people(self) -> None:
        seed(people=600, seed=11, batch=250)
        first = rows_digest()
        Person.objects.all().delete()
        seed(people=600, seed=11, batch=250)
        assert rows_digest() == first

    def test_batch_size_does_not_change_the_people(self) -> None:
        seed(people=700, seed=3, batch=5000)
        first = rows_digest()
        Person.objects.all().delete()
        seed(people=700, seed=3, batch=128)
        assert rows_digest() == first

    def test_another_seed_gives_other_people(self) -> None:
        seed(people=200, seed=1)
        first = rows_digest()
        Person.objects.all().delete()
        seed(people=200, seed=2)
        assert rows_digest() != first

    def test_a_person_depends_only_on_the_seed_and_their_number(self) -> None:
        plan = offline_plan()
        whole = generate_people(plan, 0, 3 * GEN_BLOCK)
        part = generate_people(plan, GEN_BLOCK - 10, 2 * GEN_BLOCK + 10)
        for name in ("phone", "search_name", "date_of_birth", "public_id"):
            assert part.person[name] == whole.person[name][GEN_BLOCK - 10 : 2 * GEN_BLOCK + 10]
        assert part.consent_purpose == [
            p
            for p, k in zip(whole.consent_purpose, whole.consent_person.tolist(), strict=True)
            if GEN_BLOCK - 10 <= k < 2 * GEN_BLOCK + 10
        ]


class DistributionTests:
    @pytest.fixture
    def people(self) -> list[Person]:
        seed(people=2000, seed=2026)
        return list(Person.objects.select_related("governorate"))

    def test_about_as_many_women_as_men(self, people: list[Person]) -> None:
        women = sum(p.sex == "F" for p in people) / len(people)
        assert 0.45 <= women <= 0.55

    def test_refugees_asylum_seekers_and_migrant_workers_are_present(self, people: list[Person]) -> None:
        statuses = Counter(p.legal_status for p in people)
        assert 0.50 <= statuses[LegalStatus.JORDANIAN] / len(people) <= 0.65
        assert statuses[LegalStatus.REFUGEE] / len(people) >= 0.25
        assert statuses[LegalStatus.ASYLUM_SEEKER] > 0 and statuses[LegalStatus.MIGRANT_WORKER] > 0
        refugees = Counter(p.nationality for p in people if p.legal_status == LegalStatus.REFUGEE)
        assert refugees.most_common(1)[0][0] == "SY"
        assert {"IQ", "YE", "SD"} <= set(refugees)

    def test_refugees_live_mostly_in_amman_mafraq_irbid_and_zarqa(self, people: list[Person]) -> None:
        refugees = [p for p in people if p.legal_status == LegalStatus.REFUGEE]
        urban = sum(p.governorate.code in {"AM", "MA", "IR", "ZA"} for p in refugees)
        assert urban / len(refugees) >= 0.85
        assert Counter(p.governorate.code for p in people).most_common(1)[0][0] == "AM"
        assert {p.governorate.code for p in people} == set(GOVERNORATE_CODES)

    def test_about_one_in_ten_has_a_disability_by_the_washington_group_cut_off(
        self, people: list[Person]
    ) -> None:
        share = sum(p.has_disability for p in people) / len(people)
        assert 0.05 <= share <= 0.20
        for p in people:
            assert p.has_disability == disability_from_wg(p.wg_answers().values())
        no_difficulty = sum(p.wg_seeing == 1 for p in people) / len(people)
        assert no_difficulty > 0.8

    def test_ages_are_15_to_60_and_mostly_young(self, people: list[Person]) -> None:
        reference = dt.date(dt.date.today().year, 1, 1)
        ages = [p.age_on(reference) for p in people]
        assert min(ages) >= 15 and max(ages) <= 60
        assert np.median(ages) < 35

    def test_households_languages_and_channels_look_real(self, people: list[Person]) -> None:
        assert 0.05 <= sum(p.female_headed_household for p in people) / len(people) <= 0.5
        assert all("ar" in p.languages for p in people)
        assert any("en" in p.languages for p in people)
        channels = Counter(p.preferred_channel for p in people)
        assert channels["sms"] / len(people) > 0.6
        assert len({p.education_level for p in people}) == 8
        assert len({p.employment_status for p in people}) == 6

    def test_names_are_arabic_with_varied_latin_spellings(self, people: list[Person]) -> None:
        assert len({p.given_name_ar for p in people}) >= 100
        assert len({p.family_name_ar for p in people}) >= 80
        muhammads = {p.given_name_latin for p in people if p.given_name_ar == "محمد" and p.given_name_latin}
        assert len(muhammads) >= 3
        assert all(re.search("[\u0600-\u06ff]", p.given_name_ar) for p in people)


class ValidityTests:
    def test_phones_are_unique_valid_jordanian_mobiles(self) -> None:
        seed(people=1500, seed=5)
        phones = list(Person.objects.exclude(phone=None).values_list("phone", flat=True))
        assert len(phones) >= 1400
        assert len(set(phones)) == len(phones)
        for phone in phones:
            assert re.fullmatch(r"\+9627[789]\d{7}", phone)
            number = phonenumbers.parse(phone)
            assert phonenumbers.is_valid_number(number)
            assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE

    def test_documents_are_unique_and_belong_to_the_right_people(self) -> None:
        seed(people=1500, seed=5)
        people = list(Person.objects.all())
        ids = [p.national_id for p in people if p.national_id]
        cases = [p.unhcr_case_number for p in people if p.unhcr_case_number]
        assert len(set(ids)) == len(ids) and all(re.fullmatch(r"\d{10}", i) for i in ids)
        assert len(set(cases)) == len(cases)
        assert all(p.nationality == "JO" for p in people if p.national_id)
        with_case = {p.legal_status for p in people if p.unhcr_case_number}
        assert with_case == {LegalStatus.REFUGEE, LegalStatus.ASYLUM_SEEKER}

    def test_number_spaces_are_one_to_one(self) -> None:
        index = np.arange(0, 300_000)
        assert len(set(phone_numbers(index))) == len(index)
        assert len(set(national_ids(index))) == len(index)
        assert len(set(unhcr_case_numbers(index))) == len(index)
        last = np.array([PHONE_SPACE - 1])
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone_numbers(last)[0]))
        with pytest.raises(ValueError):
            AffinePermutation(10, 4, 1)

    def test_seeded_people_pass_the_models_own_validation(self) -> None:
        seed(people=300, seed=8)
        for person in Person.objects.all()[:100]:
            person.full_clean(validate_unique=False)

    def test_search_name_is_what_the_registry_itself_computes(self) -> None:
        seed(people=800, seed=9)
        people = list(Person.objects.all())
        assert all(p.search_name for p in people)
        for person in people:
            assert person.search_name == search_name_for(person)


class ConsentTests:
    def test_everyone_consented_to_registration_with_their_registering_partner(self) -> None:
        seed(people=1000, seed=4, organizations=4)
        people = list(Person.objects.prefetch_related("consents__organizations"))
        for person in people:
            registration = [c for c in person.consents.all() if c.purpose == ConsentPurpose.REGISTRATION]
            assert len(registration) == 1
            assert [o.pk for o in registration[0].organizations.all()] == [person.registered_by_id]
            assert registration[0].given_at <= dt.datetime.now(dt.UTC)
        purposes = Counter(c.purpose for p in people for c in p.consents.all())
        assert 0.62 <= purposes[ConsentPurpose.RESEARCH] / len(people) <= 0.78
        assert 0.85 <= purposes[ConsentPurpose.MESSAGING] / len(people) <= 0.95

    def test_partners_see_the_people_they_registered(self, personas: Personas) -> None:
        from maharat.people.access import visible_people

        partner = personas.partner
        seed(people=400, seed=4, organizations=3)
        registered = Person.objects.filter(registered_by=partner)
        assert registered.exclude(pk__in=[personas.amal.pk, personas.hassan.pk]).exists()
        assert set(visible_people(personas.officer)) == set(registered)


class OrganizationTests:
    def test_missing_partner_organizations_are_created_with_both_names(self) -> None:
        seed(people=50, seed=1, organizations=4)
        partners = Organization.objects.filter(kind=OrganizationKind.PARTNER)
        assert partners.count() == 4
        assert all(o.label_ar and o.label_en and o.governorate_id for o in partners)
        seed(people=50, seed=1, organizations=4)
        assert partners.count() == 4
        used = set(Person.objects.values_list("registered_by", flat=True))
        assert used <= set(partners.values_list("pk", flat=True))

    def test_existing_partners_are_used_and_beyond_the_list_partners_are_numbered(self) -> None:
        existing = ensure_partner_organizations(3)
        many = ensure_partner_organizations(20)
        assert many[:3] == existing
        assert len(many) == 20
        assert many[-1].label_en.startswith("Community Partner")

    def test_without_organizations_people_have_no_registering_partner(self) -> None:
        seed(people=30, seed=1, organizations=0)
        assert not Person.objects.exclude(registered_by=None).exists()
        assert not Consent.organizations.through.objects.exists()


class SkillTests:
    def test_people_get_3_to_10_distinct_skills_zipf_like(self) -> None:
        Skill.objects.bulk_create(
            [Skill(code=f"s{k}", label_en=f"Skill {k}", group="digital") for k in range(60)]
        )
        seed(people=500, seed=6)
        per_person = Counter(PersonSkill.objects.values_list("person_id", flat=True))
        assert len(per_person) == 500
        assert min(per_person.values()) >= 3 and max(per_person.values()) <= 10
        holders = sorted(Counter(PersonSkill.objects.values_list("skill_id", flat=True)).values())
        assert holders[-1] > 5 * holders[len(holders) // 2]
        assert set(PersonSkill.objects.values_list("proficiency", flat=True)) <= {1, 2, 3, 4}

    def test_skills_are_skipped_with_a_message_when_the_taxonomy_is_empty(self) -> None:
        out = seed(people=20, seed=6)
        assert "skills table is empty" in out
        assert not PersonSkill.objects.exists()

    def test_no_skills_option(self) -> None:
        Skill.objects.create(code="x", label_en="X", group="digital")
        out = seed(people=20, seed=6, with_skills=False)
        assert "skills table is empty" not in out
        assert not PersonSkill.objects.exists()


class RepeatedRunTests:
    def test_running_twice_adds_more_people_without_collisions(self) -> None:
        seed(people=400, seed=1)
        first = set(Person.objects.values_list("phone", flat=True))
        seed(people=400, seed=1)
        assert Person.objects.count() == 800
        phones = [p for p in Person.objects.values_list("phone", flat=True) if p]
        assert len(set(phones)) == len(phones)
        assert len(set(phones) - first) >= 390
        for name in ("national_id", "unhcr_case_number", "public_id"):
            values = [v for v in Person.objects.values_list(name, flat=True) if v]
            assert len(set(values)) == len(values)

    def test_seeding_on_top_of_registered_people_keeps_theirs(self, personas: Personas) -> None:
        seed(people=300, seed=1)
        assert Person.objects.count() == 303
        personas.amal.refresh_from_db()
        assert personas.amal.phone == "+962791234567"

    def test_numbers_freed_by_deletions_are_not_handed_out_twice(self) -> None:
        seed(people=200, seed=1)
        Person.objects.filter(pk__in=Person.objects.order_by("id").values("pk")[:100]).delete()
        out = seed(people=200, seed=2)
        assert "already in use were left out" in out
        assert Person.objects.count() == 300
        for name in ("phone", "national_id", "unhcr_case_number", "public_id"):
            values = [v for v in Person.objects.values_list(name, flat=True) if v]
            assert len(set(values)) == len(values)

    def test_numbers_already_in_use_are_left_out(self, personas: Personas) -> None:
        # The person number whose synthetic phone is Amal's: invert the affine permutation.
        position = (
            8 * 1_000_000 + 8 * 1_000_000 + 1 * 1_000_000 + 234_567
        )  # 77x and 78x blocks, then 791 234567
        inverse = pow(PHONE_PERMUTATION.a, -1, PHONE_PERMUTATION.m)
        index = (position - PHONE_PERMUTATION.b) * inverse % PHONE_PERMUTATION.m
        plan = build_plan(seed=1, organizations=[], with_skills=False)
        block = generate_people(plan, index, index + 1)
        assert block.person["phone"] == ["+962791234567"]
        assert drop_taken_numbers(block) == 1
        assert block.person["phone"] == [None]


class CommandTests:
    def test_prints_progress_and_the_rate(self) -> None:
        out = seed(people=250, seed=1, batch=100)
        assert "[" in out and "100%" in out
        assert re.search(r"^Seeded 250 people in [\d.]+ s \(\d+ people/s\)$", out.strip().splitlines()[-1])

    def test_one_audit_entry_summarises_the_run(self) -> None:
        seed(people=120, seed=12)
        entries = AuditLog.objects.filter(action=AuditAction.IMPORT, actor_label="seed")
        assert entries.count() == 1
        detail = entries.get().detail
        assert detail["people"] == 120 and detail["seed"] == 12 and detail["complete"] is True

    def test_refuses_nonsense(self) -> None:
        with pytest.raises(CommandError):
            seed(people=-1, seed=1)
        with pytest.raises(CommandError):
            seed(people=PHONE_SPACE + 1, seed=1)

    def test_redraws_the_bar_in_place_on_a_terminal(self) -> None:
        from django.core.management.base import OutputWrapper

        from maharat.people.management.commands.seed import ProgressBar

        class Terminal(StringIO):
            def isatty(self) -> bool:
                return True

        screen = Terminal()
        bar = ProgressBar(OutputWrapper(screen))
        bar(50, 100, 1.0)
        bar(100, 100, 2.0)
        assert screen.getvalue().startswith("\r[###############") and screen.getvalue().endswith("0 s left\n")

    def test_an_abandoned_run_keeps_whole_batches_and_says_so(self) -> None:
        def interrupt(done: int, total: int, elapsed: float) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            seed_people(people=500, seed=1, batch=200, progress=interrupt)
        assert Person.objects.count() == 200
        detail = AuditLog.objects.get(actor_label="seed").detail
        assert detail["people"] == 200 and detail["complete"] is False

    def test_zero_people_writes_nothing(self) -> None:
        out = seed(people=0, seed=1)
        assert "Seeded 0 people" in out
        assert not AuditLog.objects.filter(actor_label="seed").exists()


@pytest.mark.postgres
class PostgresWriterTests:
    """COPY and bulk_create write the same rows; the array lookup finds the same taken numbers."""

    def test_copy_writes_what_bulk_create_writes(self) -> None:
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
        Skill.objects.bulk_create(
            [Skill(code=f"s{k}", label_en=f"Skill {k}", group="digital") for k in range(40)]
        )
        plan = build_plan(seed=5, organizations=ensure_partner_organizations(3), with_skills=True)
        now = dt.datetime.now(dt.UTC)
        BulkCreateWriter().write(generate_people(plan, 0, 300), now)
        by_bulk_create = rows_digest()
        Person.objects.all().delete()
        PostgresWriter().write(generate_people(plan, 0, 300), now)
        assert rows_digest() == by_bulk_create

    def test_array_lookup_agrees_with_the_portable_one(self) -> None:
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
        seed(people=100, seed=1)
        block = generate_people(build_plan(seed=1, organizations=[], with_skills=False), 0, 150)
        for name in ("phone", "public_id", "national_id"):
            values = [v for v in block.person[name] if v]
            assert taken_values_postgres(name, values) == taken_values(name, values)
        assert len(taken_values_postgres("phone", block.person["phone"][:100])) > 90


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class ParallelWriterTests:
    """Outside a transaction, PostgreSQL batches are written by several connections at once."""

    def test_parallel_run_writes_the_same_people_as_a_serial_one(self) -> None:
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
        seed_people(people=900, seed=21, batch=200, jobs=2)
        parallel = rows_digest()
        assert list(Person.objects.order_by("id").values_list("id", flat=True)) == sorted(
            Person.objects.values_list("id", flat=True)
        )
        Person.objects.all().delete()
        seed_people(people=900, seed=21, batch=200, jobs=1)
        assert rows_digest() == parallel

    def test_an_abandoned_parallel_run_keeps_whole_batches(self) -> None:
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")

        def interrupt(done: int, total: int, elapsed: float) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            seed_people(people=2000, seed=1, batch=100, jobs=2, progress=interrupt)
        written = AuditLog.objects.get(actor_label="seed").detail["people"]
        assert written % 100 == 0 and written == Person.objects.count() > 0

    def test_a_failing_batch_stops_the_run_and_is_reported(self) -> None:
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
        plan = build_plan(seed=1, organizations=[], with_skills=False)
        plan.governorate_ids = [max(Governorate.objects.values_list("id", flat=True)) + 1000] * 12
        writer = PostgresWriter()
        parallel = ParallelWriter(writer, 2, dt.datetime.now(dt.UTC))
        block = generate_people(plan, 0, 10)
        writer.reserve(block)
        with pytest.raises(IntegrityError):  # raised by whichever call first sees the failed batch
            parallel.submit(block)
            parallel.close()
        parallel.close()
        assert not Person.objects.exists()


BULK_TABLES = ["people_person", "people_consent", "people_consent_organizations"]


def schema() -> tuple[set[str], set[str]]:
    """The index and constraint definitions of the tables a bulk load leaves without indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ANY(%s::regclass[])",
            [BULK_TABLES],
        )
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[])",
            [BULK_TABLES],
        )
        constraints = {row[0] for row in cursor.fetchall()}
    return indexes, constraints


def table_note() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description('people_person'::regclass, 'pg_class')")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class BulkLoadTests:
    """A large run into an empty registry builds the secondary indexes after the load, whatever happens."""

    @pytest.fixture(autouse=True)
    def _bulk_from_300_people(self, monkeypatch: pytest.MonkeyPatch) -> None:
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
        monkeypatch.setattr(seeding, "BULK_LOAD_MIN_PEOPLE", 300)

    def test_same_people_as_with_indexes_and_every_index_comes_back(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        before = schema()
        during: list[tuple[set[str], set[str]]] = []
        result = seed_people(
            people=900, seed=21, batch=200, jobs=2, progress=lambda *_: during.append(schema())
        )
        assert result.bulk_load and AuditLog.objects.get(actor_label="seed").detail["bulk_load"] is True
        assert schema() == before and table_note() is None
        indexes, constraints = during[0]
        assert not any("person_search_name_trgm" in i or "consent_person_cover" in i for i in indexes)
        assert not any(
            c.startswith(("person_phone_unique", "people_person_public_id_key")) for c in constraints
        )
        assert not any(
            "FOREIGN KEY (person_id)" in c or "FOREIGN KEY (governorate_id)" in c for c in constraints
        )
        assert any(c.startswith("people_person_pkey") for c in constraints)
        bulk = rows_digest()
        Person.objects.all().delete()
        monkeypatch.setattr(seeding, "BULK_LOAD_MIN_PEOPLE", 10**9)
        seed_people(people=900, seed=21, batch=200, jobs=2, progress=lambda *_: during.append(schema()))
        assert during[-1] == before
        assert rows_digest() == bulk

    def test_small_runs_and_runs_on_top_of_people_keep_their_indexes(self) -> None:
        before = schema()
        seen: list[tuple[set[str], set[str]]] = []
        small = seed_people(people=200, seed=1, batch=100, progress=lambda *_: seen.append(schema()))
        on_top = seed_people(people=400, seed=1, batch=100, progress=lambda *_: seen.append(schema()))
        assert seen and all(s == before for s in seen)
        assert not small.bulk_load and not on_top.bulk_load

    def test_an_interrupted_bulk_load_restores_the_indexes(self) -> None:
        before = schema()

        def interrupt(done: int, total: int, elapsed: float) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            seed_people(people=2000, seed=1, batch=100, jobs=2, progress=interrupt)
        assert schema() == before and table_note() is None
        written = AuditLog.objects.get(actor_label="seed").detail["people"]
        assert written % 100 == 0 and written == Person.objects.count() > 0

    def test_a_killed_bulk_load_is_repaired_by_the_next_run(self) -> None:
        before = schema()
        seeding.drop_for_bulk_load(dt.datetime.now(dt.UTC))  # then the process dies: nothing restores them
        assert schema() != before and table_note() is not None
        seed_people(people=10, seed=1)
        assert schema() == before and table_note() is None

    def test_a_number_registered_during_the_load_is_left_out_of_the_seeded_person(self) -> None:
        taken: list[Person] = []

        def register_a_seeded_phone(done: int, total: int, elapsed: float) -> None:
            if not taken:  # someone registers, by hand, a phone number a seeded person already has
                seeded = Person.objects.exclude(phone=None).order_by("id").first()
                assert seeded is not None
                taken.append(
                    Person.objects.create(
                        given_name_ar="سلمى",
                        sex="F",
                        date_of_birth=dt.date(1990, 1, 1),
                        nationality="JO",
                        legal_status=LegalStatus.JORDANIAN,
                        governorate=Governorate.objects.get(code="AM"),
                        phone=seeded.phone,
                    )
                )

        result = seed_people(people=400, seed=3, batch=100, jobs=2, progress=register_a_seeded_phone)
        assert result.numbers_taken == 1
        phones = [p for p in Person.objects.values_list("phone", flat=True) if p]
        assert len(phones) == len(set(phones))
        assert Person.objects.get(pk=taken[0].pk).phone == taken[0].phone
        assert "person_phone_unique UNIQUE (phone)" in schema()[1]
        detail = AuditLog.objects.get(actor_label="seed").detail
        assert detail["numbers_taken"] == 1

    def test_a_row_that_breaks_a_foreign_key_during_the_load_is_reported_and_the_rest_restored(self) -> None:
        before = schema()
        orphans: list[int] = []

        def write_an_orphan_consent(done: int, total: int, elapsed: float) -> None:
            if not orphans:  # a consent of nobody, written while the foreign keys are away
                with connection.cursor() as cursor:
                    cursor.execute(
                        "INSERT INTO people_consent (created_at, updated_at, person_id, purpose, channel, given_at, "
                        "notice_version) VALUES (now(), now(), 2147483000, 'registration', 'paper', now(), '1') "
                        "RETURNING id"
                    )
                    orphans.append(cursor.fetchone()[0])

        with pytest.raises(IntegrityError):
            seed_people(people=400, seed=3, batch=100, jobs=2, progress=write_an_orphan_consent)
        indexes, constraints = schema()
        assert indexes == before[0]  # every index is back
        broken = {c for c in constraints if c.endswith("NOT VALID")}
        assert len(broken) == 1 and "FOREIGN KEY (person_id)" in broken.pop()  # enforced for new rows only
        assert table_note() is not None
        with pytest.raises(IntegrityError):  # the next run tries again, and says why it cannot
            seed_people(people=10, seed=1)
        Consent.objects.filter(pk__in=orphans).delete()
        seed_people(people=10, seed=1)
        assert schema() == before and table_note() is None

"""Reads of the registry: age groups, filters and the PostgreSQL search index."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from conftest import require_service
from maharat.core.testing import Personas
from maharat.people.selectors import PersonFilters, _birth_range, duplicate_queue, person_list, years_before

pytestmark = pytest.mark.django_db


class AgeGroupTests:
    def test_birth_range_includes_both_ends(self) -> None:
        today = dt.date(2026, 11, 23)
        earliest, latest = _birth_range("18-24", today)
        assert latest == dt.date(2008, 11, 23)  # 18 today
        assert earliest == dt.date(2001, 11, 24)  # 24 until tomorrow

    def test_leap_day_birthdays_fall_back_to_28_february(self) -> None:
        assert years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)

    def test_unknown_group_means_any_age(self) -> None:
        assert _birth_range("old", dt.date(2026, 1, 1)) is None


class PersonListTests:
    def test_search_by_latin_transliteration_variant(self, personas: Personas) -> None:
        page, _ = person_list(personas.admin, PersonFilters(q="Hasan"))
        assert personas.amal in page

    def test_search_by_arabic_name_without_hamza(self, personas: Personas) -> None:
        page, _ = person_list(personas.admin, PersonFilters(q="امل"))
        assert page == [personas.amal]

    def test_search_by_partial_phone_digits(self, personas: Personas) -> None:
        page, _ = person_list(personas.admin, PersonFilters(q="5556677"))
        assert page == [personas.hassan]

    def test_search_with_punctuation_only_finds_nobody(self, personas: Personas) -> None:
        page, _ = person_list(personas.admin, PersonFilters(q="--"))
        assert page == []

    def test_filter_by_governorate_code(self, personas: Personas) -> None:
        page, _ = person_list(personas.admin, PersonFilters(governorate=personas.amal.governorate.code))
        assert page == [personas.amal]
        assert person_list(personas.admin, PersonFilters(governorate="XX")) == ([], None)

    def test_filter_by_registering_organization(self, personas: Personas) -> None:
        page, _ = person_list(personas.admin, PersonFilters(organization=personas.other_partner.pk))
        assert page == [personas.omar]

    def test_duplicate_queue_hides_pairs_the_user_cannot_see(self, personas: Personas) -> None:
        from maharat.people.models import DuplicateFlag

        DuplicateFlag.objects.create(person=personas.amal, other=personas.omar, score=90, reason="test")
        assert not duplicate_queue(personas.officer).exists()
        assert duplicate_queue(personas.admin).count() == 1


@pytest.mark.postgres
class PostgresIndexTests:
    def test_trigram_index_exists_on_postgresql(self, db: object) -> None:
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'people_person'")
            names = {row[0] for row in cursor.fetchall()}
        assert {"person_search_name_trgm", "person_phone_trgm"} <= names

    def test_no_index_is_kept_that_another_makes_redundant(self, db: object) -> None:
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('people_person', 'people_consent')"
            )
            indexes = dict(cursor.fetchall())
        assert not any("varchar_pattern_ops" in definition for definition in indexes.values())
        leading = [d.split("(")[1].split(")")[0].split(",")[0].split()[0] for d in indexes.values()]
        assert leading.count("person_id") == 1 and leading.count("governorate_id") == 1
        assert leading.count("registered_by_id") == 1 and leading.count("search_name") == 1  # the trigram one
        for name in ("national_id", "moi_card_number", "unhcr_case_number", "phone"):
            assert f"person_{name}_unique" in indexes

    def test_the_consent_index_holds_what_the_consent_check_reads(self, db: object) -> None:
        require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'consent_person_cover'")
            (definition,) = cursor.fetchone()
            cursor.execute(
                "SELECT attstattarget FROM pg_attribute "
                "WHERE attrelid = 'people_person'::regclass AND attname = 'search_name'"
            )
            (statistics,) = cursor.fetchone()
        assert definition.endswith("(person_id, purpose) INCLUDE (id, given_at, withdrawn_at, expires_at)")
        assert statistics == 1000


class PersonCountTests:
    def test_counts_exactly_below_the_cap_and_says_more_above(self, personas: Personas) -> None:
        from maharat.people.selectors import person_count

        assert person_count(personas.admin, PersonFilters()) == (3, False)
        assert person_count(personas.admin, PersonFilters(), cap=2) == (2, True)
        assert person_count(personas.officer, PersonFilters()) == (2, False)

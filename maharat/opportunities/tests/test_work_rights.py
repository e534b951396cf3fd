"""Work-rights verdicts read from the lists kept as data."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation

from maharat.core.testing import Personas
from maharat.opportunities import work_rights
from maharat.opportunities.choices import OpportunityKind
from maharat.opportunities.models import EmployerProfile, WorkRightsEntry, WorkRightsList
from maharat.opportunities.tests.factories import draft
from maharat.opportunities.work_rights_data import load_work_rights
from maharat.skills.models import Occupation

pytestmark = pytest.mark.django_db


def _occupation(code: str, label: str) -> Occupation:
    return Occupation.objects.create(
        code=code, kind=Occupation.Kind.ISCO_GROUP, isco_code=code, label_en=label
    )


class WorkRightsVerdictTests:
    def test_barber_job_is_closed_to_a_syrian_refugee(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        barber = draft(personas, title_en="Barber", title_ar="حلاق", sector="S")
        verdict = work_rights.verdict(personas.amal, barber)
        assert not verdict.eligible
        assert verdict.code == work_rights.CLOSED_TO_NON_JORDANIANS
        assert verdict.reason == "Closed to non-Jordanians: barbers (list of 2023)."
        assert verdict.list_name == "Crafts closed to non-Jordanians"

    def test_hairdresser_occupation_closed_by_the_2016_list_even_at_a_large_employer(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        employer.insured_workers = 500
        employer.save()
        job = draft(
            personas,
            title_en="Salon worker",
            title_ar="",
            sector="S",
            occupation=_occupation("5141", "Hairdressers"),
        )
        verdict = work_rights.verdict(personas.amal, job)
        assert not verdict.eligible
        assert verdict.reason == "Closed to non-Jordanians: hairdressing (list of 2016)."

    def test_arabic_reason_names_the_entry_in_arabic(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        barber = draft(personas, title_en="", title_ar="مطلوب حلاق")
        with translation.override("ar"):
            verdict = work_rights.verdict(personas.amal, barber)
        assert "الحلاقة" in verdict.reason

    def test_construction_and_agriculture_are_open_with_flexible_permits(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        construction = draft(personas, title_en="Construction labourer", sector="F")
        farm = draft(personas, title_en="Harvest worker", sector="A")
        built = work_rights.verdict(personas.amal, construction)
        harvested = work_rights.verdict(personas.hassan, farm)
        assert built.eligible and built.code == work_rights.PERMIT_ROUTE
        assert built.reason == "Open: construction, flexible permit through the trade-union federation."
        assert harvested.eligible
        assert "agricultural cooperatives" in harvested.reason

    def test_syrian_sector_route_applies_to_syrians_only(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        factory = draft(personas, title_en="Packer", sector="C")
        assert work_rights.verdict(personas.amal, factory).route_name.startswith("manufacturing")
        iraqi = work_rights.verdict(personas.hassan, factory)
        assert iraqi.eligible and iraqi.code == work_rights.WORK_PERMIT

    def test_jordanians_are_always_eligible(self, personas: Personas, employer: EmployerProfile) -> None:
        barber = draft(personas, title_en="Barber")
        verdict = work_rights.verdict(personas.omar, barber)
        assert verdict.eligible and verdict.code == work_rights.JORDANIAN

    def test_employer_size_exemption_opens_a_craft_with_a_permit(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        carpentry = draft(personas, title_en="Carpenter", sector="C")
        assert not work_rights.verdict(personas.amal, carpentry).eligible
        employer.insured_workers = 11
        employer.save()
        carpentry.refresh_from_db()
        verdict = work_rights.verdict(personas.amal, carpentry)
        assert verdict.eligible and verdict.code == work_rights.PERMIT_EXCEPTION
        assert "more than 10 insured workers" in verdict.reason

    def test_crafts_list_applies_only_from_its_effective_date(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        carpentry = draft(personas, title_en="Carpenter", sector="C")
        assert work_rights.verdict(personas.amal, carpentry, on=dt.date(2022, 6, 1)).eligible
        assert not work_rights.verdict(personas.amal, carpentry, on=dt.date(2024, 6, 1)).eligible
        WorkRightsList.objects.filter(year=2023).update(effective_to=dt.date(2024, 12, 31))
        assert work_rights.verdict(personas.amal, carpentry, on=dt.date(2025, 6, 1)).eligible

    def test_entry_limited_to_some_nationalities(self, personas: Personas, employer: EmployerProfile) -> None:
        WorkRightsEntry.objects.filter(label_en="barbers").update(nationalities=["EG"])
        barber = draft(personas, title_en="Barber")
        assert work_rights.verdict(personas.amal, barber).eligible
        egyptian = SimpleNamespace(nationality="EG", legal_status="migrant_worker")
        assert not work_rights.verdict(egyptian, barber).eligible

    def test_employer_may_reserve_an_offer_for_jordanians(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        job = draft(personas, title_en="Packer", open_to_non_jordanians=False)
        verdict = work_rights.verdict(personas.amal, job)
        assert not verdict.eligible and verdict.code == work_rights.EMPLOYER_JORDANIANS_ONLY

    def test_remote_gig_for_a_client_abroad_is_open(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        gig = draft(
            personas,
            kind=OpportunityKind.GIG,
            title_en="Online accountant for a client abroad",
            sector="J",
            remote=True,
            foreign_client=True,
            governorate=None,
        )
        verdict = work_rights.verdict(personas.amal, gig)
        assert verdict.eligible and verdict.code == work_rights.REMOTE_ABROAD

    def test_closed_combinations_for_vectorized_matching(
        self, personas: Personas, employer: EmployerProfile
    ) -> None:
        barber = draft(personas, title_en="Barber")
        factory = draft(personas, title_en="Packer")
        closed = work_rights.closed_combinations_bulk([barber, factory])
        assert ("SY", "refugee") in closed[barber.pk]
        assert ("IQ", "migrant_worker") in closed[barber.pk]
        assert not any(nationality == "JO" for nationality, _status in closed[barber.pk])
        assert not any(status == "jordanian" for _nationality, status in closed[barber.pk])
        assert closed[factory.pk] == frozenset()
        assert work_rights.closed_combinations(barber) == closed[barber.pk]
        assert work_rights.Rules.load().matching_entries(barber)[0].label_en == "barbers"

    def test_loading_twice_changes_nothing(self, rules: None) -> None:
        before = WorkRightsEntry.objects.count()
        load_work_rights()
        assert WorkRightsEntry.objects.count() == before

"""The fairness audit: recommendation and shortlist rates by group, flagged under four fifths of the best."""

from __future__ import annotations

import datetime as dt

import pytest

from maharat.core.models import Governorate
from maharat.core.testing import Personas
from maharat.matching.fairness import audit, recommendation_rates, shortlist_rates
from maharat.matching.models import Recommendation, Side
from maharat.matching.tests.factories import offer, skill, verified
from maharat.opportunities.choices import ApplicationStatus
from maharat.opportunities.models import Application
from maharat.people.choices import ConsentChannel, ConsentPurpose, LegalStatus, Nationality, Sex
from maharat.people.models import Person
from maharat.people.services import person_register

pytestmark = pytest.mark.django_db


def people(personas: Personas, sex: str, n: int, nationality: str = Nationality.JORDAN) -> list[Person]:
    gov = Governorate.objects.get(code="AM")
    status = LegalStatus.JORDANIAN if nationality == Nationality.JORDAN else LegalStatus.REFUGEE
    return [
        person_register(
            actor=personas.officer,
            data={
                "given_name_latin": f"{sex}{nationality}{i}",
                "family_name_latin": "Audit",
                "sex": sex,
                "date_of_birth": dt.date(1995, 1, 1 + i),
                "nationality": nationality,
                "legal_status": status,
                "governorate": gov,
            },
            consent_purposes=[ConsentPurpose.REGISTRATION, ConsentPurpose.MATCHING],
            consent_channel=ConsentChannel.PAPER,
            organization=personas.partner,
            check_similar=False,
        )
        for i in range(n)
    ]


def listed(opportunity: object, chosen: list[Person]) -> None:
    for rank, person in enumerate(chosen, start=1):
        Recommendation.objects.create(
            side=Side.OPPORTUNITY,
            person=person,
            opportunity=opportunity,
            rank=rank,
            score=1.0,
            units=1,
            terms={},
        )


class FairnessAuditTests:
    def test_flags_men_recommended_below_four_fifths_of_womens_rate(self, personas: Personas) -> None:
        women, men = people(personas, Sex.FEMALE, 5), people(personas, Sex.MALE, 5)
        job = offer(verified(personas.employer_org), "Packer", [(skill("pack", "Packing"), 2, 1)], sector="C")
        listed(job, [*women, men[0]])
        rows = {r.group: r for r in recommendation_rates(job) if r.attribute == "Sex"}
        assert rows["Female"].rate == 1.0 and not rows["Female"].flagged
        assert rows["Male"].rate == pytest.approx(0.2) and rows["Male"].flagged
        overall = {r.group: r for r in recommendation_rates() if r.attribute == "Sex"}
        assert overall["Male"].flagged

    def test_people_the_law_bars_from_an_offer_are_not_counted_against_it(self, personas: Personas) -> None:
        jordanians = people(personas, Sex.FEMALE, 5)
        people(personas, Sex.FEMALE, 5, Nationality.SYRIA)
        barber = offer(verified(personas.employer_org), "Barber", [(skill("hair", "Hair"), 2, 1)])
        listed(barber, jordanians)
        rows = {r.group: r for r in recommendation_rates(barber) if r.attribute == "Nationality and status"}
        assert "Refugee registered with UNHCR" not in rows
        assert not any(r.flagged for r in rows.values())

    def test_shortlist_rates_among_applicants(self, personas: Personas) -> None:
        women, men = people(personas, Sex.FEMALE, 5), people(personas, Sex.MALE, 5)
        job = offer(verified(personas.employer_org), "Packer", [(skill("pack", "Packing"), 2, 1)], sector="C")
        for i, person in enumerate([*women, *men]):
            status = ApplicationStatus.SHORTLISTED if (person in men or i < 2) else ApplicationStatus.APPLIED
            Application.objects.create(opportunity=job, person=person, status=status)
        rows = {r.group: r for r in shortlist_rates(job) if r.attribute == "Sex"}
        assert rows["Female"].flagged and rows["Female"].rate == pytest.approx(0.4)
        assert audit(job).flagged >= 1

    def test_an_empty_platform_has_nothing_to_flag(self, db: object) -> None:
        result = audit()
        assert result.recommended == [] and result.shortlisted == [] and result.flagged == 0

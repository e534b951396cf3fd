"""The matching demo: Amal's profile gets the skills of a few open offers, then everyone's lists are computed.

Run by ``manage.py demo`` after the opportunities demo, so that Amal (log in with her phone number) sees
"Recommended for you" with reasons, and the employer sees ranked candidates of the demo offers.
"""

from __future__ import annotations

from typing import Any

from maharat.matching.models import Recommendation, Side
from maharat.matching.services import resumable_runs, run_execute, run_start
from maharat.opportunities.models import Opportunity, OpportunitySkill
from maharat.opportunities.work_rights import Rules
from maharat.people.choices import ConsentChannel, ConsentPurpose
from maharat.people.models import Person
from maharat.people.services import consent_record, has_valid_consent
from maharat.skills.models import PersonSkill
from maharat.skills.services import person_skill_set

DEMO_PHONE = "+962791234567"
OFFERS_FOR_AMAL = 3


def _profile_amal(officer: Any) -> Person | None:
    """Give Amal the required skills of the open offers she may lawfully take, and matching consent."""
    amal = Person.objects.active().filter(phone=DEMO_PHONE).first()
    if amal is None:
        return None
    if not has_valid_consent(amal, ConsentPurpose.MATCHING):
        consent_record(
            actor=officer, person=amal, purpose=ConsentPurpose.MATCHING, channel=ConsentChannel.PAPER
        )
    if PersonSkill.objects.filter(person=amal).exists():
        return amal
    rules = Rules.load()
    chosen = [
        o
        for o in Opportunity.objects.visible().select_related("employer__employer_profile", "occupation")
        if rules.verdict(nationality=amal.nationality, legal_status=amal.legal_status, opportunity=o).eligible
    ][:OFFERS_FOR_AMAL]
    required = OpportunitySkill.objects.filter(opportunity__in=chosen).select_related("skill")
    for number, item in enumerate(required.order_by("opportunity_id", "-importance", "skill_id")):
        if number % 4 == 3:
            continue  # leave a gap, so that her page shows a missing skill and a course that teaches it
        person_skill_set(
            actor=officer, person=amal, skill=item.skill, proficiency=max(item.min_proficiency, 2)
        )
    return amal


def demo_matching(*, officer: Any) -> dict[str, int]:
    """Compute everyone's recommendations for the demo; returns how many were stored and how many Amal has."""
    amal = _profile_amal(officer)
    for stopped in resumable_runs():
        run_execute(stopped)
    run = run_execute(run_start(actor=officer))
    stored = sum(run.chunks.values_list("stored", flat=True))
    mine = Recommendation.objects.filter(side=Side.PERSON, person=amal).count() if amal else 0
    return {"stored": stored, "amal": mine}

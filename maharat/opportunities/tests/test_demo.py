"""The demo data and the work-rights command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from maharat.core.testing import Personas
from maharat.opportunities import access, work_rights
from maharat.opportunities.demo import demo_opportunities
from maharat.opportunities.models import Application, Opportunity, WorkRightsEntry

pytestmark = pytest.mark.django_db


class DemoTests:
    def test_demo_is_complete_and_idempotent(self, personas: Personas) -> None:
        first = demo_opportunities(employer_user=personas.employer, moderator=personas.admin)
        again = demo_opportunities(employer_user=personas.employer, moderator=personas.admin)
        assert first == again
        assert first["offers"] == 15 and first["flagged"] == 1 and first["applications"] == 1
        flagged = Opportunity.objects.get(status="pending")
        assert flagged.safeguarding_flags == [{"code": "recruitment_fee"}]
        barber = Opportunity.objects.get(title_en__startswith="Barber")
        assert work_rights.verdict(personas.amal, barber).code == work_rights.CLOSED_TO_NON_JORDANIANS
        construction = Opportunity.objects.get(title_en__startswith="Construction")
        assert work_rights.verdict(personas.amal, construction).code == work_rights.PERMIT_ROUTE
        kinds = set(Opportunity.objects.values_list("kind", flat=True))
        assert {"gig", "placement", "apprenticeship", "internship", "job_part_time", "job_full_time"} <= kinds
        assert Application.objects.get().person == personas.amal
        assert access.visible_applications(personas.employer).count() == 1
        assert access.visible_applications(personas.admin).count() == 1
        assert access.visible_applications(personas.amal_user).count() == 1
        assert access.visible_applications(personas.trainer).count() == 0
        assert access.managed_opportunities(personas.admin).count() == 15
        assert access.managed_opportunities(personas.employer).count() == 15
        assert access.is_employer(personas.employer) and not access.is_employer(personas.amal_user)
        assert access.can_report(personas.amal_user) and not access.can_report(None)
        assert access.own_person(None) is None


class LoadWorkRightsCommandTests:
    def test_command_loads_and_reports(self, db: None) -> None:
        out = StringIO()
        call_command("load_work_rights", stdout=out)
        assert "2 lists" in out.getvalue()
        assert WorkRightsEntry.objects.filter(label_en="barbers").exists()

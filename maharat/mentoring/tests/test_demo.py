"""The mentoring demo: mentors, Amal's request for a female mentor, a held session; run twice, same rows."""

from __future__ import annotations

from maharat.core.testing import Personas
from maharat.mentoring.demo import demo_mentoring
from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session
from maharat.mentoring.services import reminders_send


class DemoTests:
    def test_demo_is_complete_and_idempotent(self, personas: Personas) -> None:
        first = demo_mentoring(
            officer=personas.officer, organization=personas.agency, mentor_user=personas.mentor
        )
        second = demo_mentoring(
            officer=personas.officer, organization=personas.agency, mentor_user=personas.mentor
        )
        assert first == second
        assert first["mentors"] == 3 and first["pairings"] == 1 and first["requests"] >= 1
        amal = MenteeRequest.objects.get(person=personas.amal)
        assert amal.wants_female_mentor and amal.status == "matched"
        pairing = Pairing.objects.get(request=amal)
        assert pairing.mentor.user == personas.mentor and pairing.mentor.sex == "F"
        assert Session.objects.filter(pairing=pairing, status="held").count() == 1
        assert MentorProfile.objects.get(user=personas.mentor).active_mentees == 1
        assert reminders_send() == 1

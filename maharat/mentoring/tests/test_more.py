"""Edges: administrators, admin pages, anonymous access helpers, bad profile and request input through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maharat.core.testing import Personas, english_client
from maharat.mentoring import access, services
from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session
from maharat.mentoring.tests.factories import (
    held_session,
    make_mentor,
    make_pairing,
    make_request,
    mentor_user,
)
from maharat.people.models import Person


def _client(user: object) -> Client:
    client = english_client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


class AdminTests:
    def test_admin_pages_list_and_never_edit(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        session = held_session(personas, pairing)
        client = _client(personas.admin)
        for model in ("mentorprofile", "menteerequest", "pairing", "session"):
            assert client.get(reverse(f"admin:mentoring_{model}_changelist")).status_code == 200
            assert client.get(reverse(f"admin:mentoring_{model}_add")).status_code == 403
        page = client.get(reverse("admin:mentoring_session_change", args=[session.pk]))
        assert page.status_code == 200 and "secret note" not in page.content.decode()
        assert client.post(reverse("admin:mentoring_pairing_delete", args=[pairing.pk])).status_code == 403

    def test_names_of_rows(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        session = held_session(personas, pairing)
        assert str(pairing.mentor) == "Mentor mentor"
        assert str(pairing) == f"{pairing.mentor_id}->{pairing.mentee_id}"
        assert str(pairing.request) == f"{personas.amal.pk}@{personas.partner.pk}"
        assert str(session).startswith(f"{pairing.pk}@")
        assert pairing.mentor.sector_labels() == ["Wholesale and retail trade; repair of vehicles"]
        assert pairing.mentor.language_labels() == ["Arabic"]


class AdministratorTests:
    def test_administrator_runs_every_organizations_mentoring(self, personas: Personas) -> None:
        make_mentor(personas)
        make_request(personas)
        make_mentor(personas, mentor_user("k", personas.other_partner), organization=personas.other_partner)
        make_request(personas, personas.omar, organization=personas.other_partner)
        client = _client(personas.admin)
        page = client.get(reverse("mentoring:dashboard")).content.decode()
        assert "عمر العبادي" in page and "أمل الحسن" in page
        assert client.get(reverse("mentoring:profile_create")).status_code == 200
        assert access.managing_organizations(personas.admin).count() >= 3
        assert access.mentor_organizations(personas.admin).filter(pk=personas.agency.pk).exists()

    def test_anonymous_has_nothing(self) -> None:
        anonymous = AnonymousUser()
        assert access.own_profile(anonymous) is None
        assert not access.mentor_pairings(anonymous).exists()
        assert not access.mentee_pairings(anonymous).exists()
        assert not access.can_manage_mentoring(anonymous)


class BadInputTests:
    def test_profile_page_shows_service_errors_and_saves_nothing(self, personas: Personas) -> None:
        from maharat.core.roles import Role
        from maharat.people.models import Membership

        Membership.objects.create(user=personas.mentor, organization=personas.partner, role=Role.MENTOR)
        data = {
            "organization": personas.partner.pk,
            "display_name": "Huda",
            "sex": "F",
            "languages": ["ar"],
            "hours_per_month": 4,
            "capacity": 2,
        }
        response = _client(personas.mentor).post(reverse("mentoring:my_profile"), data)
        assert response.status_code == 200
        assert "Give a governorate, or offer remote mentoring." in response.content.decode()
        assert not MentorProfile.objects.exists()

    def test_request_form_refuses_a_bad_phone(self, personas: Personas) -> None:
        response = _client(personas.officer).post(
            reverse("mentoring:request_create"), {"phone": "abc", "organization": personas.partner.pk}
        )
        assert "Enter a valid phone number." in response.content.decode()
        assert not MenteeRequest.objects.exists()

    def test_merged_person_cannot_ask_for_a_mentor(self, personas: Personas) -> None:
        Person.objects.filter(pk=personas.hassan.pk).update(merged_into=personas.amal)
        personas.hassan.refresh_from_db()
        with pytest.raises(ValidationError, match="merged"):
            make_request(personas, personas.hassan)
        assert not MenteeRequest.objects.exists()

    def test_ended_pairing_takes_no_sessions_or_messages(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        services.pairing_end(actor=personas.officer, pairing=pairing)
        client = _client(personas.mentor)
        when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        url = reverse("mentoring:session_create", args=[pairing.pk])
        assert (
            client.post(url, {"starts_at": when, "mode": "phone", "duration_minutes": 30}).status_code == 403
        )
        message = reverse("mentoring:pairing_message", args=[pairing.pk])
        assert client.post(message, {"text": "hi"}).status_code == 403
        assert client.get(reverse("mentoring:pairing", args=[pairing.pk])).status_code == 200
        assert not Session.objects.exists() and Pairing.objects.get().status == "ended"

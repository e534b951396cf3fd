"""Staff pages of broadcasts, segments and RapidPro tokens, and who may see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from maharat.core.testing import PAGE_BUDGET, Personas, assert_forbidden, page_weight
from maharat.messaging import broadcasts as services
from maharat.messaging.models import Message
from maharat.messaging.models_api import Broadcast, BroadcastStatus, OrganizationToken, Segment
from maharat.messaging.tests.rapidpro_builders import reachable

pytestmark = pytest.mark.django_db


def _segment(personas: Personas, organization: Any = None, name: str = "Everyone") -> Segment:
    organization = organization or personas.partner
    actor = personas.officer if organization == personas.partner else personas.other_officer
    return services.segment_save(actor=actor, organization=organization, name=name, filters={})


class BroadcastPageTests:
    def test_preview_then_send_now(self, personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
        segment = _segment(personas)
        client = personas.client_for(personas.officer)
        data = {
            "organization": personas.partner.pk,
            "segment": segment.pk,
            "text_ar": "ورشة غداً",
            "text_en": "",
        }
        preview = client.post("/staff/broadcasts/new/", data)
        assert preview.status_code == 200
        assert b"1 person will receive this message." in preview.content and b"Send now" in preview.content
        assert not Broadcast.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post("/staff/broadcasts/new/", {**data, "confirm": "1"})
        broadcast = Broadcast.objects.get()
        assert sent.status_code == 302 and sent["Location"] == f"/staff/broadcasts/{broadcast.uuid}/"
        assert Message.objects.get(person=personas.amal).text == "ورشة غداً"
        detail = client.get(sent["Location"])
        assert detail.status_code == 200 and "أمل الحسن" in detail.content.decode()
        assert client.get("/staff/broadcasts/").status_code == 200

    def test_schedule_then_cancel(self, personas: Personas) -> None:
        segment = _segment(personas)
        client = personas.client_for(personas.officer)
        later = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        data = {
            "organization": personas.partner.pk,
            "segment": segment.pk,
            "text_en": "Hi",
            "scheduled_at": later,
        }
        client.post("/staff/broadcasts/new/", {**data, "confirm": "1"})
        broadcast = Broadcast.objects.get()
        assert broadcast.status == BroadcastStatus.SCHEDULED and not Message.objects.exists()
        assert b"Cancel the broadcast" in client.get(f"/staff/broadcasts/{broadcast.uuid}/").content
        other = personas.client_for(personas.other_officer)
        assert other.get(f"/staff/broadcasts/{broadcast.uuid}/").status_code == 404
        assert other.post(f"/staff/broadcasts/{broadcast.uuid}/cancel/").status_code == 404
        client.post(f"/staff/broadcasts/{broadcast.uuid}/cancel/")
        broadcast.refresh_from_db()
        assert broadcast.status == BroadcastStatus.CANCELLED
        again = client.post(f"/staff/broadcasts/{broadcast.uuid}/cancel/", follow=True)
        assert b"has not started yet" in again.content

    def test_form_refuses_bad_input(self, personas: Personas) -> None:
        segment = _segment(personas)
        theirs = _segment(personas, personas.other_partner, "Theirs")
        client = personas.client_for(personas.officer)
        base = {"organization": personas.partner.pk, "segment": segment.pk}
        assert b"Write the message" in client.post("/staff/broadcasts/new/", base).content
        past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        assert (
            b"has passed"
            in client.post("/staff/broadcasts/new/", {**base, "text_en": "x", "scheduled_at": past}).content
        )
        foreign = client.post(
            "/staff/broadcasts/new/", {**base, "segment": theirs.pk, "text_en": "x", "confirm": "1"}
        )
        assert foreign.status_code == 200 and not Broadcast.objects.exists()
        other_org = client.post(
            "/staff/broadcasts/new/",
            {**base, "organization": personas.other_partner.pk, "text_en": "x", "confirm": "1"},
        )
        assert other_org.status_code == 200 and not Broadcast.objects.exists()

    def test_admin_sees_both_organizations_and_mismatch_is_refused(self, personas: Personas) -> None:
        segment = _segment(personas)
        client = personas.client_for(personas.admin)
        response = client.post(
            "/staff/broadcasts/new/",
            {
                "organization": personas.other_partner.pk,
                "segment": segment.pk,
                "text_en": "x",
                "confirm": "1",
            },
        )
        assert b"belongs to another organization" in response.content and not Broadcast.objects.exists()

    def test_list_queries_do_not_grow_with_broadcasts(
        self, personas: Personas, django_assert_max_num_queries: Any
    ) -> None:
        for _ in range(5):
            broadcast = services.broadcast_create(
                actor=personas.officer, organization=personas.partner, people=[personas.amal], text_ar="نص"
            )
            services.broadcast_send(broadcast.pk)
        client = personas.client_for(personas.officer)
        client.get("/staff/broadcasts/")  # warm the session and roles
        with django_assert_max_num_queries(12):
            response = client.get("/staff/broadcasts/")
        assert response.content.decode().count("/staff/broadcasts/") >= 5

    def test_long_text_warns_about_cost(self, personas: Personas) -> None:
        segment = _segment(personas)
        client = personas.client_for(personas.officer)
        long_text = "ا" * (70 * (settings.MESSAGING_MAX_PARTS_WARNING + 1))
        data = {"organization": personas.partner.pk, "segment": segment.pk, "text_ar": long_text}
        assert b"Warning: this message is longer" in client.post("/staff/broadcasts/new/", data).content

    def test_pages_come_in_arabic_and_stay_light(self, personas: Personas) -> None:
        broadcast = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], text_ar="نص"
        )
        client = Client()
        client.force_login(personas.officer)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        page = client.get(f"/staff/broadcasts/{broadcast.uuid}/").content.decode()
        assert 'dir="rtl"' in page
        for url in (
            "/staff/broadcasts/",
            "/staff/broadcasts/new/",
            "/staff/segments/",
            "/staff/rapidpro-tokens/",
        ):
            assert page_weight(personas.client_for(personas.officer), url) < PAGE_BUDGET

    def test_only_broadcasting_staff_may_open_the_pages(self, personas: Personas) -> None:
        broadcast = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], text_ar="نص"
        )
        outsiders = [None, personas.employer, personas.researcher, personas.mentor, personas.amal_user]
        for url in (
            "/staff/broadcasts/",
            "/staff/broadcasts/new/",
            "/staff/segments/",
            "/staff/segments/new/",
        ):
            assert_forbidden(url, outsiders)
        assert_forbidden("/staff/rapidpro-tokens/", outsiders)
        assert_forbidden(f"/staff/broadcasts/{broadcast.uuid}/", [*outsiders, personas.other_officer])
        listing = personas.client_for(personas.other_officer).get("/staff/broadcasts/")
        assert str(broadcast.uuid) not in listing.content.decode()


class SegmentPageTests:
    def test_preview_count_then_save(self, personas: Personas) -> None:
        reachable(personas, governorate="IR")
        client = personas.client_for(personas.officer)
        data = {"organization": personas.partner.pk, "name": "Irbid", "governorates": ["IR"], "age_min": "18"}
        preview = client.post("/staff/segments/new/", data)
        assert b"1 person matches." in preview.content and not Segment.objects.exists()
        saved = client.post("/staff/segments/new/", {**data, "confirm": "1"})
        assert saved.status_code == 302 and Segment.objects.get().filters == {
            "governorates": ["IR"],
            "age_min": 18,
        }
        listing = client.get("/staff/segments/").content.decode()
        assert "Irbid" in listing
        duplicate = client.post("/staff/segments/new/", {**data, "confirm": "1"})
        assert b"already has a segment" in duplicate.content
        backwards = client.post(
            "/staff/segments/new/", {**data, "name": "B", "age_min": "40", "age_max": "20"}
        )
        assert b"lower than the lowest" in backwards.content


class TokenPageTests:
    def test_create_shows_the_key_once_and_revoke(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        created = client.post(
            "/staff/rapidpro-tokens/", {"organization": personas.partner.pk, "name": "Workspace"}
        )
        token = OrganizationToken.objects.get()
        page = created.content.decode()
        assert "shown only once" in page and token.key_prefix in page
        assert "shown only once" not in client.get("/staff/rapidpro-tokens/").content.decode()
        blank = client.post("/staff/rapidpro-tokens/", {"organization": personas.partner.pk, "name": "   "})
        assert blank.status_code == 200 and OrganizationToken.objects.count() == 1
        assert (
            personas.client_for(personas.other_officer)
            .post(f"/staff/rapidpro-tokens/{token.pk}/revoke/")
            .status_code
            == 404
        )
        client.post(f"/staff/rapidpro-tokens/{token.pk}/revoke/")
        token.refresh_from_db()
        assert token.revoked_at is not None


class AdminTests:
    def test_admin_creates_a_token_showing_its_key_once_and_revokes(self, personas: Personas) -> None:
        client = personas.client_for(personas.admin)
        response = client.post(
            "/admin/messaging/organizationtoken/add/",
            {"organization": personas.partner.pk, "name": "Workspace"},
            follow=True,
        )
        token = OrganizationToken.objects.get()
        assert (
            "shown only once" in response.content.decode() and token.key_prefix in response.content.decode()
        )
        client.post(
            "/admin/messaging/organizationtoken/",
            {"action": "revoke", "_selected_action": [token.pk]},
        )
        token.refresh_from_db()
        assert token.revoked_at is not None
        broadcast = services.broadcast_create(
            actor=personas.officer, organization=personas.partner, people=[personas.amal], text_ar="نص"
        )
        for url in (
            "/admin/messaging/segment/",
            "/admin/messaging/broadcast/",
            f"/admin/messaging/broadcast/{broadcast.pk}/change/",
            "/admin/messaging/flowrun/",
        ):
            assert client.get(url).status_code == 200, url

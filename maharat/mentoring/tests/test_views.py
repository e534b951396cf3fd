"""Pages of mentoring: permission matrices, notes privacy, the confirm flow, Arabic and English, page weight."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maharat.core.testing import PAGE_BUDGET, Personas, assert_forbidden, english_client, page_weight
from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session
from maharat.mentoring.tests.factories import (
    held_session,
    make_mentor,
    make_pairing,
    make_request,
    mentor_user,
)


def _client(user: object, language: str = "en") -> Client:
    client = english_client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


class PermissionTests:
    def test_dashboard_matrix(self, personas: Personas) -> None:
        url = reverse("mentoring:dashboard")
        assert_forbidden(
            url,
            [
                None,
                personas.employer,
                personas.trainer,
                personas.mentor,
                personas.researcher,
                personas.amal_user,
            ],
        )
        for user in (personas.officer, personas.other_officer, personas.admin):
            assert _client(user).get(url).status_code == 200

    def test_staff_see_only_their_organizations_pairs(self, personas: Personas) -> None:
        make_pairing(personas)
        url = reverse("mentoring:dashboard")
        assert "أمل الحسن" in _client(personas.officer).get(url).content.decode()
        page = _client(personas.other_officer).get(url).content.decode()
        assert "أمل" not in page and "Mentor mentor" not in page

    def test_pairing_page_matrix_and_notes_privacy(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        held_session(personas, pairing)
        url = reverse("mentoring:pairing", args=[pairing.pk])
        assert_forbidden(
            url,
            [
                None,
                personas.amal_user,
                personas.other_officer,
                personas.employer,
                personas.trainer,
                personas.researcher,
            ],
        )
        for user in (personas.mentor, personas.officer, personas.admin):
            page = _client(user).get(url).content.decode()
            assert "secret note" in page
            assert personas.amal.phone not in page and "945-12345678" not in page
        mentee_page = _client(personas.amal_user).get(reverse("mentoring:my_mentor")).content.decode()
        assert "secret note" not in mentee_page and "Mentor mentor" in mentee_page

    def test_mentor_sees_only_name_and_goals_of_own_mentees(self, personas: Personas) -> None:
        make_pairing(personas)
        other = make_mentor(personas, mentor_user("m2", personas.partner))
        request = make_request(personas, personas.hassan)
        from maharat.mentoring import services

        services.pairings_confirm(
            actor=personas.officer, choices=[services.PairChoice(request.pk, other.pk)], org_ids=None
        )
        page = _client(personas.mentor).get(reverse("mentoring:my_mentees")).content.decode()
        assert "أمل الحسن" in page and "Sell embroidery online" in page
        assert "حسن" not in page.replace("أمل الحسن", "")
        assert personas.amal.phone not in page and "Zaatari" not in page
        assert_forbidden(reverse("mentoring:my_mentees"), [None, personas.amal_user])

    def test_write_endpoints_matrix(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        session = held_session(personas, pairing)
        profile = MentorProfile.objects.get(pk=pairing.mentor_id)
        outsiders = [None, personas.other_officer, personas.employer, personas.trainer, personas.researcher]
        when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        schedule = {"starts_at": when, "duration_minutes": 60, "mode": "phone"}
        assert_forbidden(
            reverse("mentoring:session_create", args=[pairing.pk]),
            [*outsiders, personas.amal_user],
            method="post",
            data=schedule,
        )
        assert_forbidden(
            reverse("mentoring:session_record", args=[session.pk]),
            [*outsiders, personas.amal_user],
            method="post",
            data={"status": "missed"},
        )
        assert_forbidden(
            reverse("mentoring:session_feedback", args=[session.pk]),
            [*outsiders, personas.mentor, personas.officer, personas.admin],
            method="post",
            data={f"s{session.pk}-rating": 5},
        )
        assert_forbidden(
            reverse("mentoring:pairing_message", args=[pairing.pk]),
            [*outsiders, personas.amal_user],
            method="post",
            data={"text": "hi"},
        )
        assert_forbidden(
            reverse("mentoring:pairing_end", args=[pairing.pk]),
            [*outsiders, personas.amal_user, personas.mentor],
            method="post",
        )
        assert_forbidden(
            reverse("mentoring:profile_edit", args=[profile.pk]),
            [*outsiders, personas.amal_user],
        )
        assert_forbidden(
            reverse("mentoring:confirm"),
            [None, personas.mentor, personas.amal_user, personas.employer],
            method="post",
        )
        assert_forbidden(
            reverse("mentoring:request_create"),
            [None, personas.mentor, personas.amal_user, personas.employer],
        )
        assert_forbidden(reverse("mentoring:my_mentor"), [None, personas.employer, personas.officer])
        assert_forbidden(reverse("mentoring:my_profile"), [None, personas.amal_user])
        assert_forbidden(
            reverse("mentoring:home"), [None, personas.amal_user.__class__.objects.create_user("nobody")]
        )
        session.refresh_from_db()
        assert (session.status, session.feedback_rating) == ("held", None)
        assert Pairing.objects.get(pk=pairing.pk).status == "active"
        assert Session.objects.count() == 1


class FlowTests:
    def test_officer_records_a_request_and_confirms_the_suggestion(self, personas: Personas) -> None:
        woman = make_mentor(personas, capacity=1)
        man = make_mentor(personas, mentor_user("samir", personas.partner), sex="M", capacity=1)
        client = _client(personas.officer)
        form = {
            "phone": "0791234567",
            "organization": personas.partner.pk,
            "goals": "Online shop",
            "sector": "G",
            "language": "ar",
            "governorate": personas.amal.governorate_id,
            "remote_ok": "on",
            "wants_female_mentor": "on",
        }
        bad = client.post(reverse("mentoring:request_create"), {**form, "phone": "0790000000"})
        assert bad.status_code == 200 and not MenteeRequest.objects.exists()
        assert client.post(reverse("mentoring:request_create"), form).status_code == 302
        duplicate = client.post(reverse("mentoring:request_create"), form)
        assert duplicate.status_code == 200 and MenteeRequest.objects.count() == 1
        request = MenteeRequest.objects.get()
        page = client.get(reverse("mentoring:dashboard")).content.decode()
        assert "female mentor asked" in page and "Confirm all pairs" in page
        # The man is not offered for Amal: choosing him is refused and nothing changes.
        refused = client.post(reverse("mentoring:confirm"), {f"r{request.pk}": man.pk}, follow=True)
        assert "nothing was confirmed" in refused.content.decode()
        assert not Pairing.objects.exists()
        client.post(reverse("mentoring:confirm"), {f"r{request.pk}": woman.pk, "only": str(request.pk)})
        pairing = Pairing.objects.get()
        assert (pairing.mentor_id, pairing.suggested) == (woman.pk, True)
        again = client.post(reverse("mentoring:confirm"), {f"r{request.pk}": woman.pk}, follow=True)
        assert Pairing.objects.count() == 1 and again.status_code == 200

    def test_confirm_over_capacity_in_one_post_changes_nothing(self, personas: Personas) -> None:
        mentor = make_mentor(personas, capacity=1)
        first = make_request(personas)
        second = make_request(personas, personas.hassan)
        response = _client(personas.officer).post(
            reverse("mentoring:confirm"), {f"r{first.pk}": mentor.pk, f"r{second.pk}": mentor.pk}, follow=True
        )
        assert "Nothing was confirmed." in response.content.decode()
        assert not Pairing.objects.exists()
        assert MentorProfile.objects.get(pk=mentor.pk).active_mentees == 0

    def test_mentor_runs_sessions_and_mentee_gives_feedback(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        mentor = _client(personas.mentor)
        when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        url = reverse("mentoring:session_create", args=[pairing.pk])
        mentor.post(url, {"starts_at": when, "duration_minutes": 60, "mode": "online"})
        mentor.post(url, {"starts_at": "not a date", "duration_minutes": 60, "mode": "online"})
        assert not Session.objects.exists()
        mentor.post(
            url,
            {"starts_at": when, "duration_minutes": 60, "mode": "online", "meeting_url": "https://m.org/a"},
        )
        session = Session.objects.get()
        record = reverse("mentoring:session_record", args=[session.pk])
        mentor.post(record, {"status": "held", "notes": "n"})
        mentor.post(record, {"status": "nonsense"})
        assert Session.objects.get().status == "scheduled"
        Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
        mentor.post(record, {"status": "held", "notes": "private words"})
        mentor.post(reverse("mentoring:pairing_message", args=[pairing.pk]), {"text": ""})
        mentor.post(
            reverse("mentoring:pairing_message", args=[pairing.pk]), {"text": "Bring your price list"}
        )
        amal = _client(personas.amal_user)
        page = amal.get(reverse("mentoring:my_mentor")).content.decode()
        assert "private words" not in page and "Send feedback" in page
        feedback = reverse("mentoring:session_feedback", args=[session.pk])
        amal.post(feedback, {f"s{session.pk}-rating": 9})
        assert Session.objects.get().feedback_rating is None
        amal.post(feedback, {f"s{session.pk}-rating": 5, f"s{session.pk}-comment": "great"})
        amal.post(feedback, {f"s{session.pk}-rating": 1})
        assert Session.objects.get().feedback_rating == 5
        staff_page = (
            _client(personas.officer).get(reverse("mentoring:pairing", args=[pairing.pk])).content.decode()
        )
        assert "great" in staff_page and "private words" in staff_page

    def test_profiles_by_the_mentor_and_by_staff(self, personas: Personas) -> None:
        from maharat.core.roles import Role
        from maharat.people.models import Membership

        Membership.objects.create(user=personas.mentor, organization=personas.partner, role=Role.MENTOR)
        data = {
            "organization": personas.partner.pk,
            "display_name": "Huda",
            "sex": "F",
            "languages": ["ar", "en"],
            "sectors": ["G"],
            "weekdays": ["6", "1"],
            "remote": "on",
            "hours_per_month": 4,
            "capacity": 2,
            "active": "on",
        }
        mentor = _client(personas.mentor)
        assert mentor.post(reverse("mentoring:my_profile"), {**data, "capacity": 0}).status_code == 200
        assert not MentorProfile.objects.exists()
        assert mentor.post(reverse("mentoring:my_profile"), data).status_code == 302
        profile = MentorProfile.objects.get()
        assert profile.weekdays == [6, 1] and profile.languages == ["ar", "en"]
        assert mentor.get(reverse("mentoring:profile_edit", args=[profile.pk])).status_code == 302
        officer = _client(personas.officer)
        assert (
            officer.post(
                reverse("mentoring:profile_edit", args=[profile.pk]), {**data, "capacity": 3}
            ).status_code
            == 302
        )
        assert MentorProfile.objects.get().capacity == 3
        other = mentor_user("lina", personas.partner)
        created = officer.post(
            reverse("mentoring:profile_create"), {**data, "user": other.pk, "display_name": "Lina"}
        )
        assert created.status_code == 302 and MentorProfile.objects.filter(user=other).exists()

    def test_home_sends_each_role_to_its_page(self, personas: Personas) -> None:
        home = reverse("mentoring:home")
        assert _client(personas.officer).get(home)["Location"] == reverse("mentoring:dashboard")
        assert _client(personas.mentor).get(home)["Location"] == reverse("mentoring:my_mentees")
        assert _client(personas.amal_user).get(home)["Location"] == reverse("mentoring:my_mentor")

    def test_close_request_and_end_pairing(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        request = make_request(personas, personas.hassan)
        officer = _client(personas.officer)
        assert (
            _client(personas.other_officer)
            .post(reverse("mentoring:request_close", args=[request.pk]))
            .status_code
            == 404
        )
        officer.post(reverse("mentoring:request_close", args=[request.pk]))
        officer.post(reverse("mentoring:request_close", args=[request.pk]))
        assert MenteeRequest.objects.get(pk=request.pk).status == "closed"
        officer.post(reverse("mentoring:pairing_end", args=[pairing.pk]))
        officer.post(reverse("mentoring:pairing_end", args=[pairing.pk]))
        assert Pairing.objects.get().status == "ended"

    def test_alert_weeks_on_the_page(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        Pairing.objects.filter(pk=pairing.pk).update(started_at=timezone.now() - dt.timedelta(weeks=2))
        officer = _client(personas.officer)
        assert "nothing held since" not in officer.get(reverse("mentoring:dashboard")).content.decode()
        assert (
            "nothing held since" in officer.get(reverse("mentoring:dashboard") + "?weeks=1").content.decode()
        )
        assert officer.get(reverse("mentoring:dashboard") + "?weeks=0").status_code == 200


class LanguageTests:
    @pytest.mark.parametrize("language", ["ar", "en"])
    def test_pages_render_in_both_languages(self, personas: Personas, language: str) -> None:
        pairing = make_pairing(personas)
        held_session(personas, pairing)
        make_request(personas, personas.hassan)
        pages = [
            (personas.officer, reverse("mentoring:dashboard")),
            (personas.officer, reverse("mentoring:request_create")),
            (personas.officer, reverse("mentoring:profile_create")),
            (personas.officer, reverse("mentoring:pairing", args=[pairing.pk])),
            (personas.mentor, reverse("mentoring:my_mentees")),
            (personas.mentor, reverse("mentoring:my_profile")),
            (personas.amal_user, reverse("mentoring:my_mentor")),
        ]
        for user, url in pages:
            response = _client(user, language).get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert f'lang="{language}"' in html
            assert ('dir="rtl"' in html) == (language == "ar")

    def test_mentee_page_is_light(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        held_session(personas, pairing)
        assert page_weight(_client(personas.amal_user), reverse("mentoring:my_mentor")) < PAGE_BUDGET


class QueryCountTests:
    def _count(self, client: Client, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_pages_do_not_grow_with_rows(self, personas: Personas) -> None:
        from maharat.mentoring import services

        pairing = make_pairing(personas, capacity=5)
        held_session(personas, pairing)
        make_request(personas, personas.hassan)
        officer, mentor, amal = (
            _client(personas.officer),
            _client(personas.mentor),
            _client(personas.amal_user),
        )
        dashboard, mentees, mine = (
            reverse("mentoring:dashboard"),
            reverse("mentoring:my_mentees"),
            reverse("mentoring:my_mentor"),
        )
        before = [self._count(officer, dashboard), self._count(mentor, mentees), self._count(amal, mine)]
        for username in ("m2", "m3"):
            make_mentor(personas, mentor_user(username, personas.partner))
        make_request(personas, personas.omar)
        request = MenteeRequest.objects.get(person=personas.hassan)
        services.pairings_confirm(
            actor=personas.officer, choices=[services.PairChoice(request.pk, pairing.mentor_id)], org_ids=None
        )
        held_session(personas, pairing)
        after = [self._count(officer, dashboard), self._count(mentor, mentees), self._count(amal, mine)]
        assert after == before

"""Services of mentoring: profiles, requests, confirming under capacity, sessions, feedback, reminders, alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from maharat.core.models import AuditLog
from maharat.core.testing import Personas
from maharat.mentoring import selectors, services
from maharat.mentoring.models import MenteeRequest, MentorProfile, Pairing, Session
from maharat.mentoring.suggest import person_groups, suggest
from maharat.mentoring.tasks import send_reminders
from maharat.mentoring.tests.factories import (
    gov,
    held_session,
    make_mentor,
    make_pairing,
    make_request,
    mentor_user,
    skill,
)
from maharat.messaging.models import Message


def _state() -> tuple[int, int, int, list[int]]:
    return (
        Pairing.objects.count(),
        MenteeRequest.objects.filter(status="open").count(),
        AuditLog.objects.count(),
        list(MentorProfile.objects.order_by("pk").values_list("active_mentees", flat=True)),
    )


class ProfileTests:
    def test_profile_is_audited_and_validated(self, personas: Personas) -> None:
        profile = make_mentor(personas)
        assert AuditLog.objects.filter(
            subject_type="mentoring.mentorprofile", subject_id=str(profile.pk)
        ).exists()
        profile.languages = ["xx"]
        with pytest.raises(ValidationError):
            services.mentor_profile_save(actor=personas.officer, profile=profile)

    def test_refuses_a_user_who_is_no_mentor_or_not_of_the_organization(self, personas: Personas) -> None:
        with pytest.raises(ValidationError):
            make_mentor(personas, personas.amal_user)
        with pytest.raises(ValidationError):
            make_mentor(personas, mentor_user("m2", personas.agency), organization=personas.partner)
        assert not MentorProfile.objects.exists()

    def test_needs_a_language_and_a_place(self, personas: Personas) -> None:
        with pytest.raises(ValidationError):
            make_mentor(personas, languages=[])
        with pytest.raises(ValidationError):
            make_mentor(personas, governorate=None, remote=False)
        assert not MentorProfile.objects.exists()

    def test_capacity_cannot_fall_below_active_mentees(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        profile = MentorProfile.objects.get(pk=pairing.mentor_id)
        profile.capacity = 0
        with pytest.raises(ValidationError):
            services.mentor_profile_save(actor=personas.mentor, profile=profile)
        profile = MentorProfile.objects.get(pk=pairing.mentor_id)
        profile.capacity = 1
        profile.bio = "changed"
        services.mentor_profile_save(actor=personas.mentor, profile=profile)
        profile.refresh_from_db()
        assert (profile.capacity, profile.active_mentees, profile.bio) == (1, 1, "changed")

    def test_mentor_with_mentees_cannot_move_organization(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        profile = MentorProfile.objects.get(pk=pairing.mentor_id)
        profile.organization = personas.agency
        with pytest.raises(ValidationError):
            services.mentor_profile_save(actor=personas.mentor, profile=profile)


class RequestTests:
    def test_one_live_request_per_person_and_organization(self, personas: Personas) -> None:
        make_request(personas)
        with pytest.raises(ValidationError):
            make_request(personas)
        assert MenteeRequest.objects.count() == 1

    def test_close_only_open_requests(self, personas: Personas) -> None:
        request = make_request(personas)
        services.mentee_request_close(actor=personas.officer, request=request)
        with pytest.raises(ValidationError):
            services.mentee_request_close(actor=personas.officer, request=request)
        make_request(personas)  # a closed request no longer blocks a new one

    def test_groups_of_a_person(self, personas: Personas) -> None:
        assert {"women", "refugees"} <= person_groups(personas.amal)
        assert {"host", "youth"} <= person_groups(personas.omar, dt.date(2026, 1, 1))
        assert {"migrants", "disability"} <= person_groups(personas.hassan)


class ConfirmTests:
    def test_suggestion_honours_the_female_mentor_request(self, personas: Personas) -> None:
        man = make_mentor(
            personas, mentor_user("samir", personas.partner), sex="M", skills=[skill(), skill("b")]
        )
        woman = make_mentor(personas, mentor_user("huda", personas.partner), sex="F", skills=[], sectors=[])
        request = make_request(personas, wants_female_mentor=True, skills=[skill(), skill("b")])
        result = suggest([personas.partner.pk])
        assert [(p.request.pk, p.mentor.pk) for p in result.pairs] == [(request.pk, woman.pk)]
        with pytest.raises(ValidationError):
            services.pairings_confirm(
                actor=personas.officer, choices=[services.PairChoice(request.pk, man.pk)], org_ids=None
            )
        assert not Pairing.objects.exists()

    def test_confirm_fills_capacity_and_audits(self, personas: Personas) -> None:
        pairing = make_pairing(personas, capacity=1)
        mentor = MentorProfile.objects.get(pk=pairing.mentor_id)
        assert mentor.active_mentees == 1 and mentor.free_places == 0
        assert MenteeRequest.objects.get(pk=pairing.request_id).status == "matched"
        assert AuditLog.objects.filter(subject_type="mentoring.pairing", person_id=personas.amal.pk).exists()
        assert Message.objects.filter(idempotency_key=f"mentoring-pairing-{pairing.pk}-confirmed").exists()

    def test_over_capacity_is_refused_and_nothing_changes(self, personas: Personas) -> None:
        mentor = make_mentor(personas, capacity=1)
        first = make_request(personas)
        second = make_request(personas, personas.hassan)
        before = _state()
        with pytest.raises(ValidationError):
            services.pairings_confirm(
                actor=personas.officer,
                choices=[services.PairChoice(first.pk, mentor.pk), services.PairChoice(second.pk, mentor.pk)],
                org_ids=[personas.partner.pk],
            )
        assert _state() == before

    def test_confirming_twice_never_exceeds_capacity(self, personas: Personas) -> None:
        mentor = make_mentor(personas, capacity=1)
        first = make_request(personas)
        second = make_request(personas, personas.hassan)
        services.pairings_confirm(
            actor=personas.officer, choices=[services.PairChoice(first.pk, mentor.pk)], org_ids=None
        )
        for choices in (
            [services.PairChoice(first.pk, mentor.pk)],
            [services.PairChoice(second.pk, mentor.pk)],
        ):
            with pytest.raises(ValidationError):
                services.pairings_confirm(actor=personas.other_officer, choices=choices, org_ids=None)
        mentor.refresh_from_db()
        assert mentor.active_mentees == 1 and Pairing.objects.count() == 1

    def test_database_refuses_more_mentees_than_capacity(self, personas: Personas) -> None:
        mentor = make_mentor(personas, capacity=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            MentorProfile.objects.filter(pk=mentor.pk).update(active_mentees=2)

    def test_bad_choices_are_refused(self, personas: Personas) -> None:
        mentor = make_mentor(personas)
        other = make_mentor(
            personas, mentor_user("m-karak", personas.other_partner), organization=personas.other_partner
        )
        request = make_request(personas)
        with pytest.raises(ValidationError):
            services.pairings_confirm(actor=personas.officer, choices=[], org_ids=None)
        with pytest.raises(ValidationError):
            services.pairings_confirm(
                actor=personas.officer,
                choices=[
                    services.PairChoice(request.pk, mentor.pk),
                    services.PairChoice(request.pk, mentor.pk),
                ],
                org_ids=None,
            )
        with pytest.raises(ValidationError):  # a mentor of another organization
            services.pairings_confirm(
                actor=personas.officer, choices=[services.PairChoice(request.pk, other.pk)], org_ids=None
            )
        with pytest.raises(PermissionDenied):  # a request outside the officer's organizations
            services.pairings_confirm(
                actor=personas.other_officer,
                choices=[services.PairChoice(request.pk, mentor.pk)],
                org_ids=[personas.other_partner.pk],
            )
        assert not Pairing.objects.exists()

    def test_ending_frees_the_place(self, personas: Personas) -> None:
        pairing = make_pairing(personas, capacity=1)
        services.pairing_end(actor=personas.officer, pairing=pairing)
        assert MentorProfile.objects.get(pk=pairing.mentor_id).active_mentees == 0
        assert MenteeRequest.objects.get(pk=pairing.request_id).status == "closed"
        with pytest.raises(ValidationError):
            services.pairing_end(actor=personas.officer, pairing=pairing)

    def test_unmatched_requests_say_why(self, personas: Personas) -> None:
        make_mentor(personas, sex="M", capacity=1)
        make_request(personas, wants_female_mentor=True)
        make_request(personas, personas.hassan)
        make_request(personas, personas.omar)
        result = suggest(None)
        assert len(result.pairs) == 1
        reasons = sorted(why for _r, why in result.unmatched)
        assert reasons == [
            "Every mentor who fits is full.",
            "No mentor fits the hard rules (female mentor asked, or place).",
        ]


class SessionTests:
    def test_schedule_tells_the_mentee_and_validates(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        soon = timezone.now() + dt.timedelta(days=3)
        for bad in (
            {"starts_at": timezone.now() - dt.timedelta(hours=1), "meeting_url": "https://x.org"},
            {"starts_at": soon, "mode": "online", "meeting_url": ""},
            {"starts_at": soon, "mode": "in_person", "place": " "},
        ):
            with pytest.raises(ValidationError):
                services.session_schedule(actor=personas.mentor, pairing=pairing, **bad)  # type: ignore[arg-type]
        assert not Session.objects.exists()
        session = services.session_schedule(
            actor=personas.mentor, pairing=pairing, starts_at=soon, mode="in_person", place="Zaatari centre"
        )
        message = Message.objects.get(idempotency_key=f"mentoring-session-{session.pk}-scheduled")
        assert message.person_id == personas.amal.pk

    def test_held_only_after_its_time(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        session = services.session_schedule(
            actor=personas.mentor,
            pairing=pairing,
            starts_at=timezone.now() + dt.timedelta(days=1),
            meeting_url="https://x.org",
        )
        with pytest.raises(ValidationError):
            services.session_record(actor=personas.mentor, session=session, status="held")
        with pytest.raises(ValidationError):
            services.session_record(actor=personas.mentor, session=session, status="bogus")
        services.session_record(actor=personas.mentor, session=session, status="cancelled")
        assert Session.objects.get(pk=session.pk).status == "cancelled"

    def test_feedback_only_by_the_mentee_after_held_and_1_to_5(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        scheduled = services.session_schedule(
            actor=personas.mentor,
            pairing=pairing,
            starts_at=timezone.now() + dt.timedelta(days=1),
            meeting_url="https://x.org",
        )
        with pytest.raises(ValidationError):
            services.session_feedback(actor=personas.amal_user, session=scheduled, rating=5)
        session = held_session(personas, pairing)
        for user in (personas.mentor, personas.officer, personas.admin):
            with pytest.raises(PermissionDenied):
                services.session_feedback(actor=user, session=session, rating=4)
        for rating in (0, 6):
            with pytest.raises(ValidationError):
                services.session_feedback(actor=personas.amal_user, session=session, rating=rating)
        assert Session.objects.get(pk=session.pk).feedback_rating is None
        services.session_feedback(actor=personas.amal_user, session=session, rating=4, comment=" useful ")
        session.refresh_from_db()
        assert (session.feedback_rating, session.feedback_comment) == (4, "useful")
        with pytest.raises(ValidationError):
            services.session_feedback(actor=personas.amal_user, session=session, rating=5)
        with pytest.raises(ValidationError):  # a rated session stays held
            services.session_record(actor=personas.mentor, session=session, status="missed")

    def test_no_sessions_after_the_pairing_ended(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        services.pairing_end(actor=personas.officer, pairing=pairing)
        with pytest.raises(ValidationError):
            services.session_schedule(
                actor=personas.mentor,
                pairing=pairing,
                starts_at=timezone.now() + dt.timedelta(days=1),
                meeting_url="https://x.org",
            )
        with pytest.raises(ValidationError):
            services.mentee_message(actor=personas.mentor, pairing=pairing, text="hello")

    def test_mentor_message_goes_through_the_platform(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        for bad in ("  ", "x" * 301):
            with pytest.raises(ValidationError):
                services.mentee_message(actor=personas.mentor, pairing=pairing, text=bad)
        services.mentee_message(actor=personas.mentor, pairing=pairing, text="See you Sunday")
        assert Message.objects.filter(person=personas.amal, text__endswith="See you Sunday").count() == 1


class ReminderTests:
    def test_reminders_go_once_for_tomorrows_sessions(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        now = timezone.now()
        tomorrow = timezone.localtime(now).replace(hour=12, minute=0) + dt.timedelta(days=1)
        later = tomorrow + dt.timedelta(days=3)
        for when in (tomorrow, later):
            services.session_schedule(
                actor=personas.mentor, pairing=pairing, starts_at=when, meeting_url="https://x.org"
            )
        assert services.reminders_send(now=now) == 1
        assert services.reminders_send(now=now) == 0
        call_command("mentoring_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert send_reminders() == 0
        reminders = Message.objects.filter(idempotency_key__endswith="-reminder")
        assert reminders.count() == 1
        assert Session.objects.filter(reminded_at__isnull=False).count() == 1


class AlertTests:
    def test_quiet_pairs_listed_by_weeks(self, personas: Personas) -> None:
        pairing = make_pairing(personas)
        Pairing.objects.filter(pk=pairing.pk).update(started_at=timezone.now() - dt.timedelta(weeks=6))
        assert [q.pairing.pk for q in selectors.quiet_pairings(personas.officer)] == [pairing.pk]
        held_session(personas, pairing, days_ago=15)
        assert selectors.quiet_pairings(personas.officer, weeks=3) == []
        assert [q.weeks for q in selectors.quiet_pairings(personas.officer, weeks=2)] == [2]
        assert selectors.quiet_pairings(personas.other_officer, weeks=1) == []
        assert len(selectors.quiet_pairings(personas.admin, weeks=1)) == 1


def test_governorate_helper(personas: Personas) -> None:
    assert gov("MA").code == "MA"

"""Matching pages: the seeker's recommendations, the employer's ranked candidates, runs and the fairness audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from maharat.core.roles import Role
from maharat.core.testing import PAGE_BUDGET, Personas, assert_forbidden, page_weight
from maharat.learning.models import Course
from maharat.matching.models import MatchRun, Recommendation, RunStatus, Side
from maharat.matching.services import run_execute, run_start
from maharat.matching.tests.factories import consent, holds, offer, skill, verified
from maharat.messaging.models import Message
from maharat.opportunities.choices import ApplicationStatus
from maharat.opportunities.models import Application
from maharat.people.choices import ConsentPurpose, OrganizationKind
from maharat.people.models import Membership, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Personas) -> dict[str, Any]:
    """Offers of Zarqa Garments and of a second employer; Amal, Omar and Hassan with skills and consents."""
    p = personas
    sewing = skill("sewing", "Sewing", "الخياطة")
    sheets = skill("sheets", "Spreadsheets", "جداول البيانات")
    build = skill("masonry", "Masonry", "البناء")
    employer = verified(p.employer_org)
    other = verified(
        Organization.objects.create(
            kind=OrganizationKind.EMPLOYER, slug="amman-build", label_en="Amman Build", label_ar="عمان للبناء"
        )
    )
    from django.contrib.auth import get_user_model

    other_recruiter = get_user_model().objects.create_user(
        username="other_recruiter", password="x-Long-pass-1"
    )
    Membership.objects.create(user=other_recruiter, organization=other, role=Role.EMPLOYER_RECRUITER)
    holds(p.amal, (sewing, 3), (build, 2))
    holds(p.omar, (sewing, 2), (sheets, 3))
    holds(p.hassan, (build, 4), (sewing, 1))
    consent(p.amal, ConsentPurpose.MATCHING)  # general: shown under a pseudonym
    consent(p.omar, ConsentPurpose.MATCHING, p.employer_org)  # names the employer: shown by name
    consent(p.hassan, ConsentPurpose.MATCHING, p.other_partner)  # names another organization only: not shown
    tailoring = offer(
        employer, "Garment machine operator", [(sewing, 4, 2), (sheets, 2, 2)], sector="C", governorate="MA"
    )
    site = offer(other, "Mason", [(build, 4, 2)], sector="F", governorate="ZA")
    course = Course.objects.create(
        provider=p.training_org, label_en="Excel basics", label_ar="أساسيات إكسل", track="digital_literacy",
        delivery_mode="self_paced", published=True,
    )  # fmt: skip
    course.skills_taught.add(sheets)
    run_execute(run_start(actor="test"))
    return {"tailoring": tailoring, "site": site, "course": course, "other_recruiter": other_recruiter}


class RecommendedPageTests:
    def test_amal_sees_her_offers_with_reasons_and_a_course_for_the_missing_skill(
        self, personas: Personas, world: dict[str, Any]
    ) -> None:
        client = personas.client_for(personas.amal_user)
        response = client.get(reverse("matching:recommended"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Garment machine operator" in html and "Mason" in html
        assert "You have 1 of the 2 skills asked." in html
        assert "Spreadsheets" in html and "Excel basics" in html
        assert reverse("learning:course_detail", args=[world["course"].pk]) in html
        assert "It is in your governorate." in html

    def test_the_page_in_arabic_is_right_to_left_and_light(
        self, personas: Personas, world: dict[str, Any]
    ) -> None:
        client = personas.client_for(personas.amal_user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        response = client.get(reverse("matching:recommended"))
        html = response.content.decode()
        assert 'dir="rtl"' in html and 'lang="ar"' in html
        assert "Garment machine operator" in html
        assert page_weight(client, reverse("matching:recommended")) < PAGE_BUDGET

    def test_reads_a_bounded_number_of_queries(
        self, personas: Personas, world: dict[str, Any], django_assert_max_num_queries: Any
    ) -> None:
        client = personas.client_for(personas.amal_user)
        with django_assert_max_num_queries(20):
            client.get(reverse("matching:recommended"))

    def test_only_beneficiaries_have_recommendations(self, personas: Personas, world: dict[str, Any]) -> None:
        assert_forbidden(reverse("matching:recommended"), [None, personas.employer, personas.officer])

    def test_a_person_without_recommendations_is_told_how_to_get_some(self, personas: Personas) -> None:
        response = personas.client_for(personas.amal_user).get(reverse("matching:recommended"))
        assert "No recommendation yet" in response.content.decode()


class CandidatesPageTests:
    def url(self, world: dict[str, Any], key: str = "tailoring") -> str:
        return reverse("matching:candidates", args=[world[key].pk])

    def test_the_employer_sees_candidates_only_as_far_as_consent_allows(
        self, personas: Personas, world: dict[str, Any]
    ) -> None:
        response = personas.client_for(personas.employer).get(self.url(world))
        html = response.content.decode()
        assert response.status_code == 200
        assert personas.omar.display_name in html  # consent names the employer
        assert personas.amal.display_name not in html and "Candidate " in html  # general consent: a code
        assert personas.hassan.display_name not in html  # consent names another organization only
        assert "Skills:" in html or "Score by term" in html

    def test_a_candidate_who_applied_is_shown_by_name_and_can_be_shortlisted(
        self, personas: Personas, world: dict[str, Any]
    ) -> None:
        application = Application.objects.create(opportunity=world["tailoring"], person=personas.amal)
        client = personas.client_for(personas.employer)
        assert personas.amal.display_name in client.get(self.url(world)).content.decode()
        rec = Recommendation.objects.get(
            side=Side.OPPORTUNITY, opportunity=world["tailoring"], person=personas.amal
        )
        response = client.post(reverse("matching:candidate_action", args=[world["tailoring"].pk, rec.pk]))
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SHORTLISTED
        client.post(reverse("matching:candidate_action", args=[world["tailoring"].pk, rec.pk]))  # not again
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SHORTLISTED

    def test_inviting_a_pseudonymous_candidate_sends_one_message(
        self, personas: Personas, world: dict[str, Any]
    ) -> None:
        rec = Recommendation.objects.get(
            side=Side.OPPORTUNITY, opportunity=world["tailoring"], person=personas.amal
        )
        client = personas.client_for(personas.employer)
        url = reverse("matching:candidate_action", args=[world["tailoring"].pk, rec.pk])
        client.post(url)
        client.post(url)
        invites = Message.objects.filter(
            idempotency_key__startswith=f"matching:invite:{world['tailoring'].pk}:"
        )
        assert invites.count() == 1 and invites.get().person_id == personas.amal.pk

    def test_a_hidden_candidate_cannot_be_acted_on(self, personas: Personas, world: dict[str, Any]) -> None:
        rec = Recommendation.objects.filter(side=Side.OPPORTUNITY, person=personas.hassan).first()
        assert rec is not None
        url = reverse("matching:candidate_action", args=[rec.opportunity_id, rec.pk])
        owner = personas.employer if rec.opportunity_id == world["tailoring"].pk else world["other_recruiter"]
        assert personas.client_for(owner).post(url).status_code == 404

    def test_no_employer_ever_sees_another_employers_ranking(
        self, personas: Personas, world: dict[str, Any]
    ) -> None:
        assert_forbidden(
            self.url(world),
            [
                None,
                world["other_recruiter"],
                personas.amal_user,
                personas.officer,
                personas.trainer,
                personas.researcher,
            ],
        )
        assert_forbidden(self.url(world, "site"), [personas.employer])
        rec = Recommendation.objects.filter(side=Side.OPPORTUNITY, opportunity=world["tailoring"]).first()
        assert rec is not None
        assert_forbidden(
            reverse("matching:candidate_action", args=[world["tailoring"].pk, rec.pk]),
            [None, world["other_recruiter"], personas.amal_user],
            method="post",
        )

    def test_the_page_works_in_arabic(self, personas: Personas, world: dict[str, Any]) -> None:
        client = personas.client_for(personas.employer)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
        html = client.get(self.url(world)).content.decode()
        assert 'dir="rtl"' in html


class RunsPageTests:
    def test_staff_start_a_run_and_see_its_progress(self, personas: Personas, world: dict[str, Any]) -> None:
        client = personas.client_for(personas.officer)
        response = client.post(reverse("matching:run_start"), follow=True)
        assert response.status_code == 200
        run = MatchRun.objects.order_by("-pk").first()
        assert run is not None and run.status == RunStatus.DONE
        html = response.content.decode()
        assert "Finished" in html and f"{run.total} of {run.total} chunks" in html

    def test_a_stopped_run_can_be_resumed_from_the_page(
        self, personas: Personas, world: dict[str, Any]
    ) -> None:
        run = run_start(actor="test")
        client = personas.client_for(personas.officer)
        assert "refresh" in client.get(reverse("matching:runs")).content.decode()
        assert (
            client.post(reverse("matching:run_start"), follow=True).status_code == 200
        )  # refused: one at a time
        client.post(reverse("matching:run_resume", args=[run.pk]))
        run.refresh_from_db()
        assert run.status == RunStatus.DONE
        response = client.post(reverse("matching:run_resume", args=[run.pk]), follow=True)
        assert "already finished" in response.content.decode()

    def test_a_run_that_fails_says_so(
        self, personas: Personas, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from maharat.matching import services

        def broken(**kwargs: Any) -> None:
            raise RuntimeError("out of memory")

        monkeypatch.setattr(services, "build_market", broken)
        response = personas.client_for(personas.officer).post(reverse("matching:run_start"), follow=True)
        assert "stopped with an error" in response.content.decode()
        assert MatchRun.objects.order_by("-pk").first().status == RunStatus.FAILED  # type: ignore[union-attr]

    def test_only_programme_staff_run_matching(self, personas: Personas, world: dict[str, Any]) -> None:
        others = [None, personas.employer, personas.amal_user, personas.trainer, personas.researcher]
        assert_forbidden(reverse("matching:runs"), others)
        assert_forbidden(reverse("matching:run_start"), others, method="post")


class FairnessPageTests:
    def test_staff_read_rates_by_group_overall_and_per_offer(
        self, personas: Personas, world: dict[str, Any]
    ) -> None:
        client = personas.client_for(personas.officer)
        html = client.get(reverse("matching:fairness")).content.decode()
        assert "Recommended to employers" in html and "Shortlisted among applicants" in html
        assert "Sex" in html and "Governorate" in html
        html = client.get(
            reverse("matching:fairness"), {"opportunity": world["tailoring"].pk}
        ).content.decode()
        assert "Garment machine operator" in html
        assert client.get(reverse("matching:fairness"), {"opportunity": "x"}).status_code == 404

    def test_only_programme_staff_read_the_audit(self, personas: Personas, world: dict[str, Any]) -> None:
        assert_forbidden(
            reverse("matching:fairness"), [None, personas.employer, personas.amal_user, personas.mentor]
        )


class AdminTests:
    def test_admins_read_runs_and_their_chunks(self, personas: Personas, world: dict[str, Any]) -> None:
        client = personas.client_for(personas.admin)
        run = MatchRun.objects.get()
        assert client.get(reverse("admin:matching_matchrun_changelist")).status_code == 200
        assert client.get(reverse("admin:matching_matchrun_change", args=[run.pk])).status_code == 200
        assert client.get(reverse("admin:matching_matchrun_add")).status_code == 403

"""Matching end to end on the database: stored lists, hard constraints, explanations, resumable runs, notices."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maharat.core.models import Governorate
from maharat.core.testing import Personas
from maharat.matching import engine, services
from maharat.matching.compute import build_market
from maharat.matching.models import MatchChunk, MatchRun, Recommendation, RunKind, RunStatus, Side
from maharat.matching.services import opportunity_match, run_execute, run_start
from maharat.matching.tests.factories import consent, holds, offer, skill, verified
from maharat.messaging.models import Message
from maharat.opportunities.choices import OpportunityStatus
from maharat.opportunities.models import Opportunity
from maharat.opportunities.work_rights import Rules
from maharat.people.choices import (
    ConsentChannel,
    ConsentPurpose,
    EmploymentStatus,
    LegalStatus,
    Nationality,
    Sex,
)
from maharat.people.models import Person
from maharat.people.services import person_anonymize, person_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(personas: Personas) -> dict[str, Any]:
    """Amal (Syrian refugee, Mafraq), Omar (Jordanian, Amman) and Hassan (Iraqi migrant) and four offers."""
    p = personas
    hair = skill("hair", "Hair cutting", "قص الشعر")
    build = skill("masonry", "Masonry", "البناء")
    farm = skill("harvest", "Harvesting", "الحصاد")
    sheets = skill("sheets", "Spreadsheets", "جداول البيانات")
    employer = verified(p.employer_org)
    holds(p.amal, (hair, 3), (build, 2), (farm, 3))
    holds(p.omar, (hair, 4), (sheets, 2))
    holds(p.hassan, (build, 4), (farm, 1))
    for person in (p.amal, p.omar, p.hassan):
        consent(person, ConsentPurpose.MATCHING)
    offers = {
        "barber": offer(employer, "Barber", [(hair, 4, 2)]),
        "construction": offer(employer, "Builder", [(build, 4, 2)], sector="F"),
        "farm": offer(employer, "Farm worker", [(farm, 3, 1)], sector="A"),
        "office": offer(employer, "Office assistant", [(sheets, 4, 2), (hair, 1, 1)], governorate="AM"),
    }
    return {"offers": offers, "skills": {"hair": hair, "build": build, "farm": farm, "sheets": sheets}}


def full_run(actor: Any = "test") -> MatchRun:
    return run_execute(run_start(actor=actor))


def listed(side: str, **filters: Any) -> list[int]:
    field = "opportunity_id" if side == Side.PERSON else "person_id"
    return list(
        Recommendation.objects.filter(side=side, **filters).order_by("rank").values_list(field, flat=True)
    )


NAMES = ["Lina", "Sami", "Huda", "Rami", "Nour", "Ziad", "Dana", "Fadi", "Maha", "Tariq", "Rana", "Yousef"]


def random_registry(personas: Personas, seed: int) -> dict[str, Any]:
    """A dozen people and eight offers with random skills, places, languages and consents."""
    rng = random.Random(seed)
    skills = [skill(f"s{i}", f"Skill {i}") for i in range(6)]
    skills.append(skill("s6", "Skill 6", broader=skills[0]))  # a narrower skill meets its broader one
    govs = list(Governorate.objects.filter(code__in=["AM", "MA", "IR", "ZA"]))
    people = []
    for i, name in enumerate(NAMES):
        jordanian = rng.random() < 0.5
        purposes = [ConsentPurpose.REGISTRATION] + ([ConsentPurpose.MATCHING] if rng.random() < 0.7 else [])
        person = person_register(
            actor=personas.officer,
            data={
                "given_name_latin": name,
                "family_name_latin": "Test",
                "sex": rng.choice([Sex.FEMALE, Sex.MALE]),
                "date_of_birth": dt.date(1990 + i, 1, 1),
                "nationality": Nationality.JORDAN
                if jordanian
                else rng.choice([Nationality.SYRIA, Nationality.IRAQ]),
                "legal_status": LegalStatus.JORDANIAN if jordanian else LegalStatus.REFUGEE,
                "phone": f"+96279{1000000 + i}",
                "governorate": rng.choice(govs),
                "languages": rng.choice([["ar"], ["ar", "en"]]),
                "wg_walking": rng.choice([None, 1, 3]),
            },
            consent_purposes=purposes,
            consent_channel=ConsentChannel.PAPER,
            organization=personas.partner,
            check_similar=False,
        )
        holds(person, *[(s, rng.randint(1, 4)) for s in rng.sample(skills, rng.randint(0, 4))])
        people.append(person)
    employer = verified(personas.employer_org, insured=rng.choice([None, 50]))
    offers = []
    for i in range(8):
        required = [
            (s, rng.randint(1, 4), rng.randint(1, 4)) for s in rng.sample(skills[:6], rng.randint(1, 3))
        ]
        offers.append(
            offer(
                employer,
                rng.choice(["Barber", "Builder", "Farm worker", "Tailor", "Designer", "Accountant"])
                + f" {i}",
                required,
                governorate=rng.choice(["AM", "MA", "IR"]),
                sector=rng.choice(["A", "F", "S", "J"]),
                remote=rng.random() < 0.2,
                languages=rng.choice([[], ["en"]]),
                accessible=rng.random() < 0.5,
                status=rng.choice([OpportunityStatus.PUBLISHED] * 3 + [OpportunityStatus.CLOSED]),
            )
        )
    return {"people": people, "offers": offers}


def brute_force(k: int) -> tuple[dict[int, list[tuple[int, int]]], dict[int, list[tuple[int, int]]]]:
    """Every pair scored from the engine's definition, filtered by the work-rights verdicts, ranked by hand."""
    m = build_market()
    rules = Rules.load()
    people = Person.objects.in_bulk(m.seekers.person_ids.tolist())
    offers = Opportunity.objects.select_related("employer__employer_profile", "occupation").in_bulk(
        m.offers.opportunity_ids.tolist()
    )
    n_s, n_o = len(m.seekers), len(m.offers)
    s_idx, o_idx = np.repeat(np.arange(n_s), n_o), np.tile(np.arange(n_o), n_s)
    units = engine.score(m.index, s_idx, o_idx).reshape(n_s, n_o) if n_s and n_o else np.zeros((n_s, n_o))
    eligible = np.zeros((n_s, n_o), dtype=bool)
    for s, pid in enumerate(m.seekers.person_ids.tolist()):
        for o, oid in enumerate(m.offers.opportunity_ids.tolist()):
            p = people[pid]
            eligible[s, o] = rules.verdict(
                nationality=p.nationality, legal_status=p.legal_status, opportunity=offers[oid]
            ).eligible
    consent_ok = np.asarray(m.seekers.seekers.matching_consent)
    by_person = {}
    for s, pid in enumerate(m.seekers.person_ids.tolist()):
        pairs = [
            (int(units[s, o]), int(oid))
            for o, oid in enumerate(m.offers.opportunity_ids.tolist())
            if eligible[s, o]
        ]
        by_person[pid] = sorted(pairs, key=lambda x: (-x[0], x[1]))[:k]
    by_offer = {}
    for o, oid in enumerate(m.offers.opportunity_ids.tolist()):
        pairs = [
            (int(units[s, o]), int(pid))
            for s, pid in enumerate(m.seekers.person_ids.tolist())
            if eligible[s, o] and consent_ok[s]
        ]
        by_offer[oid] = sorted(pairs, key=lambda x: (-x[0], x[1]))[:k]
    return by_person, by_offer


class HardConstraintTests:
    def test_a_syrian_refugee_never_gets_a_barbers_job_but_gets_construction_and_farming(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        full_run()
        offers = market["offers"]
        amal = set(listed(Side.PERSON, person=personas.amal))
        assert offers["barber"].pk not in amal
        assert {offers["construction"].pk, offers["farm"].pk} <= amal
        barber = listed(Side.OPPORTUNITY, opportunity=offers["barber"])
        assert personas.amal.pk not in barber and personas.hassan.pk not in barber
        assert personas.omar.pk in barber

    def test_a_large_employer_is_exempt_from_the_crafts_list(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        verified(personas.employer_org, insured=50)
        full_run()
        rec = Recommendation.objects.get(
            side=Side.PERSON, person=personas.amal, opportunity=market["offers"]["barber"]
        )
        assert rec.rank >= 1  # more than 10 insured workers: the crafts list does not apply to this employer

    def test_closed_unpublished_and_expired_offers_are_in_no_list(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        offers = market["offers"]
        Opportunity.objects.filter(pk=offers["construction"].pk).update(status=OpportunityStatus.CLOSED)
        Opportunity.objects.filter(pk=offers["farm"].pk).update(closing_date=dt.date(2020, 1, 1))
        Opportunity.objects.filter(pk=offers["office"].pk).update(status=OpportunityStatus.DRAFT)
        full_run()
        shown = set(Recommendation.objects.values_list("opportunity_id", flat=True))
        assert shown <= {offers["barber"].pk}

    def test_only_people_who_consented_to_matching_are_candidates(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        personas.omar.consents.filter(purpose=ConsentPurpose.MATCHING).update(
            withdrawn_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        )
        full_run()
        assert not Recommendation.objects.filter(side=Side.OPPORTUNITY, person=personas.omar).exists()
        assert Recommendation.objects.filter(side=Side.PERSON, person=personas.omar).exists()

    def test_people_not_looking_for_work_get_nothing(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        Person.objects.filter(pk=personas.omar.pk).update(employment_status=EmploymentStatus.INACTIVE)
        full_run()
        assert not Recommendation.objects.filter(person=personas.omar).exists()

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_no_stored_pair_breaks_the_work_rights_lists(self, personas: Personas, seed: int) -> None:
        random_registry(personas, seed)
        full_run()
        rules = Rules.load()
        for rec in Recommendation.objects.select_related("person", "opportunity__employer__employer_profile"):
            verdict = rules.verdict(
                nationality=rec.person.nationality,
                legal_status=rec.person.legal_status,
                opportunity=rec.opportunity,
            )
            assert verdict.eligible, (rec, verdict)
            assert rec.opportunity.status == OpportunityStatus.PUBLISHED


class StoredTopKTests:
    @pytest.mark.parametrize("seed", [4, 5, 6])
    def test_stored_lists_equal_a_brute_force_of_the_same_score(
        self, personas: Personas, seed: int, settings: Any
    ) -> None:
        settings.MATCHING_K = 3
        settings.MATCHING_CHUNK = 5
        random_registry(personas, seed)
        full_run()
        by_person, by_offer = brute_force(3)
        for pid, expected in by_person.items():
            stored = Recommendation.objects.filter(side=Side.PERSON, person_id=pid).order_by("rank")
            assert [(r.units, r.opportunity_id) for r in stored] == expected
            assert [r.rank for r in stored] == list(range(1, len(expected) + 1))
        for oid, expected in by_offer.items():
            stored = Recommendation.objects.filter(side=Side.OPPORTUNITY, opportunity_id=oid).order_by("rank")
            assert [(r.units, r.person_id) for r in stored] == expected

    def test_the_adapter_reads_the_registry_as_the_engine_expects(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        m = build_market()
        rows = m.person_row()
        amal, omar, hassan = (rows[p.pk] for p in (personas.amal, personas.omar, personas.hassan))
        s = m.seekers.seekers
        assert bool(s.needs_work_permit[amal]) and not bool(s.needs_work_permit[omar])
        assert bool(s.needs_work_permit[hassan])
        assert s.languages is not None and s.languages[omar] == 0b11 and s.languages[amal] == 0b1
        assert s.accessibility_needs is not None and s.accessibility_needs[hassan] == 1 << 2  # walking
        assert s.locality is not None and s.locality[amal] >= 0 and s.locality[omar] == -1
        assert s.governorate[amal] != s.governorate[omar]
        assert m.seekers.disability[hassan] == "yes"
        offers = m.offer_row()
        closed = m.index.o_closed_all
        assert bool(closed[offers[market["offers"]["barber"].pk]])
        assert not bool(closed[offers[market["offers"]["construction"].pk]])  # a flexible permit opens it
        explanation = engine.explain(m.index, amal, offers[market["offers"]["barber"].pk])
        assert not explanation.recommendable and engine.CLOSED_TO_NON_JORDANIANS in explanation.reasons

    def test_an_empty_registry_stores_nothing(self, db: Any) -> None:
        run = full_run()
        assert run.status == RunStatus.DONE
        assert not Recommendation.objects.exists()


class ExplanationTests:
    def test_terms_add_up_to_the_stored_score_and_name_the_skills(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        full_run()
        recs = list(Recommendation.objects.all())
        assert recs
        for rec in recs:
            assert sum(rec.terms.values()) == rec.units
            assert rec.score == pytest.approx(rec.units / engine.UNIT)
        office = Recommendation.objects.get(
            side=Side.PERSON, person=personas.omar, opportunity=market["offers"]["office"]
        )
        assert {m["skill"] for m in office.matched} == {
            market["skills"]["hair"].pk,
            market["skills"]["sheets"].pk,
        }
        assert office.missing == []
        farm = Recommendation.objects.get(
            side=Side.PERSON, person=personas.omar, opportunity=market["offers"]["farm"]
        )
        assert farm.missing == [market["skills"]["farm"].pk]

    def test_a_narrower_skill_meets_its_broader_requirement(self, personas: Personas) -> None:
        broad = skill("digital", "Digital skills")
        narrow = skill("email", "E-mail", broader=broad)
        holds(personas.omar, (narrow, 3))
        job = offer(
            verified(personas.employer_org), "Clerk helper", [(broad, 3, 1)], governorate="AM", sector="J"
        )
        full_run()
        rec = Recommendation.objects.get(side=Side.PERSON, person=personas.omar, opportunity=job)
        assert rec.matched[0]["via"] == narrow.pk and rec.matched[0]["credit"] < 1


class ResumableRunTests:
    def test_a_run_killed_after_a_chunk_continues_from_the_next_one(
        self, personas: Personas, monkeypatch: pytest.MonkeyPatch, settings: Any
    ) -> None:
        settings.MATCHING_CHUNK = 4
        random_registry(personas, 7)
        real = services._store_chunk
        computed: list[tuple[str, int]] = []

        def crash_after_first(run: MatchRun, chunk: MatchChunk, m: Any) -> int:
            if computed:
                raise RuntimeError("worker killed")
            computed.append((chunk.phase, chunk.number))
            return real(run, chunk, m)

        monkeypatch.setattr(services, "_store_chunk", crash_after_first)
        run = run_start(actor="test")
        with pytest.raises(RuntimeError):
            run_execute(run)
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED and "worker killed" in run.error
        assert run.done == 1 and run.total > 2
        assert run.chunks.filter(finished_at__isnull=False).count() == 1

        def record(run: MatchRun, chunk: MatchChunk, m: Any) -> int:
            computed.append((chunk.phase, chunk.number))
            return real(run, chunk, m)

        monkeypatch.setattr(services, "_store_chunk", record)
        resumed = services.resumable_runs()[0]
        assert resumed.pk == run.pk
        run = run_execute(resumed)
        assert run.status == RunStatus.DONE and run.done == run.total
        assert len(computed) == run.total and len(set(computed)) == run.total  # no chunk computed twice
        resumed_lists = sorted(
            Recommendation.objects.values_list("side", "person_id", "opportunity_id", "rank", "units")
        )
        Recommendation.objects.all().delete()
        full_run()
        assert (
            sorted(Recommendation.objects.values_list("side", "person_id", "opportunity_id", "rank", "units"))
            == resumed_lists
        )

    def test_a_failed_chunk_leaves_the_previous_lists_intact(
        self, personas: Personas, market: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        full_run()
        before = sorted(Recommendation.objects.values_list("side", "person_id", "opportunity_id", "rank"))

        def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(Recommendation.objects, "bulk_create", broken)
        with pytest.raises(RuntimeError):
            full_run()
        assert (
            sorted(Recommendation.objects.values_list("side", "person_id", "opportunity_id", "rank"))
            == before
        )

    def test_a_second_run_for_everyone_waits_for_the_first(self, personas: Personas) -> None:
        run_start(actor="test")
        with pytest.raises(Exception, match="already under way"):
            run_start(actor="test")

    def test_a_finished_run_is_not_computed_again(self, personas: Personas, market: dict[str, Any]) -> None:
        run = full_run()
        assert run_execute(run).finished_at == run.finished_at


class IncrementalTests:
    def test_publishing_ranks_the_offer_and_notifies_the_best_matches_once(
        self, personas: Personas, market: dict[str, Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        from maharat.opportunities.services import opportunity_submit

        draft = offer(
            personas.employer_org,
            "Mason for a school building site",
            [(market["skills"]["build"], 4, 2)],
            status=OpportunityStatus.DRAFT,
            sector="F",
            wage_amount=400,
            hours_per_week=40,
            description_en="Building a school in Mafraq; safety equipment provided.",
        )
        with django_capture_on_commit_callbacks(execute=True):
            opportunity_submit(actor=personas.employer, opportunity=draft)
        draft.refresh_from_db()
        assert draft.status == OpportunityStatus.PUBLISHED, draft.safeguarding_flags
        run = MatchRun.objects.get(kind=RunKind.OPPORTUNITY, opportunity=draft)
        assert run.status == RunStatus.DONE
        ranked = listed(Side.OPPORTUNITY, opportunity=draft)
        assert set(ranked[:2]) == {personas.hassan.pk, personas.amal.pk}
        assert draft.pk in listed(Side.PERSON, person=personas.amal)
        notices = Message.objects.filter(idempotency_key__startswith=f"matching:offer:{draft.pk}:")
        assert {m.person_id for m in notices} == {personas.hassan.pk, personas.amal.pk}
        opportunity_match(opportunity=draft)
        assert Message.objects.filter(idempotency_key__startswith=f"matching:offer:{draft.pk}:").count() == 2
        amal_notice = notices.get(person=personas.amal)
        assert amal_notice.language == "ar" and amal_notice.status != "blocked"
        assert "Mason for a school" in amal_notice.text
        assert notices.get(person=personas.hassan).status == "blocked"  # Hassan never agreed to text messages

    def test_an_offer_that_is_not_visible_gets_no_candidates(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        closed = market["offers"]["farm"]
        Opportunity.objects.filter(pk=closed.pk).update(status=OpportunityStatus.CLOSED)
        run = opportunity_match(opportunity=closed)
        assert run.status == RunStatus.DONE
        assert not Recommendation.objects.filter(opportunity=closed).exists()

    def test_a_failure_while_matching_a_publication_is_recorded_not_raised(
        self, personas: Personas, market: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from maharat.matching import apps

        def broken(**kwargs: Any) -> None:
            raise RuntimeError("no index")

        monkeypatch.setattr(services, "build_market", broken)
        apps.on_published(market["offers"]["farm"])
        run = MatchRun.objects.get(kind=RunKind.OPPORTUNITY)
        assert run.status == RunStatus.FAILED and "no index" in run.error

    def test_anonymizing_a_person_erases_their_recommendations(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        full_run()
        person_anonymize(actor=personas.admin, person=personas.amal, reason="asked")
        assert not Recommendation.objects.filter(person=personas.amal).exists()


class CommandTests:
    def test_match_all_prints_a_progress_bar(
        self, personas: Personas, market: dict[str, Any], capsys: Any
    ) -> None:
        from io import StringIO

        out = StringIO()
        call_command("match", "--all", stdout=out)
        text = out.getvalue()
        assert "[" in text and "100%" in text and "recommendations stored" in text
        assert MatchRun.objects.get().status == RunStatus.DONE

    def test_match_one_opportunity_and_resume(self, personas: Personas, market: dict[str, Any]) -> None:
        from io import StringIO

        out = StringIO()
        call_command("match", "--opportunity", str(market["offers"]["farm"].pk), stdout=out)
        assert "One opportunity" in out.getvalue()
        with pytest.raises(CommandError, match="no opportunity"):
            call_command("match", "--opportunity", "999999", stdout=out)
        with pytest.raises(CommandError, match="No run"):
            call_command("match", "--resume", stdout=out)
        run = run_start(actor="test")
        call_command("match", "--resume", stdout=out)
        run.refresh_from_db()
        assert run.status == RunStatus.DONE
        with pytest.raises(CommandError, match="already finished"):
            call_command("match", "--resume", str(run.pk), stdout=out)
        with pytest.raises(CommandError, match="no run"):
            call_command("match", "--resume", "999999", stdout=out)
        run_start(actor="test")
        with pytest.raises(CommandError, match="already under way"):
            call_command("match", "--all", stdout=out)


class WorkPermitExceptionTests:
    def test_an_offer_closed_to_one_nationality_stays_open_to_the_others(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        from maharat.opportunities.models import WorkRightsEntry, WorkRightsList

        work_list = WorkRightsList.objects.filter(kind="occupations").first()
        assert work_list is not None
        WorkRightsEntry.objects.create(
            work_rights_list=work_list, label_en="floristry", label_ar="تنسيق الزهور", keywords_en=["florist"],
            nationalities=[Nationality.IRAQ],
        )  # fmt: skip
        florist = offer(
            verified(personas.employer_org), "Florist", [(market["skills"]["farm"], 2, 1)], sector="G"
        )
        full_run()
        rec = Recommendation.objects.get(side=Side.PERSON, person=personas.amal, opportunity=florist)
        assert engine.PERMIT_EXCEPTION in rec.reasons
        assert not Recommendation.objects.filter(person=personas.hassan, opportunity=florist).exists()
        assert personas.amal.pk in listed(Side.OPPORTUNITY, opportunity=florist)


class EdgeTests:
    def test_a_market_for_one_person(self, personas: Personas, market: dict[str, Any]) -> None:
        m = build_market(person_ids=[personas.amal.pk])
        assert m.seekers.person_ids.tolist() == [personas.amal.pk]

    def test_a_run_for_one_opportunity_needs_the_opportunity(self, personas: Personas) -> None:
        with pytest.raises(Exception, match="Choose the opportunity"):
            run_start(actor="test", kind=RunKind.OPPORTUNITY)

    def test_the_task_of_a_deleted_opportunity_does_nothing(self, db: Any) -> None:
        from maharat.matching.tasks import match_opportunity

        assert match_opportunity(999999)["status"] == "missing"

    def test_only_a_candidate_of_an_open_offer_can_be_invited(
        self, personas: Personas, market: dict[str, Any]
    ) -> None:
        full_run()
        mine = Recommendation.objects.filter(side=Side.PERSON).first()
        assert mine is not None
        with pytest.raises(Exception, match="ranked candidate"):
            services.candidate_invite(actor=personas.employer, recommendation=mine)
        candidate = Recommendation.objects.filter(side=Side.OPPORTUNITY).first()
        assert candidate is not None
        Opportunity.objects.filter(pk=candidate.opportunity_id).update(status=OpportunityStatus.CLOSED)
        with pytest.raises(Exception, match="not open"):
            services.candidate_invite(actor=personas.employer, recommendation=candidate)

    def test_accommodations_become_needs_the_workplace_meets(self) -> None:
        from maharat.matching.offers import accommodations_mask

        assert accommodations_mask(["wg_seeing", "unknown"], accessible=False) == 1
        assert accommodations_mask([], accessible=True) == 1 << 2

    def test_resume_a_named_run(self, personas: Personas, market: dict[str, Any]) -> None:
        from io import StringIO

        run = run_start(actor="test")
        call_command("match", "--resume", str(run.pk), stdout=StringIO())
        run.refresh_from_db()
        assert run.status == RunStatus.DONE

    def test_bad_settings_are_refused(self, settings: Any) -> None:
        from maharat.matching import market as market_settings

        settings.MATCHING_RELATED_DISCOUNTS = (1.5, 0.5)
        with pytest.raises(ValueError, match="discounts"):
            market_settings.related_discounts()


class ConcurrentPublicationTests:
    def test_an_offer_published_during_a_full_run_keeps_its_lists(
        self, personas: Personas, market: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from django.utils import timezone

        before = build_market()  # the market as the long run saw it when it started
        run = run_start(actor="test")
        MatchRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(minutes=5))
        run.refresh_from_db()
        new = offer(personas.employer_org, "Stone mason", [(market["skills"]["build"], 4, 2)], sector="F")
        opportunity_match(opportunity=new)
        monkeypatch.setattr(services, "build_market", lambda **kwargs: before)
        run_execute(run)
        assert personas.amal.pk in listed(Side.OPPORTUNITY, opportunity=new)
        assert new.pk in listed(Side.PERSON, person=personas.amal)
        ranks = list(
            Recommendation.objects.filter(side=Side.PERSON, person=personas.amal)
            .order_by("rank")
            .values_list("rank", flat=True)
        )
        assert ranks == list(range(1, len(ranks) + 1))

"""The solver: optimal against brute force, capacity never exceeded, hard rules kept, fit explained."""

from __future__ import annotations

import itertools
import random

import pytest

from maharat.mentoring import assign
from maharat.mentoring.assign import MenteeData, MentorData


def _random_instance(rng: random.Random) -> tuple[list[MentorData], list[MenteeData]]:
    mentors = [
        MentorData(
            key=j,
            free_places=rng.randint(0, 2),
            female=rng.random() < 0.5,
            skills=frozenset(rng.sample(range(6), rng.randint(0, 3))),
            sectors=frozenset(rng.sample("ACGJ", rng.randint(0, 2))),
            languages=frozenset(rng.sample(["ar", "en"], rng.randint(1, 2))),
            governorate=rng.choice([1, 2, None]),
            remote=rng.random() < 0.6,
            preferred_groups=frozenset(rng.sample(["women", "youth"], rng.randint(0, 1))),
        )
        for j in range(rng.randint(1, 3))
    ]
    mentees = [
        MenteeData(
            key=i,
            wants_female=rng.random() < 0.3,
            skills=frozenset(rng.sample(range(6), rng.randint(0, 3))),
            sector=rng.choice(["", "A", "C", "G", "J"]),
            language=rng.choice(["ar", "en"]),
            governorate=rng.choice([1, 2]),
            remote_ok=rng.random() < 0.6,
            groups=frozenset(rng.sample(["women", "youth", "refugees"], rng.randint(0, 2))),
        )
        for i in range(rng.randint(0, 5))
    ]
    return mentors, mentees


def _brute_force(mentors: list[MentorData], mentees: list[MenteeData]) -> int:
    best = 0
    for choice in itertools.product([None, *range(len(mentors))], repeat=len(mentees)):
        load = [0] * len(mentors)
        total = 0
        ok = True
        for i, j in enumerate(choice):
            if j is None:
                continue
            f = assign.fit(mentors[j], mentees[i])
            load[j] += 1
            if not f.allowed or load[j] > mentors[j].free_places:
                ok = False
                break
            total += f.score
        if ok:
            best = max(best, total)
    return best


class SolverTests:
    @pytest.mark.parametrize("seed", range(150))
    def test_total_fit_equals_brute_force_and_respects_every_rule(self, seed: int) -> None:
        mentors, mentees = _random_instance(random.Random(seed))
        result = assign.assign(mentors, mentees)
        assert result.total == _brute_force(mentors, mentees)
        load = [0] * len(mentors)
        for pair in result.pairs:
            load[pair.mentor] += 1
            assert pair.fit.allowed
            if mentees[pair.mentee].wants_female:
                assert mentors[pair.mentor].female
        assert all(load[j] <= max(m.free_places, 0) for j, m in enumerate(mentors))
        assert sorted([p.mentee for p in result.pairs] + result.unmatched) == list(range(len(mentees)))
        assert result.total == sum(p.fit.score for p in result.pairs)

    @pytest.mark.parametrize("seed", range(40))
    def test_score_matrix_equals_the_fit_of_every_pair(self, seed: int) -> None:
        mentors, mentees = _random_instance(random.Random(1000 + seed))
        matrix = assign.score_matrix(mentors, mentees)
        for i, mentee in enumerate(mentees):
            for j, mentor in enumerate(mentors):
                f = assign.fit(mentor, mentee)
                assert matrix[i, j] == (f.score if f.allowed else -1)


class SolverRulesTests:
    def test_female_mentor_asked_is_a_hard_rule_even_when_the_man_fits_better(self) -> None:
        man = MentorData(
            key=1, free_places=5, female=False, skills=frozenset({1, 2, 3}), sectors=frozenset("G")
        )
        woman = MentorData(key=2, free_places=1, female=True, governorate=9)
        amal = MenteeData(key=1, wants_female=True, skills=frozenset({1, 2, 3}), sector="G", governorate=1)
        result = assign.assign([man, woman], [amal])
        assert [(p.mentee, p.mentor) for p in result.pairs] == [(0, 1)]
        assert assign.fit(man, amal).blocked_by == (assign.BLOCK_FEMALE,)

    def test_full_mentors_leave_mentees_unmatched(self) -> None:
        mentor = MentorData(key=1, free_places=1, female=True)
        mentees = [MenteeData(key=i) for i in range(3)]
        result = assign.assign([mentor], mentees)
        assert len(result.pairs) == 1 and len(result.unmatched) == 2

    def test_no_common_place_blocks_the_pair(self) -> None:
        mentor = MentorData(key=1, free_places=1, female=True, governorate=1, remote=False)
        mentee = MenteeData(key=1, governorate=2, remote_ok=True)
        assert assign.fit(mentor, mentee).blocked_by == (assign.BLOCK_PLACE,)
        assert assign.assign([mentor], [mentee]).pairs == []

    def test_fit_decomposes_into_its_terms(self) -> None:
        mentor = MentorData(
            key=1,
            free_places=1,
            female=True,
            skills=frozenset({1, 2, 3, 4}),
            sectors=frozenset("G"),
            languages=frozenset({"ar"}),
            governorate=1,
            preferred_groups=frozenset({"women"}),
        )
        mentee = MenteeData(
            key=1,
            skills=frozenset({1, 2, 3, 4}),
            sector="G",
            language="ar",
            governorate=1,
            groups=frozenset({"women"}),
        )
        f = assign.fit(mentor, mentee)
        assert f.terms == {"base": 1, "skills": 9, "sector": 3, "language": 2, "same_place": 2, "group": 1}
        assert f.score == 18

    def test_empty_inputs(self) -> None:
        assert assign.assign([], [MenteeData(key=1)]).unmatched == [0]
        assert assign.assign([MentorData(key=1, free_places=1, female=False)], []).pairs == []
        assert assign.assign([MentorData(key=1, free_places=0, female=False)], [MenteeData(key=1)]).total == 0

"""Mentor matching benchmark: the exact assignment (``maharat.mentoring.assign``) on synthetic programmes.

    python benchmarks/mentoring.py                      # 200 mentees × 60 mentors and 1,000 × 300
    python benchmarks/mentoring.py --sizes 2000:600 --seed 3

Mentors have 1–4 free places, 0–4 of 12 skills, 1–3 of 6 sectors, Arabic and sometimes English, one of
12 governorates, 70% accept remote mentoring, 45% are women; 30% of the mentees ask for a female mentor.
It times the fit matrix (numpy, whole arrays) and the whole assignment (matrix + Hungarian solve), checks that
no capacity is exceeded and no hard rule broken, and prints the anchor measured in the same run
(``np.sort`` of 1,000,000 floats). Importing this module does nothing; only running it does.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from maharat.mentoring import assign  # noqa: E402
from maharat.mentoring.assign import MenteeData, MentorData  # noqa: E402


def instance(n_mentees: int, n_mentors: int, seed: int) -> tuple[list[MentorData], list[MenteeData]]:
    """Synthetic mentors and mentees."""
    rng = random.Random(seed)
    mentors = [
        MentorData(
            key=j,
            free_places=rng.randint(1, 4),
            female=rng.random() < 0.45,
            skills=frozenset(rng.sample(range(12), rng.randint(0, 4))),
            sectors=frozenset(rng.sample("ACFGJM", rng.randint(1, 3))),
            languages=frozenset(["ar", "en"] if rng.random() < 0.4 else ["ar"]),
            governorate=rng.randrange(12),
            remote=rng.random() < 0.7,
            preferred_groups=frozenset(rng.sample(["women", "youth", "refugees"], rng.randint(0, 1))),
        )
        for j in range(n_mentors)
    ]
    mentees = [
        MenteeData(
            key=i,
            wants_female=rng.random() < 0.3,
            skills=frozenset(rng.sample(range(12), rng.randint(1, 3))),
            sector=rng.choice("ACFGJM"),
            language="en" if rng.random() < 0.1 else "ar",
            governorate=rng.randrange(12),
            remote_ok=rng.random() < 0.8,
            groups=frozenset(rng.sample(["women", "youth", "refugees"], rng.randint(0, 2))),
        )
        for i in range(n_mentees)
    ]
    return mentors, mentees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200:60,1000:300", help="mentees:mentors, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = np.random.default_rng(0).random(1_000_000)
    start = time.perf_counter()
    np.sort(data)
    print(f"anchor: np.sort of 1,000,000 floats {time.perf_counter() - start:.3f} s")
    for size in args.sizes.split(","):
        n_mentees, n_mentors = (int(x) for x in size.split(":"))
        mentors, mentees = instance(n_mentees, n_mentors, args.seed)
        start = time.perf_counter()
        assign.score_matrix(mentors, mentees)
        scored = time.perf_counter() - start
        start = time.perf_counter()
        result = assign.assign(mentors, mentees)
        total = time.perf_counter() - start
        load = [0] * n_mentors
        for pair in result.pairs:
            load[pair.mentor] += 1
            assert pair.fit.allowed
        assert all(load[j] <= m.free_places for j, m in enumerate(mentors))
        places = sum(m.free_places for m in mentors)
        print(
            f"{n_mentees} mentees × {n_mentors} mentors ({places} places): fit matrix {scored:.3f} s, "
            f"assign (fit + solve) {total:.3f} s, matched {len(result.pairs)}, total fit {result.total}"
        )


if __name__ == "__main__":
    main()

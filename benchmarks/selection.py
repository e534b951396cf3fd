"""Cohort selection benchmark: exact selection (HiGHS) against the greedy baseline, with an anchor.

    python benchmarks/selection.py                              # 50,000 → 2,000 and 500,000 → 20,000
    python benchmarks/selection.py --sizes 50000:2000 --seed 3

For each size it draws synthetic applicants (integer-ish priority points with many ties; about 45% women,
30% refugees, 5% persons with disabilities, 35% youth; 12 governorates of very unequal size, Amman scoring
a little higher), with the rules: women ≥ 50%, refugees ≥ 25%, disability ≥ 7%, youth ≥ 30%, and a cap on
each of the 12 governorates; then again with fine-grained scores (0.01 steps, nearly no ties: the hard case
for a formulation by class and score). It times ``select`` (exact, proven optimal), the same without
reduced-cost fixing and with HiGHS presolve on, the plain per-applicant model (up to --full-up-to
applicants) and ``greedy`` (the baseline); runs ``verify`` on each cohort; prints the greedy's optimality gap
and the peak resident memory during the selection. The anchor, measured in the same run, is ``np.sort`` of
1,000,000 floats and a plain per-applicant ``milp`` on a fixed 2,000-applicant instance. Importing this
module does nothing; only running it does.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import scipy
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from maharat.programmes import selection_core  # noqa: E402
from maharat.programmes.selection import Applicant, Cap, Quota, Rules, Selection, greedy, select, verify  # noqa: E402

T = TypeVar("T")
GOVERNORATES = ("AM", "IR", "ZA", "MA", "BA", "KA", "JA", "AJ", "MD", "KR", "TA", "AQ")
WEIGHTS = np.array([42, 18, 14, 6, 5, 3, 3, 2, 3, 2, 1, 1], dtype=float) / 100.0
CAPS = (0.30, 0.20, 0.18, 0.10, 0.08, 0.06, 0.06, 0.05, 0.06, 0.05, 0.04, 0.04)  # max share of the cohort
TARGETS = {2_000: 5.0, 20_000: 60.0}  # seconds for the exact selection
MEMORY_TARGET_MB = 2048


def applicants(count: int, seed: int, fine: bool = False) -> list[Applicant]:
    """Synthetic eligible applicants with realistic shares and tied integer-ish priority points.

    fine: officers' adjustments on a 0.01 grid from 0 to 3 instead of {0, 0.5, 1.5}, so that scores
    within a class are nearly all distinct (the hard case for the class-and-score formulation).
    """
    rng = np.random.default_rng(seed)
    women = rng.random(count) < 0.45
    refugee = rng.random(count) < 0.30
    disability = rng.random(count) < 0.05
    youth = rng.random(count) < 0.35
    governorate = rng.choice(len(GOVERNORATES), size=count, p=WEIGHTS / WEIGHTS.sum())
    education = rng.integers(0, 5, count)  # 0 none … 4 university
    experience = np.minimum(rng.poisson(3, count), 10)
    test = rng.integers(0, 21, count)
    custom = rng.choice([0.0, 0.0, 0.0, 0.5, 1.5], size=count)  # officers' small adjustments
    if fine:
        custom = np.round(rng.random(count) * 3.0, 2)
    score = 5 * education + 2 * experience + test + 3 * refugee + 2 * (governorate == 0) + 2 * youth + custom
    score = np.round(score, 2)
    names = ("women", "refugees", "disability", "youth")
    flags = np.stack([women, refugee, disability, youth], axis=1)
    memberships = [frozenset(n for n, f in zip(names, row, strict=True) if f) for row in flags.tolist()]
    return [
        Applicant(
            str(100_000 + i), float(score[i]), memberships[i], {"governorate": GOVERNORATES[governorate[i]]}
        )
        for i in range(count)
    ]


def rules(seats: int) -> Rules:
    """Four group quotas and twelve governorate caps."""
    return Rules(
        seats=seats,
        quotas=(
            Quota("women", 0.50),
            Quota("refugees", 0.25),
            Quota("disability", 0.07),
            Quota("youth", 0.30),
        ),
        caps=tuple(Cap("governorate", g, max_share=s) for g, s in zip(GOVERNORATES, CAPS, strict=True)),
    )


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """The result of work() and its wall time in seconds."""
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def plain_milp(people: list[Applicant], rule: Rules, presolve: bool) -> float:
    """The plain model: one binary per applicant, every rule a row; returns the optimal total."""
    seats = rule.seats
    matrix = [np.ones(len(people))]
    low, high = [float(seats)], [float(seats)]
    for quota in rule.quotas:
        matrix.append(np.array([quota.group in a.groups for a in people], dtype=float))
        low.append(math.ceil(quota.min_share * seats - 1e-9))
        high.append(np.inf)
    for cap in rule.caps:
        matrix.append(np.array([a.attributes["governorate"] == cap.value for a in people], dtype=float))
        low.append(-np.inf)
        high.append(math.floor((cap.max_share or 0.0) * seats + 1e-9))
    result = milp(
        -np.array([a.score for a in people]),
        constraints=LinearConstraint(sparse.csr_matrix(np.array(matrix)), low, high),
        integrality=np.ones(len(people)),
        bounds=Bounds(0, 1),
        options={"presolve": presolve, "mip_rel_gap": 0.0},
    )
    return -float(result.fun)


def anchor() -> tuple[float, float]:
    """Seconds to sort 1,000,000 floats (median of 5) and to solve a fixed 2,000 → 200 plain MILP (median of 3)."""
    values = np.random.default_rng(0).random(1_000_000)
    sort = sorted(timed(lambda: np.sort(values))[1] for _ in range(5))[2]
    people, rule = applicants(2_000, 0), rules(200)
    plain = sorted(timed(lambda: plain_milp(people, rule, presolve=True))[1] for _ in range(3))[1]
    return sort, plain


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakMemory:
    """Samples this process's resident memory every 5 ms in a thread, to find the peak during some work."""

    def __init__(self) -> None:
        self.before = rss_mb()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def run_size(count: int, seats: int, seed: int, full_up_to: int, fine: bool) -> None:
    """Time, check and compare the exact selection, its variants, the plain model and the greedy."""
    people, made = timed(lambda: applicants(count, seed, fine))
    rule = rules(seats)
    with PeakMemory() as memory:
        exact, exact_s = timed(lambda: select(people, rule, seed=seed))
    base, greedy_s = timed(lambda: greedy(people, rule, seed=seed))
    top = math.fsum(sorted((a.score for a in people), reverse=True)[:seats])
    gap = exact.total_score - base.total_score
    kind = "fine-grained scores (0.01 steps)" if fine else "integer-ish scores with many ties"
    print(f"\n{count:,} applicants → {seats:,} seats, {kind} (data drawn in {made:.1f} s, not timed below)")
    report("exact (select)", exact, exact_s, people, rule)
    for label, option, value in (("no fixing", "FIXING", False), ("presolve on", "presolve", True)):
        if option == "FIXING":
            selection_core.FIXING = value
        else:
            selection_core.HIGHS_OPTIONS[option] = value
        variant, variant_s = timed(lambda: select(people, rule, seed=seed))
        selection_core.FIXING, selection_core.HIGHS_OPTIONS["presolve"] = True, False
        same = "same cohort" if variant.selected == exact.selected else "another optimal cohort"
        print(f"  {label:15s} {variant_s:7.2f} s  total {variant.total_score:,.2f} ({same})")
    if count <= full_up_to:
        total, plain_s = timed(lambda: plain_milp(people, rule, presolve=False))
        print(
            f"  {'plain milp':15s} {plain_s:7.2f} s  total {total:,.2f} (one binary per applicant, presolve off)"
        )
    report("greedy baseline", base, greedy_s, people, rule)
    print(
        f"  greedy gap:     {gap:,.2f} points below the optimum ({100 * gap / exact.total_score:.4f}%); "
        f"the rules cost {100 * (top - exact.total_score) / top:.3f}% of the unconstrained top-{seats:,} total"
    )
    target = TARGETS.get(seats)
    verdict = (
        "" if target is None else f"  [target < {target:g} s: {'met' if exact_s < target else 'missed'}]"
    )
    print(f"  exact time:     {exact_s:.2f} s{verdict}")
    met = "met" if memory.peak <= MEMORY_TARGET_MB else "missed"
    print(
        f"  memory:         peak resident {memory.peak:,.0f} MB during select, {memory.before:,.0f} MB before it "
        f"(the applicants and earlier runs' leftovers)  [target ≤ {MEMORY_TARGET_MB:,} MB: {met}]"
    )


def report(label: str, result: Selection, seconds: float, people: list[Applicant], rule: Rules) -> None:
    """One line per method: time, status, total, checks."""
    violations = verify(result, people, rule)
    unmet = ", ".join(f"{v.rule} {v.actual}/{v.required}" for v in violations) or "none"
    print(
        f"  {label:15s} {seconds:7.2f} s  {result.status:9s} total {result.total_score:,.2f}  violations: {unmet}"
    )
    if result.solver is not None and result.solver.method != "greedy":
        s = result.solver
        print(
            f"  {'':15s} {s.classes} classes, {s.segments:,} segments, {s.boundary:,} applicants in the lottery "
            f"stage, {s.solves} HiGHS solves, proven bound {s.bound:,.2f} (gap {s.gap:g})"
        )
        binding = [a for a in result.attainment if a.bound == "min" and a.achieved == a.required]
        full = [a for a in result.attainment if a.bound == "max" and a.achieved == a.required]
        print(f"  {'':15s} binding: {', '.join(str(a.rule) for a in binding + full) or 'none'}")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sizes", default="50000:2000,500000:20000", help="applicants:seats,… (default %(default)s)"
    )
    parser.add_argument(
        "--full-up-to",
        type=int,
        default=50_000,
        help="also solve the plain per-applicant model up to this size",
    )
    parser.add_argument("--no-fine", action="store_true", help="skip the fine-grained-score instances")
    args = parser.parse_args(argv)
    sizes = [tuple(int(x) for x in item.split(":")) for item in args.sizes.split(",")]
    load = os.getloadavg()
    print(f"Cohort selection benchmark: seed {args.seed}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, load average {load[0]:.2f} before the run"
    )
    sort_s, plain_s = anchor()
    print(
        f"anchor:  np.sort of 1,000,000 floats {1000 * sort_s:.1f} ms; plain milp 2,000 → 200 (HiGHS defaults) {plain_s:.2f} s"
    )
    for fine in (False, True)[: 1 if args.no_fine else 2]:
        for count, seats in sizes:
            run_size(count, seats, args.seed, args.full_up_to, fine)
    return 0


if __name__ == "__main__":
    sys.exit(main())

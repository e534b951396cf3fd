"""Registry benchmark: seeding rate and the latency of the staff people list, name search and phone lookup.

    python benchmarks/registry.py --people 100000                      # SQLite in a temporary directory
    python benchmarks/registry.py --people 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres      # creates and drops maharat_bench_<pid>

It creates a fresh database, migrates it, seeds N synthetic people (``maharat.people.seeding``, timed), makes
an administrator and a partner programme officer, then times ~200 queries of each kind through the same
selector the staff list page uses (``maharat.people.selectors.person_list``) as each of them. An anchor
measured in the same run (a ``SELECT 1`` round trip and a primary-key lookup) lets readers compare figures
across machines. Importing this module does nothing; only running it does.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SEED_TARGET = 20_000  # people/s on PostgreSQL
LATENCY_TARGET_MS = 150.0  # p95 of the filtered list and name search at 1,000,000 people on PostgreSQL
LOAD_AT_START = (0.0, 0.0, 0.0)


@dataclass
class Timing:
    """Latencies of one kind of query, in milliseconds."""

    label: str
    times: list[float]

    @property
    def median(self) -> float:
        """Median latency."""
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        """95th percentile latency."""
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000, help="people to seed (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2, help="PostgreSQL connections writing in parallel")
    parser.add_argument("--organizations", type=int, default=10, help="partner organizations")
    parser.add_argument("--skills", type=int, default=0, help="synthetic skills to create first (0: none)")
    parser.add_argument("--queries", type=int, default=200, help="queries of each kind per user")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server's maintenance database (postgres://…/postgres); empty for SQLite",
    )
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each kind's slowest")
    return parser.parse_args(argv)


@contextlib.contextmanager
def fresh_database(url: str, workdir: Path) -> Iterator[str]:
    """Point Django at a new, empty database for the run; PostgreSQL databases are dropped afterwards."""
    os.environ["MAHARAT_VAR_DIR"] = str(workdir)
    if not url:
        # The embedded default (WAL, synchronous=NORMAL) in a temporary directory.
        os.environ.pop("DATABASE_URL", None)
        yield f"SQLite {workdir / 'maharat.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"maharat_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield f"PostgreSQL database {name}"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Milliseconds per call."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def run(args: argparse.Namespace) -> None:
    """Migrate, seed, measure and print."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.core.management.base import OutputWrapper
    from django.db import connection

    from maharat.people.management.commands.seed import ProgressBar
    from maharat.people.seeding import seed_people
    from maharat.skills.models import Skill

    vendor = connection.vendor
    call_command("migrate", verbosity=0)
    if args.skills:
        Skill.objects.bulk_create(
            [Skill(code=f"bench-{k}", label_en=f"Skill {k}", group="esco") for k in range(args.skills)]
        )
    out = OutputWrapper(sys.stdout)
    print(f"Seeding {args.people:,} people (seed {args.seed}, batch {args.batch}, jobs {args.jobs})…")
    result = seed_people(
        people=args.people,
        seed=args.seed,
        batch=args.batch,
        organizations=args.organizations,
        with_skills=bool(args.skills),
        jobs=args.jobs,
        progress=ProgressBar(out),
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    settle(vendor)
    measure(args, result, vendor, peak_mb)


def settle(vendor: str) -> None:
    """Bring the database to a steady state before timing reads, as autovacuum would in production.

    Every table is analyzed, not only the people tables: the list joins governorates, and without their
    statistics PostgreSQL misjudges how selective a governorate is.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if vendor == "postgresql" else "ANALYZE")


def measure(args: argparse.Namespace, result: Any, vendor: str, peak_mb: float) -> None:
    """Time the anchor and the list, search and phone queries as an administrator and a partner officer."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from maharat.core.roles import Role
    from maharat.people.access import visible_people
    from maharat.people.models import Membership, Organization, Person
    from maharat.people.selectors import AGE_GROUPS, PersonFilters, apply_filters, person_list

    rng = random.Random(args.seed)
    user_model = get_user_model()
    admin = user_model.objects.create_superuser(username="bench-admin", password="x-bench-only-x")
    partner = Organization.objects.get(pk=result.organizations[0]) if result.organizations else None
    officer = user_model.objects.create_user(username="bench-officer", password="x-bench-only-x")
    if partner is not None:
        Membership.objects.create(user=officer, organization=partner, role=Role.PROGRAMME_OFFICER)
    users = {"administrator": admin, "programme officer": officer}
    visible = {label: visible_people(user).count() for label, user in users.items()}

    max_id = Person.objects.order_by("-id").values_list("id", flat=True).first() or 0
    min_id = Person.objects.order_by("id").values_list("id", flat=True).first() or 0

    def random_person() -> Person:
        while True:
            person = (
                Person.objects.select_related("governorate")
                .filter(pk__gte=rng.randint(min_id, max_id))
                .order_by("id")
                .first()
            )
            if person is not None:
                return person

    def age_group(person: Person) -> str:
        age = person.age
        return next((g for g, (lo, hi) in AGE_GROUPS.items() if lo <= age <= hi), "")

    samples = [random_person() for _ in range(args.queries)]
    filters = {
        "filtered list, first page of 50": [
            PersonFilters(
                governorate=p.governorate.code, sex=p.sex, age_group=age_group(p), legal_status=p.legal_status
            )
            for p in samples
        ],
        "name search (Arabic and Latin)": [PersonFilters(q=name_query(p, rng)) for p in samples],
        "phone lookup": [PersonFilters(q=phone_query(p, rng)) for p in samples if p.phone],
    }

    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    anchor_select = Timing("SELECT 1 round trip", timed(select_one, 1000))
    ids = [p.pk for p in samples]
    pk_times = []
    for pk in ids:
        start = time.perf_counter()
        Person.objects.get(pk=pk)
        pk_times.append((time.perf_counter() - start) * 1000)
    anchor_pk = Timing("primary-key lookup", pk_times)

    results: dict[tuple[str, str], Timing] = {}
    slowest: dict[tuple[str, str], tuple[float, PersonFilters]] = {}
    next_page: dict[str, Timing] = {}
    for label, user in users.items():
        for kind, cases in filters.items():
            for case in cases[:10]:
                person_list(user, case)  # warm caches and connections; not counted
            times = []
            for case in cases:
                start = time.perf_counter()
                page, cursor_id = person_list(user, case)
                elapsed = (time.perf_counter() - start) * 1000
                times.append(elapsed)
                if elapsed > slowest.get((label, kind), (0.0, case))[0]:
                    slowest[(label, kind)] = (elapsed, case)
            results[(label, kind)] = Timing(kind, times)
        pages = []
        for case in filters["filtered list, first page of 50"]:
            _page, cursor_id = person_list(user, case)
            if cursor_id is not None:
                start = time.perf_counter()
                person_list(user, case, after_id=cursor_id)
                pages.append((time.perf_counter() - start) * 1000)
        next_page[label] = Timing("filtered list, next page (keyset)", pages)

    report(args, result, vendor, peak_mb, visible, anchor_select, anchor_pk, results, next_page)
    if args.explain:
        for (label, kind), (elapsed, case) in slowest.items():
            user = users[label]
            query = apply_filters(visible_people(user), case).order_by("-id")[:51]
            print(f"\n--- slowest {kind} as {label}: {elapsed:.1f} ms, {case}")
            print(query.explain(analyze=True) if vendor == "postgresql" else query.explain())


def name_query(person: Any, rng: random.Random) -> str:
    """What staff type to find someone: a given name, a family name or both, in Arabic or Latin script."""
    choices = [
        person.given_name_ar,
        person.family_name_ar,
        f"{person.given_name_ar} {person.family_name_ar}",
        person.given_name_latin,
        person.family_name_latin,
        f"{person.given_name_latin} {person.family_name_latin}",
    ]
    return rng.choice([c for c in choices if c.strip()])


def phone_query(person: Any, rng: random.Random) -> str:
    """A phone number as staff type it: international or the local 07X form."""
    return person.phone if rng.random() < 0.5 else "0" + person.phone[4:]


def report(
    args: argparse.Namespace,
    result: Any,
    vendor: str,
    peak_mb: float,
    visible: dict[str, int],
    anchor_select: Timing,
    anchor_pk: Timing,
    results: dict[tuple[str, str], Timing],
    next_page: dict[str, Timing],
) -> None:
    """Print the figures beside their targets."""
    from django.db import connection

    server = connection.cursor().connection.info.server_version if vendor == "postgresql" else None
    engine = f"PostgreSQL {server // 10000}.{server % 10000}" if server else f"SQLite {sqlite_version()}"
    print()
    print(f"Registry benchmark: {engine}, {result.people:,} people, seed {args.seed}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}, "
        f"load average {LOAD_AT_START[0]:.2f} before the run (other work on the machine slows every figure)"
    )
    print(
        f"anchor:  {anchor_select.label}: median {anchor_select.median:.3f} ms, p95 {anchor_select.p95:.3f} ms"
    )
    print(f"         {anchor_pk.label}: median {anchor_pk.median:.3f} ms, p95 {anchor_pk.p95:.3f} ms")
    met = "met" if result.rate >= SEED_TARGET else "missed"
    target = f"target ≥ {SEED_TARGET:,} people/s on PostgreSQL" + (
        f": {met}" if vendor == "postgresql" else ""
    )
    print(
        f"seeding: {result.people:,} people in {result.seconds:.1f} s = {result.rate:,.0f} people/s "
        f"({result.consents:,} consents, {result.skills:,} skills; peak memory {peak_mb:,.0f} MB)  [{target}]"
    )
    if result.bulk_load:
        print("         (a bulk load: indexes and foreign keys built after the load, within the time above)")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            print(f"size:    database {cursor.fetchone()[0]} after seeding and VACUUM (ANALYZE)")
    print(f"users:   administrator sees {visible['administrator']:,} people; "
          f"partner programme officer sees {visible['programme officer']:,}")  # fmt: skip
    print()
    header = f"{'query (' + str(args.queries) + ' of each)':38s}"
    print(f"{header}{'administrator':>24s}{'programme officer':>24s}   target")
    print(f"{'':38s}{'median':>12s}{'p95':>12s}{'median':>12s}{'p95':>12s}")
    kinds = list(dict.fromkeys(kind for _, kind in results))
    for kind in kinds:
        admin, officer = results[("administrator", kind)], results[("programme officer", kind)]
        aim = ""
        if kind != "phone lookup":
            aim = f"p95 < {LATENCY_TARGET_MS:.0f} ms at 1M on PostgreSQL"
            if vendor == "postgresql" and result.people >= 1_000_000:
                aim += ": met" if max(admin.p95, officer.p95) < LATENCY_TARGET_MS else ": missed"
        print(f"{kind:38s}{ms(admin.median)}{ms(admin.p95)}{ms(officer.median)}{ms(officer.p95)}   {aim}")
    a, o = next_page["administrator"], next_page["programme officer"]
    cells = "".join(ms(t.median) + ms(t.p95) if t.times else f"{'(no second page)':>24s}" for t in (a, o))
    print(f"{a.label:38s}{cells}")
    print(
        f"(next page: timed where the filter has a second page, {len(a.times)} of {args.queries} filters "
        f"as administrator, {len(o.times)} as programme officer)"
    )


def ms(value: float) -> str:
    """A latency, right-aligned."""
    return f"{value:>9.2f} ms"


def sqlite_version() -> str:
    """The SQLite library version."""
    import sqlite3

    return sqlite3.sqlite_version


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    global LOAD_AT_START
    args = parse_args(argv)
    LOAD_AT_START = os.getloadavg()
    with (
        tempfile.TemporaryDirectory(prefix="maharat-bench-") as tmp,
        fresh_database(args.database_url, Path(tmp)) as where,
    ):
        print(f"Fresh database: {where}")
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Writes of matching: runs of the engine (chunked, resumable), stored lists, and the notices of a new offer.

A full run plans its chunks once (ranges of person ids, then ranges of opportunity ids, together covering every
id), then computes and stores them one by one. Each chunk replaces its people's (or offers') lists inside one
transaction and is marked finished in the same transaction, so a run killed at any moment has stored whole
chunks only, and running it again continues from the first unfinished chunk.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maharat.core.audit import audit_record
from maharat.core.errors import DomainError
from maharat.core.models import AuditAction
from maharat.matching import market as market_settings
from maharat.matching.compute import Market, build_market, candidate_lists, person_lists
from maharat.matching.models import ChunkPhase, MatchChunk, MatchRun, Recommendation, RunKind, RunStatus, Side
from maharat.opportunities.models import Opportunity
from maharat.people.models import Person

logger = logging.getLogger("maharat.matching")
LAST_ID = 2**62  # the last chunk reaches past any id, so people registered during a run are not left out
Progress = Callable[[int, int], None]


@cache
def code_version() -> str:
    """The platform version and a fingerprint of the engine's source, kept with every run."""
    import tomllib

    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    platform = tomllib.loads(pyproject.read_text())["project"]["version"] if pyproject.exists() else "unknown"
    digest = hashlib.sha256()
    for name in sorted(Path(__file__).parent.glob("engine*.py")):
        digest.update(name.read_bytes())
    return f"maharat {platform}; engine {digest.hexdigest()[:12]}"


def chunk_size() -> int:
    """People per chunk of a full run (``MATCHING_CHUNK``)."""
    return max(1, int(getattr(settings, "MATCHING_CHUNK", 2000)))


def notify_count() -> int:
    """How many of a new offer's best candidates are told about it (``MATCHING_NOTIFY``)."""
    return max(0, int(getattr(settings, "MATCHING_NOTIFY", 10)))


# Runs -----------------------------------------------------------------------------------------------------


@transaction.atomic
def run_start(*, actor: Any, kind: str = RunKind.ALL, opportunity: Opportunity | None = None) -> MatchRun:
    """Record a new run for everyone (or one opportunity), with the weights and list length it will use."""
    if kind == RunKind.OPPORTUNITY and opportunity is None:
        raise DomainError(_("Choose the opportunity to match."))
    if (
        kind == RunKind.ALL
        and MatchRun.objects.filter(
            kind=RunKind.ALL, status__in=[RunStatus.PENDING, RunStatus.RUNNING]
        ).exists()
    ):
        raise DomainError(
            _("A run for everyone is already under way; resume it instead of starting another.")
        )
    run = MatchRun.objects.create(
        kind=kind,
        opportunity=opportunity if kind == RunKind.OPPORTUNITY else None,
        parameters={"k": market_settings.list_length(), "chunk": chunk_size()},
        weights=market_settings.weights_dict(market_settings.weights()),
        code_version=code_version(),
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, subject=run, reason="matching run started")
    return run


def _plan(run: MatchRun, m: Market) -> None:
    """Split the run into chunks of person ids, then of opportunity ids, covering every id."""
    size = int(run.parameters.get("chunk", chunk_size()))
    chunks: list[MatchChunk] = []
    for phase, ids, per in (
        (ChunkPhase.PEOPLE, m.seekers.person_ids, size),
        (ChunkPhase.OPPORTUNITIES, m.offers.opportunity_ids, max(1, size // 4)),
    ):
        lasts = [int(ids[i - 1]) for i in range(per, len(ids), per)] + [LAST_ID]
        first = 0
        for number, last in enumerate(lasts):
            chunks.append(MatchChunk(run=run, phase=phase, number=number, first_id=first, last_id=last))
            first = last + 1
    with transaction.atomic():
        MatchChunk.objects.bulk_create(chunks)
        MatchRun.objects.filter(pk=run.pk).update(total=len(chunks), updated_at=timezone.now())
    run.total = len(chunks)


def _store_chunk(run: MatchRun, chunk: MatchChunk, m: Market) -> int:
    """Compute one chunk and replace its lists, all in one transaction with the chunk's completion."""
    k = int(run.parameters.get("k", market_settings.list_length()))
    if chunk.phase == ChunkPhase.PEOPLE:
        ids = m.seekers.person_ids
        rows = np.flatnonzero((ids >= chunk.first_id) & (ids <= chunk.last_id))
        recs = person_lists(m, rows, k=k, run=run)
        stale = Recommendation.objects.filter(
            side=Side.PERSON, person_id__gte=chunk.first_id, person_id__lte=chunk.last_id
        )
    else:
        ids = m.offers.opportunity_ids
        rows = np.flatnonzero((ids >= chunk.first_id) & (ids <= chunk.last_id))
        recs = candidate_lists(m, rows, k=k, run=run)
        stale = Recommendation.objects.filter(
            side=Side.OPPORTUNITY, opportunity_id__gte=chunk.first_id, opportunity_id__lte=chunk.last_id
        )
        if run.started_at is not None:
            # An offer published while this run was going has a fresher list than this run's market knows.
            stale = stale.filter(Q(opportunity_id__in=ids[rows].tolist()) | Q(computed_at__lt=run.started_at))
    now = timezone.now()
    with transaction.atomic():
        stale.delete()
        Recommendation.objects.bulk_create(recs, batch_size=2000)
        MatchChunk.objects.filter(pk=chunk.pk).update(finished_at=now, stored=len(recs))
        MatchRun.objects.filter(pk=run.pk).update(done=F("done") + 1, updated_at=now)
    return len(recs)


def run_execute(run: MatchRun, *, progress: Progress | None = None) -> MatchRun:
    """Compute and store a run's unfinished chunks (all of them the first time); records any error on the run."""
    if run.status == RunStatus.DONE:
        return run
    if run.kind == RunKind.OPPORTUNITY:
        return _run_opportunity(run, progress=progress)
    MatchRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        started_at=run.started_at or timezone.now(),
        error="",
        updated_at=timezone.now(),
    )
    try:
        m = build_market()
        if not run.chunks.exists():
            _plan(run, m)
        run.refresh_from_db()
        for chunk in run.chunks.filter(finished_at__isnull=True).order_by("phase", "number"):
            _store_chunk(run, chunk, m)
            run.refresh_from_db(fields=["done", "total"])
            if progress is not None:
                progress(run.done, run.total)
        _replay_publications(run)
    except Exception:
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=traceback.format_exc(limit=5)[-4000:], updated_at=timezone.now()
        )
        run.refresh_from_db()
        raise
    return _finish(run)


def _replay_publications(run: MatchRun) -> None:
    """Put back the offers published while the run was going into their best candidates' lists."""
    if run.started_at is None:
        return
    k = int(run.parameters.get("k", market_settings.list_length()))
    published = (
        MatchRun.objects.filter(
            kind=RunKind.OPPORTUNITY, status=RunStatus.DONE, finished_at__gte=run.started_at
        )
        .values_list("opportunity_id", flat=True)
        .distinct()
    )
    for oid in published:
        if oid is None:
            continue
        candidates = list(
            Recommendation.objects.filter(side=Side.OPPORTUNITY, opportunity_id=oid).order_by("rank")
        )
        with transaction.atomic():
            _add_to_person_lists(run, oid, candidates, k)


def _finish(run: MatchRun) -> MatchRun:
    stored = sum(run.chunks.values_list("stored", flat=True))
    MatchRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, finished_at=timezone.now(), updated_at=timezone.now()
    )
    run.refresh_from_db()
    audit_record(
        actor="matching",
        action=AuditAction.CHANGE,
        subject=run,
        reason="matching run finished",
        detail={"stored": stored, "chunks": run.total},
    )
    return run


# One opportunity ------------------------------------------------------------------------------------------


def _run_opportunity(run: MatchRun, *, progress: Progress | None = None) -> MatchRun:
    """Score one opportunity against every seeker, store its candidates, add it to their lists, tell the best."""
    oid = run.opportunity_id
    if oid is None:
        raise DomainError(_("Choose the opportunity to match."))
    MatchRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), total=1, done=0, updated_at=timezone.now()
    )
    try:
        k = int(run.parameters.get("k", market_settings.list_length()))
        m = build_market(opportunity_ids=[oid])
        recs = candidate_lists(m, np.arange(len(m.offers)), k=k, run=run)
        with transaction.atomic():
            Recommendation.objects.filter(side=Side.OPPORTUNITY, opportunity_id=oid).delete()
            Recommendation.objects.bulk_create(recs)
            _add_to_person_lists(run, oid, recs, k)
            MatchChunk.objects.create(
                run=run, phase=ChunkPhase.OPPORTUNITIES, number=0, first_id=oid, last_id=oid,
                finished_at=timezone.now(), stored=len(recs),
            )  # fmt: skip
            MatchRun.objects.filter(pk=run.pk).update(done=1, updated_at=timezone.now())
            _notify(oid, recs)
        if progress is not None:
            progress(1, 1)
    except Exception:
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=traceback.format_exc(limit=5)[-4000:], updated_at=timezone.now()
        )
        run.refresh_from_db()
        raise
    return _finish(run)


def _add_to_person_lists(run: MatchRun, oid: int, candidates: list[Recommendation], k: int) -> None:
    """Put the offer into the lists of its candidates where it ranks among their k best (re-ranking them)."""
    if not candidates:
        return
    people = [c.person_id for c in candidates]
    current: dict[int, list[Recommendation]] = {p: [] for p in people}
    for rec in Recommendation.objects.filter(side=Side.PERSON, person_id__in=people).exclude(
        opportunity_id=oid
    ):
        current[rec.person_id].append(rec)
    fresh: list[Recommendation] = []
    for candidate in candidates:
        listed = current[candidate.person_id]
        mine = Recommendation(
            run=run,
            side=Side.PERSON,
            person_id=candidate.person_id,
            opportunity_id=candidate.opportunity_id,
            rank=0,
            score=candidate.score,
            units=candidate.units,
            terms=candidate.terms,
            matched=candidate.matched,
            missing=candidate.missing,
            reasons=candidate.reasons,
        )
        ranked = sorted([*listed, mine], key=lambda r: (-r.units, r.opportunity_id))[:k]
        for rank, rec in enumerate(ranked, start=1):
            rec.pk = None
            rec.rank = rank
        fresh.extend(ranked)
    Recommendation.objects.filter(side=Side.PERSON, person_id__in=people).delete()
    Recommendation.objects.bulk_create(fresh)


def _notice(opportunity: Opportunity, language: str) -> str:
    with translation.override(language):
        title = opportunity.title[:60]
        employer = opportunity.employer.label[:40]
        return _(
            "Maharat: a new offer matches your skills: %(title)s, %(employer)s. Reply JOBS for your best matches."
        ) % {
            "title": title,
            "employer": employer,
        }


def _notify(oid: int, candidates: list[Recommendation]) -> int:
    """Tell the best candidates who meet at least one required skill, once per person and offer."""
    from maharat.messaging.services import message_send_to_person

    chosen = [c for c in candidates if c.terms.get("skills", 0) > 0][: notify_count()]
    if not chosen:
        return 0
    opportunity = Opportunity.objects.select_related("employer").get(pk=oid)
    people = Person.objects.in_bulk([c.person_id for c in chosen])
    for candidate in chosen:
        person = people[candidate.person_id]
        language = person.preferred_language or "ar"
        message_send_to_person(
            person=person,
            text=_notice(opportunity, language),
            language=language,
            essential=False,
            idempotency_key=f"matching:offer:{opportunity.pk}:person:{person.pk}",
        )
    return len(chosen)


def opportunity_match(*, opportunity: Opportunity, actor: Any = "matching") -> MatchRun:
    """Rank every seeker for a newly published opportunity, store its candidates and tell the best matches."""
    run = run_start(actor=actor, kind=RunKind.OPPORTUNITY, opportunity=opportunity)
    return run_execute(run)


def resumable_runs() -> list[MatchRun]:
    """Full runs not finished: stopped by an error, left by a worker that died, or never started."""
    return list(
        MatchRun.objects.filter(
            kind=RunKind.ALL, status__in=[RunStatus.PENDING, RunStatus.FAILED, RunStatus.RUNNING]
        ).order_by("-created_at")
    )


# Employers' actions on ranked candidates ------------------------------------------------------------------


def _invitation(opportunity: Opportunity, language: str) -> str:
    with translation.override(language):
        return _(
            "Maharat: %(employer)s invites you to apply for %(title)s. Log in to Maharat to see the offer and apply."
        ) % {
            "employer": opportunity.employer.label[:40],
            "title": opportunity.title[:60],
        }


@transaction.atomic
def candidate_invite(*, actor: Any, recommendation: Recommendation) -> Any:
    """Invite a ranked candidate who has not applied to apply, by a message (once per person and offer).

    The employer learns nothing more about the person: the invitation goes through the messaging outbox, which
    respects the person's consent to messages, opt-out and quiet hours.
    """
    from maharat.messaging.services import message_send_to_person

    if recommendation.side != Side.OPPORTUNITY:
        raise DomainError(_("Only a ranked candidate can be invited."))
    opportunity = Opportunity.objects.select_related("employer").get(pk=recommendation.opportunity_id)
    if not Opportunity.objects.visible().filter(pk=opportunity.pk).exists():
        raise DomainError(_("This offer is not open for applications."))
    person = recommendation.person
    language = person.preferred_language or "ar"
    message = message_send_to_person(
        person=person,
        text=_invitation(opportunity, language),
        language=language,
        essential=False,
        idempotency_key=f"matching:invite:{opportunity.pk}:person:{person.pk}",
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        subject=recommendation,
        person_id=person.pk,
        reason="candidate invited to apply",
        detail={"opportunity": opportunity.pk, "message": message.pk},
    )
    return message


def recommendations_erase(person: Person) -> int:
    """Delete everything matching holds about a person (their record is being anonymized)."""
    deleted, _by_model = Recommendation.objects.filter(person=person).delete()
    return deleted

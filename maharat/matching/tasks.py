"""Background work of matching: a full run for everyone, and one newly published opportunity."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from maharat.matching.models import MatchRun
from maharat.opportunities.models import Opportunity


@shared_task(name="maharat.matching.tasks.match_run", acks_late=True)
def match_run(run_id: int) -> dict[str, Any]:
    """Compute (or resume) a run; chunks already finished are not computed again."""
    from maharat.matching.services import run_execute

    run = run_execute(MatchRun.objects.get(pk=run_id))
    return {"run": run.pk, "status": run.status, "done": run.done, "total": run.total}


@shared_task(name="maharat.matching.tasks.match_opportunity", acks_late=True)
def match_opportunity(opportunity_id: int) -> dict[str, Any]:
    """Rank every seeker for one opportunity, store its candidates and tell the best matches."""
    from maharat.matching.services import opportunity_match

    opportunity = Opportunity.objects.filter(pk=opportunity_id).first()
    if opportunity is None:
        return {"opportunity": opportunity_id, "status": "missing"}
    run = opportunity_match(opportunity=opportunity)
    return {"opportunity": opportunity_id, "run": run.pk, "status": run.status}

"""Work rights as the engine's data: which offers are closed to non-Jordanians, and which pairs are open anyway.

The opportunities app decides the law (``work_rights.Rules``: closed occupations and crafts with their dates and
exemptions, permit routes, offers for Jordanians only, online work for clients abroad). It answers per
opportunity with the (nationality, legal status) combinations the offer is closed to. Here that becomes the
engine's two inputs: an offer is *closed to non-Jordanians* when it is closed to any combination, and every
seeker who needs a permit but whose combination stays open (a flexible permit for Syrians in construction, an
exempt large employer) is a *work-permit exception* for that offer. The engine then never ranks a closed pair.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from maharat.matching.offers import OfferTable
from maharat.matching.seekers import SeekerTable
from maharat.opportunities.models import Opportunity
from maharat.opportunities.work_rights import closed_combinations_bulk


def work_rights_constraints(
    seekers: SeekerTable, offers: OfferTable, *, today: dt.date | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(closed to non-Jordanians, one flag per offer row; exception pairs as (seeker row, offer row))."""
    closed = np.zeros(len(offers), dtype=bool)
    if not len(offers):
        return closed, np.zeros((0, 2), np.int64)
    loaded = Opportunity.objects.filter(pk__in=offers.opportunity_ids.tolist()).select_related(
        "employer__employer_profile", "occupation"
    )
    combos = closed_combinations_bulk(loaded, on=today)
    permit = np.asarray(seekers.seekers.needs_work_permit, dtype=bool)
    classes: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in np.flatnonzero(permit).tolist():
        classes[(seekers.nationality[row], seekers.status[row])].append(row)
    pairs: list[np.ndarray] = []
    for o, pk in enumerate(offers.opportunity_ids.tolist()):
        shut = combos.get(pk, frozenset())
        if not shut:
            continue
        closed[o] = True
        for combination, rows in classes.items():
            if combination not in shut:
                pairs.append(np.column_stack((rows, np.full(len(rows), o))))
    exceptions = np.concatenate(pairs).astype(np.int64) if pairs else np.zeros((0, 2), np.int64)
    return closed, exceptions

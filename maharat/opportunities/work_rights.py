"""Whether a person may lawfully take an opportunity, read from the work-rights lists kept as data.

The order of the rules:

1. Jordanians need no work permit.
2. Online work for a client abroad is outside the local labour-market lists.
3. An employer may offer a job to Jordanians only.
4. An occupation or craft on a list in force that day closes the offer, unless the employer is large enough
   to be exempt from that entry (then the verdict is a work-permit exception).
5. A permit route (a flexible permit, a sector open to Syrians) opens it, with its name as the reason.
6. Otherwise it is open to non-Jordanians with an ordinary work permit.

``verdict`` answers for one person; ``Rules`` loads the lists once for a day and answers many questions, and
``closed_combinations`` gives, per opportunity, the (nationality, legal status) pairs it is closed to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from maharat.core.text import tokens
from maharat.opportunities.choices import OpportunityKind
from maharat.opportunities.models import EmployerProfile, Opportunity, PermitRoute, WorkRightsEntry
from maharat.people.choices import LegalStatus, Nationality

# Codes of verdicts; the first two are the matching engine's own eligibility reasons.
CLOSED_TO_NON_JORDANIANS = "closed_to_non_jordanians"
PERMIT_EXCEPTION = "work_permit_exception"
JORDANIAN = "jordanian"
REMOTE_ABROAD = "remote_foreign_client"
EMPLOYER_JORDANIANS_ONLY = "employer_jordanians_only"
PERMIT_ROUTE = "permit_route"
WORK_PERMIT = "work_permit"


@dataclass(frozen=True)
class Verdict:
    """Whether a person may take an opportunity, why (a code and a sentence), and the list or route behind it."""

    eligible: bool
    code: str
    reason: str
    list_name: str = ""
    entry_name: str = ""
    route_name: str = ""


@dataclass(frozen=True)
class _Facts:
    isco: str
    sector: str
    words: tuple[str, ...]
    remote_abroad: bool
    open_to_non_jordanians: bool
    insured_workers: int | None


def is_jordanian(nationality: str, legal_status: str) -> bool:
    """Jordanian citizens need no work permit."""
    return nationality == Nationality.JORDAN or legal_status == LegalStatus.JORDANIAN


def _contains(words: tuple[str, ...], phrase: str) -> bool:
    needle = tokens(phrase)
    if not needle:
        return False
    n = len(needle)
    return any(list(words[i : i + n]) == needle for i in range(len(words) - n + 1))


def _applies_to(row: Any, nationality: str, legal_status: str) -> bool:
    return (not row.nationalities or nationality in row.nationalities) and (
        not row.legal_statuses or legal_status in row.legal_statuses
    )


def _isco_matches(codes: Iterable[str], isco: str) -> bool:
    return bool(isco) and any(isco.startswith(str(code)) for code in codes if code)


def _insured_workers(opportunity: Opportunity) -> int | None:
    """The employer's insured workers as stored now (not a copy cached on the organization)."""
    return (
        EmployerProfile.objects.filter(organization_id=opportunity.employer_id)
        .values_list("insured_workers", flat=True)
        .first()
    )


def _facts(opportunity: Opportunity, fresh: bool = False) -> _Facts:
    if fresh:
        insured = _insured_workers(opportunity)
    else:
        profile = getattr(opportunity.employer, "employer_profile", None)
        insured = profile.insured_workers if profile is not None else None
    title = f"{opportunity.title_en} {opportunity.title_ar}"
    return _Facts(
        isco=opportunity.isco_code,
        sector=opportunity.sector,
        words=tuple(tokens(title)),
        remote_abroad=opportunity.kind == OpportunityKind.GIG
        and opportunity.remote
        and opportunity.foreign_client,
        open_to_non_jordanians=opportunity.open_to_non_jordanians,
        insured_workers=insured,
    )


class Rules:
    """The entries and permit routes in force on one day, loaded once and asked many times."""

    def __init__(self, entries: list[WorkRightsEntry], routes: list[PermitRoute], day: dt.date) -> None:
        self.entries = entries
        self.routes = routes
        self.day = day

    @classmethod
    def load(cls, on: dt.date | None = None) -> Rules:
        """The rules in force on a day (today by default)."""
        day = on or timezone.localdate()
        in_force = Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        list_in_force = Q(work_rights_list__effective_from__lte=day) & (
            Q(work_rights_list__effective_to__isnull=True) | Q(work_rights_list__effective_to__gte=day)
        )
        entries = list(WorkRightsEntry.objects.filter(list_in_force).select_related("work_rights_list"))
        routes = list(PermitRoute.objects.filter(in_force))
        return cls(entries, routes, day)

    def matching_entries(self, opportunity: Opportunity) -> list[WorkRightsEntry]:
        """Closed occupations or crafts the opportunity falls under (by ISCO code or title keyword)."""
        facts = _facts(opportunity)
        return self._entries_for(facts)

    def _entries_for(self, facts: _Facts) -> list[WorkRightsEntry]:
        found = []
        for entry in self.entries:
            keywords = [*entry.keywords_en, *entry.keywords_ar]
            if _isco_matches(entry.isco_codes, facts.isco) or any(
                _contains(facts.words, k) for k in keywords
            ):
                found.append(entry)
        return found

    def verdict(
        self, *, nationality: str, legal_status: str, opportunity: Opportunity, fresh: bool = False
    ) -> Verdict:
        """The verdict for a person of this nationality and legal status (``fresh`` rereads the employer)."""
        facts = _facts(opportunity, fresh)
        return self._verdict(nationality, legal_status, facts, self._entries_for(facts))

    def _verdict(
        self, nationality: str, legal_status: str, facts: _Facts, entries: list[WorkRightsEntry]
    ) -> Verdict:
        if is_jordanian(nationality, legal_status):
            return Verdict(True, JORDANIAN, _("Open: Jordanian citizens need no work permit."))
        if facts.remote_abroad:
            return Verdict(True, REMOTE_ABROAD, _("Open: online work for a client abroad."))
        if not facts.open_to_non_jordanians:
            return Verdict(
                False, EMPLOYER_JORDANIANS_ONLY, _("Closed: the employer offers this to Jordanians only.")
            )
        exempted: WorkRightsEntry | None = None
        for entry in entries:
            if not _applies_to(entry, nationality, legal_status):
                continue
            threshold = entry.exempt_above_insured_workers
            if (
                threshold is not None
                and facts.insured_workers is not None
                and facts.insured_workers > threshold
            ):
                exempted = exempted or entry
                continue
            work_list = entry.work_rights_list
            return Verdict(
                False,
                CLOSED_TO_NON_JORDANIANS,
                _("Closed to non-Jordanians: %(entry)s (list of %(year)s).")
                % {"entry": entry.label, "year": work_list.year},
                list_name=work_list.label,
                entry_name=entry.label,
            )
        if exempted is not None:
            work_list = exempted.work_rights_list
            return Verdict(
                True,
                PERMIT_EXCEPTION,
                _(
                    "Open with a work permit: %(entry)s is closed to non-Jordanians (list of %(year)s) except "
                    "at employers with more than %(count)s insured workers, like this one."
                )
                % {
                    "entry": exempted.label,
                    "year": work_list.year,
                    "count": exempted.exempt_above_insured_workers,
                },
                list_name=work_list.label,
                entry_name=exempted.label,
            )
        for route in self.routes:
            if not _applies_to(route, nationality, legal_status):
                continue
            if facts.sector in route.sectors or _isco_matches(route.isco_codes, facts.isco):
                return Verdict(
                    True, PERMIT_ROUTE, _("Open: %(route)s.") % {"route": route.label}, route_name=route.label
                )
        return Verdict(True, WORK_PERMIT, _("Open to non-Jordanians with a work permit."))

    def closed_combinations(self, opportunity: Opportunity) -> frozenset[tuple[str, str]]:
        """The (nationality, legal status) pairs the opportunity is closed to."""
        facts = _facts(opportunity)
        entries = self._entries_for(facts)
        return frozenset(
            (nationality, status)
            for nationality in Nationality.values
            for status in LegalStatus.values
            if not self._verdict(nationality, status, facts, entries).eligible
        )


def verdict(person: Any, opportunity: Opportunity, on: dt.date | None = None) -> Verdict:
    """Whether this person may lawfully take this opportunity on a day, and why."""
    return Rules.load(on).verdict(
        nationality=person.nationality, legal_status=person.legal_status, opportunity=opportunity, fresh=True
    )


def closed_combinations(opportunity: Opportunity, on: dt.date | None = None) -> frozenset[tuple[str, str]]:
    """The (nationality, legal status) pairs an opportunity is closed to on a day (for vectorized matching)."""
    return Rules.load(on).closed_combinations(opportunity)


def closed_combinations_bulk(
    opportunities: Iterable[Opportunity], on: dt.date | None = None
) -> dict[int, frozenset[tuple[str, str]]]:
    """``closed_combinations`` for many opportunities, loading the lists once (select employer profiles first)."""
    rules = Rules.load(on)
    return {opportunity.pk: rules.closed_combinations(opportunity) for opportunity in opportunities}

"""Loading open mentee requests and free mentors from the database into the pure solver, and explaining fits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from maharat.mentoring import assign
from maharat.mentoring.choices import MenteeGroup, MentorSex, RequestStatus
from maharat.mentoring.models import MenteeRequest, MentorProfile
from maharat.people.choices import LegalStatus, Sex
from maharat.people.models import Person

YOUTH_AGES = (15, 29)


@dataclass(frozen=True)
class SuggestedPair:
    """A request and the mentor suggested for it, with the fit and its reasons in words."""

    request: MenteeRequest
    mentor: MentorProfile
    fit: assign.Fit
    reasons: list[str]


@dataclass(frozen=True)
class Suggestion:
    """The whole suggestion for a set of organizations."""

    pairs: list[SuggestedPair]
    unmatched: list[tuple[MenteeRequest, str]]
    total: int
    mentors: list[MentorProfile]


def person_groups(person: Person, today: dt.date | None = None) -> frozenset[str]:
    """The groups a mentee belongs to, for mentors' preferences."""
    groups: set[str] = set()
    if person.sex == Sex.FEMALE:
        groups.add(MenteeGroup.WOMEN)
    if person.legal_status in (LegalStatus.REFUGEE, LegalStatus.ASYLUM_SEEKER):
        groups.add(MenteeGroup.REFUGEES)
    if person.legal_status == LegalStatus.MIGRANT_WORKER:
        groups.add(MenteeGroup.MIGRANTS)
    if person.legal_status == LegalStatus.JORDANIAN:
        groups.add(MenteeGroup.HOST)
    if YOUTH_AGES[0] <= person.age_on(today or timezone.localdate()) <= YOUTH_AGES[1]:
        groups.add(MenteeGroup.YOUTH)
    if person.has_disability:
        groups.add(MenteeGroup.DISABILITY)
    return frozenset(str(g) for g in groups)


def mentor_data(profile: MentorProfile, *, extra_places: int = 0) -> assign.MentorData:
    """The solver's view of a mentor (skills must be prefetched)."""
    return assign.MentorData(
        key=profile.pk,
        free_places=profile.free_places + extra_places,
        female=profile.sex == MentorSex.FEMALE,
        skills=frozenset(s.pk for s in profile.skills.all()),
        sectors=frozenset(profile.sectors),
        languages=frozenset(profile.languages),
        governorate=profile.governorate_id,
        remote=profile.remote,
        preferred_groups=frozenset(profile.preferred_groups),
    )


def mentee_data(request: MenteeRequest) -> assign.MenteeData:
    """The solver's view of a request (skills and person must be loaded)."""
    return assign.MenteeData(
        key=request.pk,
        wants_female=request.wants_female_mentor,
        skills=frozenset(s.pk for s in request.skills.all()),
        sector=request.sector,
        language=request.language,
        governorate=request.governorate_id,
        remote_ok=request.remote_ok,
        groups=person_groups(request.person),
    )


def pair_fit(profile: MentorProfile, request: MenteeRequest) -> assign.Fit:
    """The fit of one mentor for one request."""
    return assign.fit(mentor_data(profile), mentee_data(request))


def explain(fit: assign.Fit) -> list[str]:
    """The reasons of a fit in words, term by term with their points, or the hard rules it breaks."""
    if not fit.allowed:
        blocks = {
            assign.BLOCK_FEMALE: _("The mentee asked for a female mentor."),
            assign.BLOCK_PLACE: _("Not in the same governorate and one of them cannot meet remotely."),
        }
        return [blocks[b] for b in fit.blocked_by]
    words = {
        "base": _("can work together"),
        "skills": _("shared skills"),
        "sector": _("works in the sector of the goal"),
        "language": _("speaks the mentee's language"),
        "same_place": _("same governorate"),
        "remote": _("both can meet remotely"),
        "group": _("the mentor prefers this group"),
    }
    return [f"+{points} {words[term]}" for term, points in fit.terms.items()]


def open_requests(org_ids: Iterable[int] | None) -> list[MenteeRequest]:
    """Open requests of the organizations (all when None), oldest first."""
    requests = MenteeRequest.objects.filter(status=RequestStatus.OPEN)
    if org_ids is not None:
        requests = requests.filter(organization_id__in=list(org_ids))
    return list(requests.select_related("person", "governorate").prefetch_related("skills").order_by("pk"))


def free_mentors(org_ids: Iterable[int] | None) -> list[MentorProfile]:
    """Active mentors of the organizations (all when None)."""
    mentors = MentorProfile.objects.filter(active=True)
    if org_ids is not None:
        mentors = mentors.filter(organization_id__in=list(org_ids))
    return list(mentors.select_related("governorate").prefetch_related("skills").order_by("pk"))


def suggest(org_ids: Sequence[int] | None) -> Suggestion:
    """The best assignment of open requests to mentors of the same organization, within free places."""
    requests = open_requests(org_ids)
    mentors = free_mentors(org_ids)
    pairs: list[SuggestedPair] = []
    unmatched: list[tuple[MenteeRequest, str]] = []
    total = 0
    for org_id in sorted({r.organization_id for r in requests}):
        org_requests = [r for r in requests if r.organization_id == org_id]
        org_mentors = [m for m in mentors if m.organization_id == org_id]
        result = assign.assign([mentor_data(m) for m in org_mentors], [mentee_data(r) for r in org_requests])
        total += result.total
        for pair in result.pairs:
            request, mentor = org_requests[pair.mentee], org_mentors[pair.mentor]
            pairs.append(
                SuggestedPair(request=request, mentor=mentor, fit=pair.fit, reasons=explain(pair.fit))
            )
        for i in result.unmatched:
            request = org_requests[i]
            allowed = any(pair_fit(m, request).allowed for m in org_mentors)
            why = (
                _("Every mentor who fits is full.")
                if allowed
                else _("No mentor fits the hard rules (female mentor asked, or place).")
            )
            unmatched.append((request, why))
    return Suggestion(pairs=pairs, unmatched=unmatched, total=total, mentors=mentors)

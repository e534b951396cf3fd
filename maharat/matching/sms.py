"""JOBS / وظائف by text message: the person's three best recommended offers, short enough for two SMS parts."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from maharat.matching.selectors import person_recommendations
from maharat.messaging.parts import sms_parts
from maharat.people.models import Person

JOBS_WORDS = ("jobs", "job", "وظائف", "وظيفة", "وظايف", "فرص عمل")
MAX_PARTS = 2
TOP = 3


def jobs_reply(person: Person, language: str) -> str:
    """The reply to JOBS: up to three offers (title, employer, place), within two SMS parts."""
    with translation.override(language):
        items = person_recommendations(person, limit=TOP)
        if not items:
            return _(
                "Maharat: no offer matches your profile yet. Add your skills at a programme office or online."
            )
        text = _("Maharat, your best offers:")
        for number, item in enumerate(items, start=1):
            o = item.opportunity
            place = _("remote") if o.remote else (o.governorate.label if o.governorate else "")
            line = f"{number}. {o.title[:40]} - {o.employer.label[:25]}, {place} ({item.reasons.percent}/100)"
            if sms_parts(f"{text}\n{line}") > MAX_PARTS:
                break
            text = f"{text}\n{line}"
        closing = _("Apply online or at a programme office.")
        if sms_parts(f"{text}\n{closing}") <= MAX_PARTS:
            text = f"{text}\n{closing}"
        return text


def jobs_keyword(request: Any) -> str | None:
    """The messaging router's handler of JOBS (a personal keyword: the sender is a registered person)."""
    if request.person is None:
        return None
    return jobs_reply(request.person, request.language)


def register_jobs_keyword() -> None:
    """Add JOBS / وظائف to the messaging keyword registry (called when the apps are ready)."""
    from maharat.messaging.inbound import register_keyword

    register_keyword(JOBS_WORDS, jobs_keyword, personal=True, name="jobs")

"""Matching: the pure engine (engine*.py) and the Django side that stores and serves recommendations."""

import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("maharat.matching")


def on_published(opportunity: object) -> None:
    """Rank every seeker for a newly published offer in the background (the opportunities app calls it)."""
    from maharat.matching.tasks import match_opportunity

    try:
        match_opportunity.delay(opportunity.pk)  # type: ignore[attr-defined]
    except Exception:  # a matching failure must never undo or break a publication; the run records it
        logger.exception("matching the published opportunity %s failed", getattr(opportunity, "pk", None))


class MatchingConfig(AppConfig):
    """Configuration of the matching app."""

    name = "maharat.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        """Hear of publications, and answer JOBS / وظائف by text message."""
        from maharat.opportunities.hooks import register_published_hook

        register_published_hook(on_published)
        from maharat.matching.services import recommendations_erase
        from maharat.people.services import register_anonymize_hook

        register_anonymize_hook(recommendations_erase)
        from maharat.matching.sms import register_jobs_keyword

        register_jobs_keyword()

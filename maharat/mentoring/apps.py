"""Mentoring: mentor profiles, matching mentees to mentors under capacity, sessions and feedback."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    """Configuration of the mentoring app."""

    name = "maharat.mentoring"
    label = "mentoring"
    verbose_name = _("Mentoring")

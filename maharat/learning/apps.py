"""Learning: courses, modules, quizzes, workshops, enrolment, progress events and certificates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    """Configuration of the learning app."""

    name = "maharat.learning"
    label = "learning"
    verbose_name = _("Learning")

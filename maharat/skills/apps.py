"""Skills taxonomy (ESCO/ISCO-08) and people's skills."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkillsConfig(AppConfig):
    """Configuration of the skills app."""

    name = "maharat.skills"
    label = "skills"
    verbose_name = _("Skills")

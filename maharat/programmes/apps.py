"""Programmes: calls for applications, eligibility, priority, cohort selection and enrolment."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """Configuration of the programmes app."""

    name = "maharat.programmes"
    label = "programmes"
    verbose_name = _("Programmes")

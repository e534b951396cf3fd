"""Opportunities: jobs, freelance work and placements, employers, work rights, safeguarding and the hiring pipeline."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    """Configuration of the opportunities app."""

    name = "maharat.opportunities"
    label = "opportunities"
    verbose_name = _("Opportunities")

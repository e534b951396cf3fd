"""The registry: people, organizations, memberships, consent and duplicate detection."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Configuration of the people app."""

    name = "maharat.people"
    label = "people"
    verbose_name = _("Registry")

"""The shared kernel: users, roles, audit log, geography and API tokens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Configuration of the core app."""

    name = "maharat.core"
    label = "core"
    verbose_name = _("Core")

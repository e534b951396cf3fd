"""Choices shared by several apps: the sections of ISIC Rev. 4 (economic sectors)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IsicSection(models.TextChoices):
    """Economic sectors as the sections of ISIC Rev. 4 (UN statistics division), by their letter."""

    A = "A", _("Agriculture, forestry and fishing")
    B = "B", _("Mining and quarrying")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, gas, steam and air conditioning supply")
    E = "E", _("Water supply, sewerage and waste management")
    F = "F", _("Construction")
    G = "G", _("Wholesale and retail trade; repair of vehicles")
    H = "H", _("Transportation and storage")
    I = "I", _("Accommodation and food service activities")  # noqa: E741 - the section's own letter
    J = "J", _("Information and communication")
    K = "K", _("Financial and insurance activities")
    L = "L", _("Real estate activities")
    M = "M", _("Professional, scientific and technical activities")
    N = "N", _("Administrative and support service activities")
    O = "O", _("Public administration and defence")  # noqa: E741 - the section's own letter
    P = "P", _("Education")
    Q = "Q", _("Human health and social work activities")
    R = "R", _("Arts, entertainment and recreation")
    S = "S", _("Other service activities")
    T = "T", _("Activities of households as employers")
    U = "U", _("Activities of extraterritorial organizations")

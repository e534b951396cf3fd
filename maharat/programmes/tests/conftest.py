"""Fixtures of the programme tests."""

from __future__ import annotations

import pytest

from maharat.core.testing import Personas
from maharat.programmes.models import Call
from maharat.programmes.tests.factories import open_call


@pytest.fixture
def call(personas: Personas) -> Call:
    """An open call of the Mafraq partner with 2 seats."""
    return open_call(personas)

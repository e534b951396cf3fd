"""Fixtures of the learning tests."""

from __future__ import annotations

import pytest

from maharat.core.testing import Personas
from maharat.learning.tests.factories import CourseKit, make_course


@pytest.fixture
def kit(personas: Personas) -> CourseKit:
    """A published course with a lesson, a two-question quiz and a workshop."""
    return make_course(personas)

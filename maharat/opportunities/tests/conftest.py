"""Fixtures of the opportunity tests: the work-rights data, private uploads in a temporary folder, an employer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from maharat.core.testing import Personas
from maharat.opportunities.models import EmployerProfile
from maharat.opportunities.tests.factories import verified_employer
from maharat.opportunities.work_rights_data import load_work_rights


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def rules(db: Any) -> None:
    """The shipped lists, routes and minimum wages."""
    call_counts = load_work_rights()
    assert call_counts["entries"] > 20


@pytest.fixture
def employer(personas: Personas, rules: None) -> EmployerProfile:
    """Zarqa Garments, verified, with 5 insured workers."""
    return verified_employer(personas, insured_workers=5)

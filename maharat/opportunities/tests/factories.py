"""Test data for opportunities: verified employers, offers posted through the services, and files."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maharat.core.models import Governorate
from maharat.core.testing import Personas
from maharat.learning.tests.files_factories import docx_bytes
from maharat.opportunities import services
from maharat.opportunities.choices import OpportunityKind, WagePeriod
from maharat.opportunities.models import EmployerProfile, Opportunity
from maharat.people.choices import OrganizationKind
from maharat.people.models import Organization

_numbers = itertools.count(1)
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
DOCX_BYTES = docx_bytes()  # a real (tiny) Word archive: uploads are checked by their content


def pdf(name: str = "cv.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    """A small PDF upload."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def verified_employer(
    personas: Personas, *, organization: Organization | None = None, insured_workers: int | None = 5
) -> EmployerProfile:
    """An employer verified by staff from an uploaded registration document."""
    org = organization or personas.employer_org
    services.employer_document_upload(
        actor=personas.employer,
        organization=org,
        upload=pdf("registration.pdf"),
        insured_workers=insured_workers,
    )
    return services.employer_verify(actor=personas.admin, organization=org, approve=True, note="checked")


def other_employer(personas: Personas) -> Organization:
    """A second employer organization (Irbid Bakery)."""
    return Organization.objects.create(
        kind=OrganizationKind.EMPLOYER,
        slug=f"irbid-bakery-{next(_numbers)}",
        label_en="Irbid Bakery",
        label_ar="مخبز إربد",
    )


def offer_data(**overrides: Any) -> dict[str, Any]:
    """Fields of a clean full-time job in Zarqa."""
    today = timezone.localdate()
    data: dict[str, Any] = {
        "kind": OpportunityKind.JOB_FULL_TIME,
        "title_en": f"Sewing machine operator {next(_numbers)}",
        "title_ar": "مشغل ماكينة",
        "description_en": "Work in our factory in Zarqa.",
        "sector": "C",
        "governorate": Governorate.objects.get(code="ZA"),
        "wage_amount": Decimal("320"),
        "wage_period": WagePeriod.MONTH,
        "hours_per_week": 48,
        "start_date": today + dt.timedelta(days=20),
        "closing_date": today + dt.timedelta(days=10),
    }
    data.update(overrides)
    return data


def draft(personas: Personas, *, employer: Organization | None = None, **overrides: Any) -> Opportunity:
    """A draft offer saved through the service."""
    return services.opportunity_save(
        actor=personas.employer, employer=employer or personas.employer_org, data=offer_data(**overrides)
    )


def published(personas: Personas, **overrides: Any) -> Opportunity:
    """An offer submitted and published (the employer must be verified and the offer clean)."""
    opportunity = services.opportunity_submit(
        actor=personas.employer, opportunity=draft(personas, **overrides)
    )
    assert opportunity.status == "published", opportunity.safeguarding_flags
    return opportunity

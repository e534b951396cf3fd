"""The import wizard in the browser: upload, map, check, import (through the Celery task), and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maharat.core.testing import Personas
from maharat.people.models import ImportJob, Person
from maharat.people.tasks import import_commit, import_progress, progress_key

pytestmark = pytest.mark.django_db

GOOD = (
    "given_name_ar,given_name_latin,sex,date_of_birth,nationality,legal_status,governorate,phone\n"
    "سلمى,Salma,F,1996-02-01,SY,refugee,Mafraq,0791110001\n"
    "يوسف,Yousef,M,2001-11-30,JO,jordanian,Irbid,0791110002\n"
)
BAD = GOOD + "ريم,Reem,F,2090-01-01,SY,refugee,Atlantis,12\n"


def _upload(client: Any, personas: Personas, content: str, name: str = "people.csv") -> ImportJob:
    response = client.post(
        reverse("people:import_upload"),
        {"organization": personas.partner.pk, "file": SimpleUploadedFile(name, content.encode())},
    )
    assert response.status_code == 302, response.content
    return ImportJob.objects.latest("id")


class ImportWizardTests:
    def test_upload_check_and_import(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        job = _upload(client, personas, GOOD)
        page = client.get(reverse("people:import_review", args=[job.pk]))
        mapping = {f"map_{field}": column for field, _label, column in page.context["targets"] if column}
        assert mapping["map_phone"] == "phone" and mapping["map_governorate"] == "governorate"
        checked = client.post(
            reverse("people:import_review", args=[job.pk]),
            {**mapping, "action": "validate", "consent_confirmed": "1"},
        )
        assert "No errors" in checked.content.decode()
        client.post(
            reverse("people:import_review", args=[job.pk]),
            {**mapping, "action": "commit", "consent_confirmed": "1"},
        )
        job.refresh_from_db()
        assert job.status == ImportJob.Status.COMMITTED
        assert Person.objects.filter(phone__in=["+962791110001", "+962791110002"]).count() == 2
        again = client.post(
            reverse("people:import_review", args=[job.pk]),
            {**mapping, "action": "commit", "consent_confirmed": "1"},
        )
        assert again.status_code == 200 and Person.objects.count() == 5

    def test_row_errors_are_listed_and_nothing_is_written(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        job = _upload(client, personas, BAD)
        mapping = {
            f"map_{f}": c
            for f, _l, c in client.get(reverse("people:import_review", args=[job.pk])).context["targets"]
            if c
        }
        page = client.post(
            reverse("people:import_review", args=[job.pk]),
            {**mapping, "action": "commit", "consent_confirmed": "1"},
            follow=True,
        )
        html = page.content.decode()
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED
        assert "nothing will be imported" in html
        assert job.report["error_count"] >= 3  # birth date, governorate and phone of the last row
        assert Person.objects.count() == 3

    def test_without_consent_confirmation_the_file_is_refused(self, personas: Personas) -> None:
        client = personas.client_for(personas.officer)
        job = _upload(client, personas, GOOD)
        mapping = {
            f"map_{f}": c
            for f, _l, c in client.get(reverse("people:import_review", args=[job.pk])).context["targets"]
            if c
        }
        client.post(reverse("people:import_review", args=[job.pk]), {**mapping, "action": "commit"})
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED and Person.objects.count() == 3

    def test_bad_file_is_refused_at_upload(self, personas: Personas, settings: Any) -> None:
        client = personas.client_for(personas.officer)
        response = client.post(
            reverse("people:import_upload"),
            {"organization": personas.partner.pk, "file": SimpleUploadedFile("people.pdf", b"%PDF-1.4")},
        )
        assert response.status_code == 200 and response.context["form"].errors
        settings.MAX_IMPORT_BYTES = 10
        response = client.post(
            reverse("people:import_upload"),
            {"organization": personas.partner.pk, "file": SimpleUploadedFile("people.csv", GOOD.encode())},
        )
        assert response.context["form"].errors
        assert not ImportJob.objects.exists()

    def test_other_partners_cannot_open_or_import_into_our_job(self, personas: Personas) -> None:
        job = _upload(personas.client_for(personas.officer), personas, GOOD)
        other = personas.client_for(personas.other_officer)
        assert other.get(reverse("people:import_review", args=[job.pk])).status_code == 404
        response = other.post(
            reverse("people:import_upload"),
            {"organization": personas.partner.pk, "file": SimpleUploadedFile("p.csv", GOOD.encode())},
        )
        assert response.status_code == 200 and response.context["form"].errors

    def test_running_import_shows_progress_and_refreshes(self, personas: Personas) -> None:
        from django.core.cache import cache

        client = personas.client_for(personas.officer)
        job = _upload(client, personas, GOOD)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
        cache.set(progress_key(job.pk), {"done": 1, "total": 2})
        html = client.get(reverse("people:import_review", args=[job.pk])).content.decode()
        assert 'http-equiv="refresh"' in html and "1 of 2 rows" in html
        assert import_progress(job.pk) == {"done": 1, "total": 2}


class ImportTaskTests:
    def test_crash_marks_the_job_failed_and_writes_nothing(
        self, personas: Personas, monkeypatch: Any
    ) -> None:
        from maharat.people import importing

        job = _upload(personas.client_for(personas.officer), personas, GOOD)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

        def explode(**kwargs: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(importing, "import_job_commit", explode)
        with pytest.raises(RuntimeError):
            import_commit(job.pk, personas.officer.pk, True, {"given_name_latin": "given_name_latin"})
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED and job.report["file_errors"]
        assert Person.objects.count() == 3

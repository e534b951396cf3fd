"""Importing applications in the browser and on the command line: upload, review, import, and refusals."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from maharat.core.testing import Personas, assert_forbidden
from maharat.programmes.models import Application, Call
from maharat.programmes.tests import test_importing as files
from maharat.programmes.tests.factories import make_call
from maharat.programmes.tests.test_importing import NEW_HEADER, SALMA, YOUSEF, csv_bytes

pytestmark = pytest.mark.django_db


def upload(client: Any, call: Call, content: bytes, name: str = "applications.csv") -> Any:
    return client.post(
        reverse("programmes:import_upload", args=[call.pk]), {"file": SimpleUploadedFile(name, content)}
    )


@pytest.fixture
def staging(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports" / "applications"


class ImportPagesTests:
    def test_upload_review_and_import(self, personas: Personas, staging: Path) -> None:
        call = make_call(personas)
        client = personas.client_for(personas.officer)
        assert client.get(reverse("programmes:import_upload", args=[call.pk])).status_code == 200
        response = upload(client, call, csv_bytes(NEW_HEADER, [SALMA, YOUSEF]))
        assert response.status_code == 302
        review = client.get(response["Location"])
        html = review.content.decode()
        assert "No errors." in html and "Import 2 applications" in html
        assert ("question:has_laptop", "Answer: Do you have a laptop?", "has_laptop") in review.context[
            "targets"
        ]
        mapping = {f"map_{name}": column for name, _label, column in review.context["targets"] if column}
        done = client.post(response["Location"], {**mapping, "action": "commit"})
        assert done.status_code == 302 and done["Location"] == reverse(
            "programmes:application_list", args=[call.pk]
        )
        assert Application.objects.filter(call=call).count() == 2
        assert not list(staging.iterdir())
        assert client.get(response["Location"]).status_code == 404

    def test_review_lists_row_errors_and_offers_no_import(self, personas: Personas, staging: Path) -> None:
        call = make_call(personas)
        client = personas.client_for(personas.officer)
        response = upload(
            client, call, csv_bytes(NEW_HEADER, [SALMA, [*YOUSEF[:7], "Atlantis", *YOUSEF[8:]]])
        )
        review = client.get(response["Location"])
        html = review.content.decode()
        assert "1 error: nothing will be imported" in html and "is not a governorate of Jordan" in html
        assert 'value="commit"' not in html
        forced = client.post(response["Location"], {"map_phone": "phone", "action": "commit"})
        assert forced.status_code == 200 and not Application.objects.exists()

    def test_staff_can_change_the_mapping(self, personas: Personas, staging: Path) -> None:
        call = make_call(personas)
        client = personas.client_for(personas.officer)
        response = upload(client, call, csv_bytes(["mobile", "laptop?"], [["0791234567", "yes"]]))
        assert client.get(response["Location"]).context["ok"] is False
        checked = client.post(
            response["Location"],
            {"map_phone": "mobile", "map_question:has_laptop": "laptop?", "action": "check"},
        )
        assert checked.context["ok"] is True
        assert client.get(response["Location"]).context["targets"][-2][2] == "laptop?"

    def test_oversized_and_unreadable_uploads_are_refused(
        self, personas: Personas, staging: Path, settings: Any
    ) -> None:
        call = make_call(personas)
        client = personas.client_for(personas.officer)
        unreadable = upload(client, call, b"%PDF-1.4", name="applications.pdf")
        assert unreadable.status_code == 200 and unreadable.context["form"].errors
        settings.MAX_IMPORT_BYTES = 10
        oversized = upload(client, call, csv_bytes(NEW_HEADER, [SALMA]))
        assert "largest file that can be imported" in str(oversized.context["form"].errors)
        assert not staging.exists() or not list(staging.iterdir())

    def test_pages_are_refused_to_everyone_but_the_call_managers(
        self, personas: Personas, staging: Path
    ) -> None:
        call = make_call(personas)
        response = upload(personas.client_for(personas.officer), call, csv_bytes(NEW_HEADER, [SALMA]))
        outsiders = [None, personas.other_officer, personas.employer, personas.researcher, personas.amal_user]
        assert_forbidden(reverse("programmes:import_upload", args=[call.pk]), outsiders)
        assert_forbidden(
            response["Location"], [*outsiders, personas.admin]
        )  # an upload belongs to its uploader
        assert_forbidden(response["Location"], outsiders, method="post", data={"action": "commit"})
        assert (
            personas.client_for(personas.admin)
            .get(reverse("programmes:import_upload", args=[call.pk]))
            .status_code
            == 200
        )
        assert not Application.objects.exists()

    def test_old_uploads_are_swept_away(self, personas: Personas, staging: Path) -> None:
        call = make_call(personas)
        staging.mkdir(parents=True)
        old = staging / "old.data"
        old.write_bytes(b"phone\n0791234567\n")
        os.utime(old, (0, 0))
        upload(personas.client_for(personas.officer), call, csv_bytes(NEW_HEADER, [SALMA]))
        assert not old.exists() and len(list(staging.iterdir())) == 2

    def test_a_forged_token_is_not_found(self, personas: Personas, staging: Path) -> None:
        call = make_call(personas)
        client = personas.client_for(personas.officer)
        for token in ["..%2F..%2Fetc", "a" * 30]:
            assert client.get(f"/staff/calls/{call.pk}/import/{token}/").status_code == 404


class ImportCommandTests:
    def write(self, tmp_path: Path, rows: list[list[str]]) -> str:
        path = tmp_path / "applications.csv"
        path.write_bytes(csv_bytes(NEW_HEADER, rows))
        return str(path)

    def run(self, path: str, *extra: str) -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        base = ["--call", "dsea", "--organization", "mafraq-ngo", "--user", "officer"]
        call_command("import_applications", path, *base, *extra, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_dry_run_checks_and_writes_nothing(self, personas: Personas, tmp_path: Path) -> None:
        make_call(personas)
        out, _err = self.run(self.write(tmp_path, [SALMA, YOUSEF]), "--dry-run")
        assert "All 2 rows are valid. Dry run" in out and "question:has_laptop" in out
        assert not Application.objects.exists()

    def test_imports_and_prints_the_result(self, personas: Personas, tmp_path: Path) -> None:
        make_call(personas)
        out, _err = self.run(self.write(tmp_path, [SALMA, YOUSEF]))
        assert "2 applications imported to DSEA; 2 people newly registered." in out
        assert Application.objects.count() == 2

    def test_reads_a_kobo_export_and_refuses_an_organization_not_yours(
        self, personas: Personas, tmp_path: Path
    ) -> None:
        make_call(personas)
        path = tmp_path / "kobo.csv"
        path.write_bytes(
            csv_bytes(files.KoboExportTests.HEADER, files.KoboExportTests.ROWS, hxl=files.KoboExportTests.HXL)
        )
        out, _err = self.run(str(path), "--dry-run")
        assert (
            "HXL hashtag row found and skipped." in out
            and "phone                     ← group_ab12/phone" in out
        )
        with pytest.raises(CommandError):
            call_command(
                "import_applications",
                str(path),
                *["--call", "DSEA", "--organization", "karak-ngo", "--user", "officer"],
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        assert not Application.objects.exists()

    def test_prints_the_row_report_and_fails_on_errors(self, personas: Personas, tmp_path: Path) -> None:
        make_call(personas)
        with pytest.raises(CommandError, match="Nothing was imported"):
            self.run(self.write(tmp_path, [SALMA, [*YOUSEF[:3], "X", *YOUSEF[4:]]]))
        assert not Application.objects.exists()

    def test_refuses_unknown_call_user_or_file_and_users_who_may_not_import(
        self, personas: Personas, tmp_path: Path
    ) -> None:
        make_call(personas)
        path = self.write(tmp_path, [SALMA])
        for args in (
            ["--call", "nope", "--organization", "mafraq-ngo", "--user", "officer"],
            ["--call", "DSEA", "--organization", "nope", "--user", "officer"],
            ["--call", "DSEA", "--organization", "mafraq-ngo", "--user", "nobody"],
            ["--call", "DSEA", "--organization", "karak-ngo", "--user", "other_officer"],
        ):
            with pytest.raises(CommandError):
                call_command("import_applications", path, *args, stdout=io.StringIO(), stderr=io.StringIO())
        with pytest.raises(CommandError):
            self.run(str(tmp_path / "missing.csv"))

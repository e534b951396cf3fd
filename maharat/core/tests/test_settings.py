"""Configuration from the environment: safe embedded defaults, and a production mode that refuses unsafe ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GOOD_SECRET = "k3J9-vQ2_zP8wL5mN1xR7tY4uH6aB0cD2eF8gI3jK5lM7nO9pQ1rS"  # noqa: S105


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")
    }
    clean.update(env)
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


class SettingsTests:
    def test_embedded_default_is_sqlite_with_in_process_tasks(self) -> None:
        result = _manage(
            "shell",
            "-c",
            "from django.conf import settings as s; "
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)",
        )
        assert result.stdout.strip().splitlines()[-1].split() == [
            "django.db.backends.sqlite3",
            "True",
            "True",
        ]

    def test_database_url_selects_postgresql(self) -> None:
        result = _manage(
            "shell",
            "-c",
            "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])",
            DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        )
        assert "postgresql" in result.stdout

    def test_production_refuses_default_secret(self) -> None:
        result = _manage("check", MAHARAT_PRODUCTION="true")
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr

    def test_production_refuses_debug(self) -> None:
        result = _manage("check", MAHARAT_PRODUCTION="true", SECRET_KEY=GOOD_SECRET, DEBUG="true")
        assert result.returncode != 0
        assert "DEBUG" in result.stderr

    def test_production_passes_check_deploy(self) -> None:
        result = _manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            MAHARAT_PRODUCTION="true",
            SECRET_KEY=GOOD_SECRET,
            ALLOWED_HOSTS="maharat.example.org",
        )
        assert result.returncode == 0, result.stderr + result.stdout

    def test_rejects_a_malformed_boolean(self) -> None:
        result = _manage("check", DEBUG="perhaps")
        assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr

    @pytest.mark.parametrize("value", ["1", "yes", "on", "TRUE"])
    def test_accepts_boolean_spellings(self, value: str) -> None:
        from config.settings import env_bool

        os.environ["MAHARAT_TEST_FLAG"] = value
        try:
            assert env_bool("MAHARAT_TEST_FLAG", False) is True
        finally:
            del os.environ["MAHARAT_TEST_FLAG"]

"""Fixtures shared by the whole suite: personas, network blocking, and a clean language."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.utils import translation

from maharat.core.testing import Personas, build_personas, english_client


@pytest.fixture
def personas(db: Any) -> Personas:
    """Amal, Omar, Hassan and the staff around them."""
    return build_personas()


@pytest.fixture(autouse=True)
def _english_by_default() -> Any:
    """Tests read English messages unless they switch to Arabic themselves."""
    with translation.override("en"):
        yield


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
        raise RuntimeError(f"tests may not reach the network ({host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploads made by tests (CVs, assignments, employer documents, the demo's) never land in var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never leave this machine."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def _celery_in_process(request: pytest.FixtureRequest) -> Any:
    """Tasks run in-process in tests, except those marked ``redis`` that talk to a real worker."""
    from config.celery import app

    eager = "redis" not in request.keywords
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


def require_service(name: str, available: bool) -> None:
    """Skip when a service is absent, except in CI (MAHARAT_REQUIRE_SERVICES=1), where that is a failure."""
    import os

    if available:
        return
    if os.environ.get("MAHARAT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required in CI but is not available")
    pytest.skip(f"{name} is not available on this machine")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hashing passwords the production way takes a noticeable part of a second; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client() -> Any:
    """Django's test client, asking for English pages (tests that check Arabic switch themselves)."""
    return english_client()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh Arabic browser page in Debian's headless Chromium (never a downloaded browser)."""
    from pathlib import Path

    require_service("Debian's chromium", Path(CHROMIUM).exists())
    # Playwright's sync API runs an event loop in this thread; the ORM calls around it stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(java_script_enabled=True, locale="ar")
        yield context.new_page()
        context.close()
        browser.close()

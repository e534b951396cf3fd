"""A real Celery worker over Redis sends queued messages: through the console, and again after a gateway 5xx."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from conftest import require_service
from maharat.core.testing import Personas
from maharat.messaging.choices import Status
from maharat.messaging.models import Message
from maharat.messaging.services import message_send_to_person
from maharat.messaging.tests.builders import console_channel, http_channel
from maharat.messaging.tests.gateway import Gateway


def _redis_reachable(url: str) -> bool:
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _worker_database_url() -> str | None:
    """The test database as a URL the worker can open; None for SQLite's in-memory test database."""
    if connection.vendor != "postgresql":
        return None
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


@pytest.fixture
def worker(transactional_db: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A Celery worker on the test database (PostgreSQL) and Redis, stopped after the test."""
    require_service("Redis (REDIS_URL)", _redis_reachable(settings.REDIS_URL))
    database_url = _worker_database_url()
    if database_url is None:
        pytest.skip("the worker needs a database server it can share with the test (PostgreSQL)")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MESSAGING_QUIET_HOURS": "",
        "MESSAGING_RETRY_BASE_SECONDS": "1",
    }
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


def wait_for(message: Message, status: str, worker: subprocess.Popen[bytes]) -> Message:
    """Poll until the worker has moved the message to the status (a minute at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == status:
            return message
        if worker.poll() is not None:
            pytest.fail("worker exited: " + worker.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
        time.sleep(0.2)
    pytest.fail(f"message {message.pk} is {message.status}, not {status}: {message.error}")


@pytest.mark.redis
class OutboxWorkerTests:
    def test_real_worker_sends_a_queued_message(
        self, personas: Personas, worker: subprocess.Popen[bytes]
    ) -> None:
        console_channel()
        # Autocommit: the task goes to Redis as soon as the row is written.
        message = message_send_to_person(
            person=personas.amal, text="Hello from the worker", idempotency_key="w1"
        )
        message = wait_for(message, Status.SENT, worker)
        assert message.attempts == 1 and message.gateway_id == f"console-{message.pk}"
        assert Message.objects.count() == 1

    def test_real_worker_retries_after_a_gateway_error(
        self, personas: Personas, worker: subprocess.Popen[bytes], gateway: Gateway
    ) -> None:
        gateway.answer((503, "busy"))
        http_channel(gateway)
        message = message_send_to_person(person=personas.amal, text="Try again", idempotency_key="w2")
        message = wait_for(message, Status.SENT, worker)
        assert message.attempts == 2 and len(gateway.requests) == 2

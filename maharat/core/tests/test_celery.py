"""The Celery path: in-process by default, and a real worker over Redis where Redis is configured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from conftest import require_service
from maharat.core.tasks import heartbeat


@pytest.mark.django_db
class CeleryInProcessTests:
    def test_task_runs_in_process_without_a_broker(self) -> None:
        result = heartbeat.delay()
        assert result.get(timeout=5)["status"] == "ok"


def _redis_reachable(url: str) -> bool:
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.redis
class CeleryWorkerTests:
    def test_real_worker_executes_a_task_over_redis(self) -> None:
        require_service("Redis (REDIS_URL)", _redis_reachable(settings.REDIS_URL))
        base = Path(settings.BASE_DIR)
        worker = subprocess.Popen(  # noqa: S603 - fixed arguments
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
            cwd=base,
            env={**os.environ},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            result = heartbeat.delay()
            deadline = time.monotonic() + 60
            while not result.ready() and time.monotonic() < deadline:
                if worker.poll() is not None:
                    pytest.fail("worker exited: " + worker.stderr.read().decode()[-2000:])
                time.sleep(0.2)
            value = result.get(timeout=5)
            assert value == {
                "status": "ok",
                "database": "postgresql" if "postgres" in settings.DATABASE_URL else "sqlite",
            }
        finally:
            worker.terminate()
            worker.wait(timeout=20)

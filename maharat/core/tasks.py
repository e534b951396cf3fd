"""Background tasks of the shared kernel."""

from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(name="maharat.core.tasks.heartbeat")
def heartbeat() -> dict[str, str]:
    """Prove that a worker can reach the database; beat runs it hourly and CI runs it on a real worker."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "database": connection.vendor}

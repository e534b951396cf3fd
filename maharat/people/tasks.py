"""Background work of the registry: importing a large file without holding a web request open."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from maharat.people import importing
from maharat.people.models import ImportJob

PROGRESS_TTL = 6 * 3600


def progress_key(job_id: int) -> str:
    """Cache key of an import's progress (the import's own transaction hides its rows until the end)."""
    return f"maharat:import-progress:{job_id}"


def import_progress(job_id: int) -> dict[str, int] | None:
    """Rows done and total of a running import, if known."""
    return cache.get(progress_key(job_id))


@shared_task(name="maharat.people.tasks.import_commit")
def import_commit(
    job_id: int, actor_id: int, consent_confirmed: bool, mapping: dict[str, str]
) -> dict[str, Any]:
    """Import a stored upload all or nothing; the job records the outcome for the page to show."""
    job = ImportJob.objects.select_related("organization").get(pk=job_id)
    actor = get_user_model().objects.get(pk=actor_id)

    def progress(done: int, total: int) -> None:
        cache.set(progress_key(job_id), {"done": done, "total": total}, PROGRESS_TTL)

    try:
        result = importing.import_job_commit(
            job=job, actor=actor, consent_confirmed=consent_confirmed, mapping=mapping, progress=progress
        )
    except ValidationError as exc:
        # Row errors are already on the job (status failed); a refusal of the whole file is recorded here.
        job.refresh_from_db()
        if job.status == ImportJob.Status.RUNNING:
            report = dict(job.report or {})
            report["file_errors"] = exc.messages
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.FAILED, report=report, updated_at=timezone.now()
            )
        return {"status": "failed", "messages": exc.messages}
    except Exception:
        # The import's transaction rolled back; say so on the page instead of showing "importing" for ever.
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED,
            report={
                **(job.report or {}),
                "file_errors": [str(_("The import stopped on an unexpected error; nothing was saved."))],
            },
            updated_at=timezone.now(),
        )
        raise
    finally:
        cache.delete(progress_key(job_id))
    return {"status": "committed", "created": result.created}

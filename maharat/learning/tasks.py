"""Background work of learning: the daily “workshop tomorrow” reminders."""

from __future__ import annotations

from celery import shared_task

from maharat.learning.notify import workshop_reminders_send


@shared_task(name="maharat.learning.tasks.workshop_reminders")
def workshop_reminders() -> dict[str, int]:
    """Remind learners of tomorrow's workshops and sessions; each learner and session once, so it may run often."""
    return workshop_reminders_send()

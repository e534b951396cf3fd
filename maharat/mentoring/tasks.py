"""Background work of mentoring: the day-before reminders (beat runs it daily, or cron runs the command)."""

from __future__ import annotations

from celery import shared_task

from maharat.mentoring.services import reminders_send


@shared_task(name="maharat.mentoring.tasks.send_reminders")
def send_reminders() -> int:
    """Remind each mentee of tomorrow's sessions, once per session."""
    return reminders_send()

"""When a message may go: quiet hours, retry back-off, per-channel rate limits and the daily window.

Quiet hours are local time (``TIME_ZONE``) written ``"21-8"`` or ``"21:30-07:45"``; they may wrap midnight;
an empty value or ``off`` turns them off. Rate limits count messages per channel per second in the cache
(Redis when configured, so every worker shares the count).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

_QUIET = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*$")


def parse_quiet_hours(value: str) -> tuple[dt.time, dt.time] | None:
    """Start and end of the quiet hours, or None when there are none."""
    if not value or value.strip().lower() in ("off", "none", "0"):
        return None
    match = _QUIET.match(value)
    if not match:
        raise ImproperlyConfigured(
            f'MESSAGING_QUIET_HOURS must look like "21-8" or "21:30-07:45", not {value!r}'
        )
    h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ImproperlyConfigured(f"MESSAGING_QUIET_HOURS has an impossible time: {value!r}")
    start, end = dt.time(h1, m1), dt.time(h2, m2)
    return None if start == end else (start, end)


def quiet_hours_end(now: dt.datetime | None = None) -> dt.datetime | None:
    """When the quiet hours that ``now`` falls in end, or None when ``now`` is not in quiet hours."""
    window = parse_quiet_hours(getattr(settings, "MESSAGING_QUIET_HOURS", ""))
    if window is None:
        return None
    start, end = window
    local = timezone.localtime(now or timezone.now())
    clock = local.time()
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, end), local.tzinfo)


def backoff_seconds(attempts: int) -> float:
    """Wait before the next try after ``attempts`` failed ones: base × 2^(attempts−1), at most an hour."""
    base = float(getattr(settings, "MESSAGING_RETRY_BASE_SECONDS", 30))
    return float(min(base * (2 ** max(attempts - 1, 0)), 3600.0))


def retry_max() -> int:
    """Attempts on one channel before the message falls back to the next channel or fails."""
    return max(int(getattr(settings, "MESSAGING_RETRY_MAX", 5)), 1)


def rate_allows(channel_id: int, rate: int, now: dt.datetime | None = None) -> bool:
    """Count one message on the channel in this second; False when the channel's rate is already used up."""
    if rate <= 0:
        return True
    second = int((now or timezone.now()).timestamp())
    key = f"maharat:msg-rate:{channel_id}:{second}"
    cache.add(key, 0, timeout=5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=5)
        count = 1
    return count <= rate


def rate_take(channel_id: int, rate: int, wanted: int, now: dt.datetime | None = None) -> int:
    """Count up to ``wanted`` messages on the channel in this second at once; returns how many fit the rate."""
    if rate <= 0 or wanted <= 0:
        return max(wanted, 0)
    second = int((now or timezone.now()).timestamp())
    key = f"maharat:msg-rate:{channel_id}:{second}"
    cache.add(key, 0, timeout=5)
    try:
        count = cache.incr(key, wanted)
    except ValueError:  # expired between add and incr
        cache.set(key, wanted, timeout=5)
        count = wanted
    return max(0, min(wanted, rate - (count - wanted)))


def day_start(now: dt.datetime | None = None) -> dt.datetime:
    """Local midnight of the day ``now`` falls in, for the daily cap."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)

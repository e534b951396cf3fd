"""Template filters of learning: lesson Markdown rendered safely."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from maharat.learning.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Lesson Markdown as HTML; the renderer escapes raw HTML and drops unsafe links first."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - render_markdown escapes everything it does not build


GRID_SYMBOLS = {"done": "✓", "failed": "✗", "absent": "○", "started": "…", "": ""}


@register.filter
def grid_cells(marks: list[str]) -> SafeString:
    """One learner's progress-grid cells as table cells, built at once (2,000 cells a page stay cheap)."""
    # Only the fixed symbols above are written, never data, so nothing needs escaping.
    return mark_safe("".join(f"<td>{GRID_SYMBOLS.get(mark, '')}</td>" for mark in marks))  # noqa: S308

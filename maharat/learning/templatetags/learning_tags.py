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

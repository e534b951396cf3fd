"""A small, safe Markdown subset for lessons: everything is escaped first, then a few marks become HTML.

Supported: headings (``#`` to ``###``), paragraphs, bulleted and numbered lists, block quotes, ``**bold**``,
``*italic*``, ```code```, links ``[text](url)`` and images ``![alt](url)``. Raw HTML is shown as text, and a
link or image whose address is not http(s), mailto or site-relative is dropped (its text is kept), so
``<script>`` and ``javascript:`` links cannot run. Pure Python, no Django import.
"""

from __future__ import annotations

import html
import re

_SAFE_URL = re.compile(r"^(https?://|mailto:|/(?!/)|#)[^\s\"'<>`]*$", re.IGNORECASE)
_SAFE_IMAGE = re.compile(r"^(https?://|/(?!/))[^\s\"'<>`]*$", re.IGNORECASE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*)\)")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.*)$")


def _url(escaped: str, pattern: re.Pattern[str]) -> str | None:
    """The address when it is safe, checked on its unescaped form; None otherwise."""
    raw = html.unescape(escaped).strip()
    if not pattern.match(raw):
        return None
    return html.escape(raw, quote=True)


def _inline(text: str) -> str:
    """Inline marks over already-escaped text; code spans are kept away from the other marks."""
    codes: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    def image(match: re.Match[str]) -> str:
        url = _url(match.group(2), _SAFE_IMAGE)
        alt = match.group(1)
        return f'<img src="{url}" alt="{alt}" loading="lazy">' if url else alt

    def link(match: re.Match[str]) -> str:
        url = _url(match.group(2), _SAFE_URL)
        label = match.group(1)
        if url is None:
            return label
        external = ' rel="noopener nofollow"' if url.lower().startswith("http") else ""
        return f'<a href="{url}"{external}>{label}</a>'

    text = _CODE.sub(keep_code, text)
    text = _IMAGE.sub(image, text)
    text = _LINK.sub(link, text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


def render_markdown(source: str) -> str:
    """Lesson Markdown as safe HTML: raw HTML escaped, only the supported marks turned into tags."""
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None
    quote: list[str] = []

    def close_paragraph() -> None:
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    def close_quote() -> None:
        if quote:
            out.append(f"<blockquote><p>{_inline(' '.join(quote))}</p></blockquote>")
            quote.clear()

    def open_list(tag: str) -> None:
        nonlocal list_tag
        if list_tag != tag:
            close_list()
            out.append(f"<{tag}>")
            list_tag = tag

    for raw_line in source.replace("\r\n", "\n").split("\n"):
        line = html.escape(raw_line.strip(), quote=True)
        if not line:
            close_paragraph()
            close_list()
            close_quote()
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if line.startswith("&gt;"):
            close_paragraph()
            close_list()
            quote.append(line[4:].strip())
        elif heading:
            close_paragraph()
            close_list()
            close_quote()
            # Lessons sit under the page's own <h1>, so Markdown headings start at <h2>.
            level = len(heading.group(1)) + 1
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            close_paragraph()
            close_quote()
            open_list("ul" if bullet else "ol")
            item = (bullet or numbered).group(1)  # type: ignore[union-attr]
            out.append(f"<li>{_inline(item)}</li>")
        else:
            close_list()
            close_quote()
            paragraph.append(line)
    close_paragraph()
    close_list()
    close_quote()
    return "\n".join(out)

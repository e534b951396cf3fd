"""Lesson Markdown: the supported marks render, raw HTML and unsafe links are neutralized."""

from __future__ import annotations

from maharat.learning.markdown import render_markdown


class MarkdownTests:
    def test_supported_marks(self) -> None:
        html = render_markdown(
            "# Title\n\nSome **bold** and *italic* `code`.\n\n- one\n- two\n\n1. first\n\n> quoted"
        )
        assert "<h2>Title</h2>" in html
        assert "<strong>bold</strong>" in html and "<em>italic</em>" in html and "<code>code</code>" in html
        assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
        assert "<ol>\n<li>first</li>\n</ol>" in html
        assert "<blockquote><p>quoted</p></blockquote>" in html

    def test_script_tags_are_shown_as_text(self) -> None:
        html = render_markdown('<script>alert("x")</script>\n<img src=x onerror=alert(1)>')
        assert "<script" not in html and "<img" not in html
        assert "&lt;script&gt;" in html

    def test_javascript_links_are_dropped_keeping_their_text(self) -> None:
        for url in (
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java&#115;cript:alert(1)",
            "data:text/html,x",
            "//evil.example",
        ):
            html = render_markdown(f"[click]({url})")
            assert "href" not in html, url
            assert "click" in html

    def test_safe_links_and_lazy_images(self) -> None:
        html = render_markdown('[site](https://example.org/a?b=1&c=2) ![a "map"](/static/map.png)')
        assert '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener nofollow">site</a>' in html
        assert '<img src="/static/map.png" alt="a &quot;map&quot;" loading="lazy">' in html

    def test_attribute_breakout_is_impossible(self) -> None:
        html = render_markdown('[x](https://a.example/"onmouseover="alert(1))')
        assert 'onmouseover="' not in html

    def test_arabic_text_is_kept(self) -> None:
        assert render_markdown("مرحبا **بكم**") == "<p>مرحبا <strong>بكم</strong></p>"

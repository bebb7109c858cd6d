"""Fictional news pages for reader tests (Harwick Gazette; invented people only)."""

from __future__ import annotations


def news_page(title: str, paragraphs: list[str], published: str | None = None) -> str:
    """A small fictional news page with the navigation and footer real pages have."""
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html><head><title>{title} | Harwick Gazette</title>
<meta property="og:site_name" content="Harwick Gazette">{meta}
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{title}</h1>
{body}
</article>
<footer>© Harwick Gazette</footer>
</body></html>
"""

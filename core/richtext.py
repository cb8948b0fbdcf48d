"""Rich text the safe way: people write plain text with a few conventions, raadhuis turns it into
HTML and sanitises the result with nh3 (HTML is never trusted, also not from staff).

Conventions: a blank line starts a new paragraph; lines starting with "- " or "* " form a list;
**bold** and _italic_; web addresses become links.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w/])_(.+?)_(?!\w)")
_BULLET = re.compile(r"^\s*[-*]\s+")
_URL = re.compile(r"(https?://[^\s<]+[^\s<.,;:!?)\]'\"])")


def sanitise(value: str) -> str:
    """Strip everything but a small set of harmless tags; links get rel="noopener noreferrer"."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    return _URL.sub(r'<a href="\1">\1</a>', text)


def render(source: str) -> str:
    """The HTML for text written with the conventions above; always sanitised."""
    blocks = re.split(r"\n\s*\n", (source or "").replace("\r\n", "\n").strip())
    parts = []
    for block in blocks:
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_BULLET.sub('', line))}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return sanitise("".join(parts))

"""Text cleaning: HTML markup and invisible characters out, whitespace normalised."""

from __future__ import annotations

import html
import re
import unicodedata

_SKIPPED_ELEMENTS = re.compile(
    r"<(script|style|head|title)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLOCK_TAG = re.compile(
    r"</?(?:br|p|div|li|ul|ol|dl|dt|dd|tr|table|thead|tbody|tfoot|h[1-6]|blockquote|pre|hr|"
    r"section|article|header|footer|nav|aside|address|figure|figcaption|form)\b[^<>]*>",
    re.IGNORECASE,
)
_CELL_TAG = re.compile(r"</?(?:td|th)\b[^<>]*>", re.IGNORECASE)
# An ASCII letter, "/" or "!" right after "<": "a < b" and "<5 градусов" are not tags
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<![^<>]*>")

_INVISIBLE = dict.fromkeys(
    [*range(0x200B, 0x2010), *range(0x2060, 0x2065), 0xFEFF, 0x00AD, 0x180E], None
)
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\n+")


def strip_html(raw: str) -> str:
    """Remove tags; block-level tags become line breaks, table cells become spaces."""
    text = _COMMENT.sub("", raw)
    text = _SKIPPED_ELEMENTS.sub(" ", text)
    text = _BLOCK_TAG.sub("\n", text)
    text = _CELL_TAG.sub(" ", text)
    return _ANY_TAG.sub("", text)


def _drop_controls(text: str) -> str:
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def normalize_whitespace(text: str) -> str:
    """Runs of spaces become one space; blank lines disappear; every line is stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _HORIZONTAL_SPACE.sub(" ", text)
    lines = (line.strip() for line in text.split("\n"))
    return _NEWLINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def clean_text(raw: str) -> str:
    """Plain, NFC-normalised text out of a raw message (HTML or not)."""
    if not raw:
        return ""
    text = strip_html(raw) if "<" in raw else raw
    text = html.unescape(text)
    text = text.translate(_INVISIBLE)
    text = unicodedata.normalize("NFC", text)
    text = _drop_controls(text)
    return normalize_whitespace(text)

"""Text cleaning: HTML markup and invisible characters out, whitespace normalised.

Any str is accepted: lone surrogates («x\\udfff y», which cannot be encoded as UTF-8) become
U+FFFD first, control characters go. Cleaning is idempotent: clean_text(clean_text(x)) ==
clean_text(x), also for markup hidden under escapes («&amp;lt;b&amp;gt;») or split by
invisible characters.
"""

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
_SURROGATE = re.compile("[\ud800-\udfff]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\n+")


def replace_surrogates(text: str) -> str:
    """Lone surrogates → U+FFFD, one for one (offsets stay valid)."""
    return _SURROGATE.sub("\ufffd", text)


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


def _unescape(text: str) -> str:
    """Until nothing is left to unescape: «&amp;lt;» → «<». Each round shortens the text."""
    while "&" in text:
        new = html.unescape(text)
        if new == text:
            break
        text = new
    return text


def _clean_once(text: str) -> str:
    text = strip_html(text) if "<" in text else text
    text = _unescape(text)
    text = text.translate(_INVISIBLE)
    text = unicodedata.normalize("NFC", text)
    text = _drop_controls(text)
    return normalize_whitespace(text)


_MAX_ROUNDS = 20


def clean_text(raw: str) -> str:
    """Plain, NFC-normalised text out of a raw message (HTML or not).

    A round of cleaning can uncover more to clean (an entity decodes to a tag, a dropped
    control character lets NFC compose), so rounds repeat until the text stops changing.
    """
    if not raw:
        return ""
    text = replace_surrogates(raw)
    for _ in range(_MAX_ROUNDS):
        new = _clean_once(text)
        if new == text:
            break
        text = new
    return text

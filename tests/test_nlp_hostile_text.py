"""Property-based: any Unicode string (lone surrogates, control and format characters,
markup and entities) goes through cleaning, masking and analysis without an exception.

Bounded and derandomized (the same examples on every run) so the quick suite stays quick;
natasha NER runs, the e5 encoder does not.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nlp.clean import clean_text
from nlp.pii import mask_pii
from nlp.pipeline import analyze

# Every code point, surrogates included, plus the characters that exercise the cleaner and
# the masker more often than chance would.
_ANY = st.characters()
_BIASED = st.sampled_from(
    list("<>&;#/!-\"' \n\t\r\u00a0\u200b\u2028\ufeff\u0301\udfff\ud800\x00\x1b\x7f")
    + list("абвгдеёжзийклмнопрстуфхцчшщыьэюяАБВГДИКМОПСТ0123456789.,:+()@№")
    + ["&lt;", "&amp;", "&#", "<p>", "</b>", "<!--", "ул.", " д. ", "тел. ", "ИНН "]
)
TEXT = st.lists(st.one_of(_ANY, _BIASED), max_size=120).map("".join)
QUICK = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _utf8_safe(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@QUICK
@given(TEXT)
@example("x\udfff y")
@example("\ud83d\ude00 пара суррогатов")
@example("&amp;lt;p&amp;gt;Иванов&amp;lt;/p&amp;gt;")
@example("&l\u200bt;p&gt;текст")
def test_cleaning_never_raises_and_is_idempotent(raw):
    clean = clean_text(raw)
    assert _utf8_safe(clean)
    assert clean_text(clean) == clean


@QUICK
@given(TEXT)
@example("x\udfff y")
@example("Иванов \udc00И.И., тел. 8\udfff912 345 67 89")
def test_masking_never_raises(raw):
    result = mask_pii(raw)
    assert _utf8_safe(result.masked_text)
    for span in result.spans:
        assert 0 <= span.start < span.stop <= len(raw)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(TEXT)
@example("x\udfff y")
def test_analysis_never_raises(raw):
    analysis = analyze(raw)
    assert _utf8_safe(analysis.masked_text)
    assert _utf8_safe(str(analysis.to_dict()))


_PHONES = st.sampled_from(
    ["+7 (912) 345-67-89", "8 912 345 67 89", "89123456789", "+79161234567", "8-951-327-87-89"]
)
_EMAILS = st.sampled_from(["maria.ivanova@mail.ru", "o.petrov-1980@yandex.ru", "priem@adm.ru"])
# Surroundings that do not run into the planted item: it is set off by spaces.
_AROUND = st.lists(st.one_of(_ANY, _BIASED), max_size=60).map("".join)


@QUICK
@given(_AROUND, st.one_of(_PHONES, _EMAILS), _AROUND)
def test_planted_phone_or_email_never_survives_masking(before, item, after):
    text = f"{before} {item} {after}"
    masked = mask_pii(text).masked_text
    assert item not in masked


@pytest.mark.parametrize("raw", ["x\udfff y", "\ud800", "a\udc00b\ud800c"])
def test_lone_surrogates_become_replacement_characters(raw):
    assert "\ufffd" in clean_text(raw)
    assert "\ufffd" in mask_pii(raw).masked_text
